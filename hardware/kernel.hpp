#pragma once
// A GPU kernel as the time model sees it: its class and the work it does. The class decides
// which peak rate and which calibration curve apply.
#include <cstdint>
#include <string_view>

#include "core/units.hpp"
#include "hardware/precision.hpp"

namespace trainsim {

enum class KernelClass {
  gemm_bf16,
  gemm_fp8,
  grouped_gemm_bf16,  // many experts' GEMMs in one launch (MoE)
  grouped_gemm_fp8,
  attention_forward,   // fused (flash) attention, BF16: the GPU's current kernels (FlashAttention-3 on Hopper)
  attention_backward,
  attention_fa2_forward,   // FlashAttention-2 generation: runs that state it, or that predate FA3
  attention_fa2_backward,
  memory_bound,        // elementwise, casts, permutes, copies: time follows bytes moved
  // A reduction along each row and a pass over it (RMSNorm and LayerNorm with their residual
  // add, softmax, cross-entropy, top-k): bytes too, but our H100 probe runs its fused
  // add + RMSNorm at 2.0-2.5 TB/s where copies reach 3.0, so one byte curve cannot serve both.
  row_reduction,
  scale_up_transfer,   // NVLink-class traffic inside a node
  scale_out_transfer,  // NIC traffic across nodes
};
inline constexpr int kKernelClassCount = 12;

std::string_view to_string(KernelClass c);
// Parses a class name as written in calibration files; false when unknown.
bool parse_kernel_class(std::string_view name, KernelClass& out);
constexpr bool is_attention(KernelClass c) {
  return c == KernelClass::attention_forward || c == KernelClass::attention_backward ||
         c == KernelClass::attention_fa2_forward || c == KernelClass::attention_fa2_backward;
}
constexpr bool is_backward_attention(KernelClass c) {
  return c == KernelClass::attention_backward || c == KernelClass::attention_fa2_backward;
}
constexpr bool is_gemm(KernelClass c) {
  return c == KernelClass::gemm_bf16 || c == KernelClass::gemm_fp8 || c == KernelClass::grouped_gemm_bf16 ||
         c == KernelClass::grouped_gemm_fp8;
}
// The tensor precision whose peak a compute class's rates are relative to.
constexpr Precision tensor_precision(KernelClass c) {
  return (c == KernelClass::gemm_fp8 || c == KernelClass::grouped_gemm_fp8) ? Precision::fp8 : Precision::bf16;
}
// Classes timed by the bytes they move alone.
constexpr bool is_memory_bound(KernelClass c) {
  return c == KernelClass::memory_bound || c == KernelClass::row_reduction;
}
constexpr bool is_transfer(KernelClass c) {
  return c == KernelClass::scale_up_transfer || c == KernelClass::scale_out_transfer;
}

struct GemmShape {
  std::int64_t m = 0, n = 0, k = 0;
  std::int64_t groups = 1;
  Precision input = Precision::bf16;  // bf16 or fp8 operands; output is always BF16
};

struct Kernel {
  KernelClass kind = KernelClass::memory_bound;
  Flops flops;        // arithmetic the kernel performs (recomputation inside it included)
  Bytes bytes_read;   // operands read from device memory
  Bytes bytes_written;
  GemmShape gemm;     // GEMM classes: the shape, which decides how the work tiles the GPU
};

struct AttentionShape {
  std::int64_t batch = 1, heads = 1, seq_q = 1, seq_kv = 1;
  std::int64_t head_dim_qk = 128, head_dim_v = 128;
  bool causal = true;
  std::int64_t window = 0;  // a query sees at most this many keys (sliding window); 0: all
};

// A GEMM C[m,n] = A[m,k] B[k,n], `groups` times with separate weights; 2mnk FLOP per group.
Kernel gemm_kernel(const GemmShape& shape);
// Generations of fused attention kernels. They are timed by separate curves because they differ
// by far more than a shape effect: on an H100, FlashAttention-3 runs 1.5-1.8x FlashAttention-2
// (the head-dim-128 speed charts of Shah et al., arXiv:2407.08608; rows in h100-published).
enum class FusedAttention { current, flash_attention_2 };

// Query-key pairs one head computes: seq_q x seq_kv, halved under a causal mask; under a
// sliding window of w < seq_kv keys, seq_q x w less the w^2 / 2 a causal mask cuts from the
// first window (a kernel that skips blocks outside the window, as FlashAttention's does).
double attention_pairs_per_head(const AttentionShape& shape);
// Fused attention in FlashAttention's FLOP convention: forward 2*s_q*s_kv*(d_qk+d_v) per head,
// backward 2*s_q*s_kv*(3*d_qk+2*d_v) (it recomputes the scores); causal masks halve both.
Kernel attention_kernel(const AttentionShape& shape, bool backward, FusedAttention generation);
// A memory-bound kernel that reads and writes the given bytes: a stream (memory_bound) or a
// row reduction.
Kernel memory_kernel(Bytes read, Bytes written, KernelClass kind = KernelClass::memory_bound);

}  // namespace trainsim
