#include "hardware/kernel.hpp"

#include <array>
#include <stdexcept>
#include <utility>

namespace trainsim {
namespace {
constexpr std::array<std::pair<KernelClass, std::string_view>, kKernelClassCount> kNames{{
    {KernelClass::gemm_bf16, "gemm_bf16"},
    {KernelClass::gemm_fp8, "gemm_fp8"},
    {KernelClass::grouped_gemm_bf16, "grouped_gemm_bf16"},
    {KernelClass::grouped_gemm_fp8, "grouped_gemm_fp8"},
    {KernelClass::attention_forward, "attention_forward"},
    {KernelClass::attention_backward, "attention_backward"},
    {KernelClass::attention_fa2_forward, "attention_fa2_forward"},
    {KernelClass::attention_fa2_backward, "attention_fa2_backward"},
    {KernelClass::memory_bound, "memory_bound"},
    {KernelClass::row_reduction, "row_reduction"},
    {KernelClass::scale_up_transfer, "scale_up_transfer"},
    {KernelClass::scale_out_transfer, "scale_out_transfer"},
}};
}  // namespace

std::string_view to_string(KernelClass c) {
  for (const auto& [kind, name] : kNames) {
    if (kind == c) return name;
  }
  return "?";
}

bool parse_kernel_class(std::string_view name, KernelClass& out) {
  for (const auto& [kind, known] : kNames) {
    if (known == name) {
      out = kind;
      return true;
    }
  }
  return false;
}

Kernel gemm_kernel(const GemmShape& s) {
  const bool fp8 = s.input == Precision::fp8;
  Kernel k;
  k.gemm = s;
  if (s.groups > 1) {
    k.kind = fp8 ? KernelClass::grouped_gemm_fp8 : KernelClass::grouped_gemm_bf16;
  } else {
    k.kind = fp8 ? KernelClass::gemm_fp8 : KernelClass::gemm_bf16;
  }
  const double g = static_cast<double>(s.groups);
  k.flops = Flops(2.0 * g * static_cast<double>(s.m) * static_cast<double>(s.n) * static_cast<double>(s.k));
  // In Bytes, whose arithmetic is checked: a calibration row's shape comes from user input.
  const Bytes element(bytes_per_element(s.input));
  k.bytes_read = (element * s.m * s.k + element * s.k * s.n) * s.groups;
  k.bytes_written = Bytes(bytes_per_element(Precision::bf16)) * s.m * s.n * s.groups;
  return k;
}

double attention_pairs_per_head(const AttentionShape& s) {
  const auto q = static_cast<double>(s.seq_q);
  const auto kv = static_cast<double>(s.seq_kv);
  if (s.window > 0 && s.window < s.seq_kv) {
    const auto w = static_cast<double>(s.window);
    return s.causal ? q * w - 0.5 * w * w : q * w;
  }
  return q * kv * (s.causal ? 0.5 : 1.0);
}

Kernel attention_kernel(const AttentionShape& s, bool backward, FusedAttention generation) {
  const double pairs = static_cast<double>(s.batch * s.heads) * attention_pairs_per_head(s);
  const double qk = static_cast<double>(s.head_dim_qk);
  const double v = static_cast<double>(s.head_dim_v);
  Kernel k;
  if (generation == FusedAttention::flash_attention_2) {
    k.kind = backward ? KernelClass::attention_fa2_backward : KernelClass::attention_fa2_forward;
  } else {
    k.kind = backward ? KernelClass::attention_backward : KernelClass::attention_forward;
  }
  k.flops = Flops(2.0 * pairs * (backward ? 3.0 * qk + 2.0 * v : qk + v));
  const Bytes bh = Bytes(bytes_per_element(Precision::bf16)) * s.batch * s.heads;
  const Bytes q = bh * s.seq_q * s.head_dim_qk;
  const Bytes kv = bh * s.seq_kv * (s.head_dim_qk + s.head_dim_v);
  const Bytes o = bh * s.seq_q * s.head_dim_v;
  if (backward) {  // reads q, k, v, o, dO; writes dQ, dK, dV
    k.bytes_read = q + kv + o + o;
    k.bytes_written = q + kv;
  } else {
    k.bytes_read = q + kv;
    k.bytes_written = o;
  }
  return k;
}

Kernel memory_kernel(Bytes read, Bytes written, KernelClass kind) {
  if (!is_memory_bound(kind)) throw std::logic_error("memory_kernel of a class not timed by bytes alone");
  Kernel k;
  k.kind = kind;
  k.bytes_read = read;
  k.bytes_written = written;
  return k;
}

}  // namespace trainsim
