// Attention forward and backward. The probe has no fused attention kernel of its own (cuDNN's
// is not a dependency), so it runs the unfused algorithm: cuBLASLt batched BF16 GEMMs for
// Q K^T, P V and the five backward products, and softmax kernels between them; the backward
// recomputes P from Q and K as FlashAttention does, so the FLOPs match trainsim's attention
// classes. Every record says "unfused": `trainsim calibrate` leaves such rows out unless asked.
#include <cmath>
#include <cstdio>
#include <string>

#include <cuda_bf16.h>

#include "hardware/probe/lt_gemm.cuh"
#include "hardware/probe/timing.cuh"

namespace probe {
namespace {

constexpr int kThreads = 256;

__device__ float block_reduce(float value, bool take_max) {
  __shared__ float partial[kThreads / 32];
  for (int offset = 16; offset > 0; offset /= 2) {
    const float other = __shfl_down_sync(0xffffffffU, value, offset);
    value = take_max ? fmaxf(value, other) : value + other;
  }
  if (threadIdx.x % 32 == 0) partial[threadIdx.x / 32] = value;
  __syncthreads();
  if (threadIdx.x < 32) {
    value = threadIdx.x < kThreads / 32 ? partial[threadIdx.x] : (take_max ? -INFINITY : 0.0f);
    for (int offset = 16; offset > 0; offset /= 2) {
      const float other = __shfl_down_sync(0xffffffffU, value, offset);
      value = take_max ? fmaxf(value, other) : value + other;
    }
    if (threadIdx.x == 0) partial[0] = value;
  }
  __syncthreads();
  const float result = partial[0];
  __syncthreads();
  return result;
}

// One block per row of scores: P = softmax(scale * S), in place.
__global__ void softmax_rows(__nv_bfloat16* scores, std::int64_t columns, float scale) {
  __nv_bfloat16* row = scores + blockIdx.x * columns;
  float local_max = -INFINITY;
  for (std::int64_t j = threadIdx.x; j < columns; j += kThreads) local_max = fmaxf(local_max, __bfloat162float(row[j]) * scale);
  const float row_max = block_reduce(local_max, true);
  float local_sum = 0.0f;
  for (std::int64_t j = threadIdx.x; j < columns; j += kThreads) local_sum += __expf(__bfloat162float(row[j]) * scale - row_max);
  const float inverse = 1.0f / block_reduce(local_sum, false);
  for (std::int64_t j = threadIdx.x; j < columns; j += kThreads) {
    row[j] = __float2bfloat16(__expf(__bfloat162float(row[j]) * scale - row_max) * inverse);
  }
}

// dS = P * (dP - rowsum(P * dP)), written over dP.
__global__ void softmax_backward_rows(const __nv_bfloat16* probabilities, __nv_bfloat16* gradient, std::int64_t columns) {
  const __nv_bfloat16* p = probabilities + blockIdx.x * columns;
  __nv_bfloat16* g = gradient + blockIdx.x * columns;
  float local = 0.0f;
  for (std::int64_t j = threadIdx.x; j < columns; j += kThreads) local += __bfloat162float(p[j]) * __bfloat162float(g[j]);
  const float dot = block_reduce(local, false);
  for (std::int64_t j = threadIdx.x; j < columns; j += kThreads) {
    g[j] = __float2bfloat16(__bfloat162float(p[j]) * (__bfloat162float(g[j]) - dot));
  }
}

struct AttentionShape {
  std::int64_t batch, heads, seq, head_dim;
};

}  // namespace

std::vector<Measurement> probe_attention(const Device& device, const Options& options) {
  std::vector<Measurement> out;
  const LtSession session;
  const cudaStream_t stream = session.stream();
  std::vector<AttentionShape> shapes = {{4, 16, 1024, 128}, {2, 16, 2048, 128}, {1, 32, 4096, 128}, {1, 16, 8192, 128}};
  if (options.quick) shapes.resize(2);

  for (const auto& a : shapes) {
    const std::int64_t bh = a.batch * a.heads;
    const std::size_t vector_elements = static_cast<std::size_t>(bh * a.seq * a.head_dim);
    const std::size_t score_elements = static_cast<std::size_t>(bh * a.seq * a.seq);
    if ((8 * vector_elements + 2 * score_elements) * 2 > device.free_bytes / 2) {
      std::fprintf(stderr, "trainsim-probe: skipping attention seq %lld: not enough free memory\n", static_cast<long long>(a.seq));
      continue;
    }
    DeviceBuffer q(vector_elements * 2), k(vector_elements * 2), v(vector_elements * 2), o(vector_elements * 2);
    DeviceBuffer d_o(vector_elements * 2), d_q(vector_elements * 2), d_k(vector_elements * 2), d_v(vector_elements * 2);
    DeviceBuffer p(score_elements * 2), d_p(score_elements * 2);
    unsigned seed = 100;
    for (const DeviceBuffer* b : {&q, &k, &v, &d_o}) fill_random(b->get(), vector_elements, CUDA_R_16BF, seed++, stream);

    const GemmShape scores{a.seq, a.seq, a.head_dim, bh, Fp8Scaling::none};   // S = Q K^T, dP = dO V^T
    const GemmShape mix{a.seq, a.head_dim, a.seq, bh, Fp8Scaling::none};     // O = P V, dV, dQ, dK
    const LtGemm score_gemm(session, scores);
    const LtGemm mix_gemm(session, mix);
    if (!score_gemm.usable() || !mix_gemm.usable()) {
      std::fprintf(stderr, "trainsim-probe: skipping attention: %s\n", (score_gemm.usable() ? mix_gemm : score_gemm).why().c_str());
      continue;
    }
    const float scale = 1.0f / std::sqrt(static_cast<float>(a.head_dim));
    const auto rows = static_cast<unsigned>(bh * a.seq);
    const auto forward = [&] {
      score_gemm.run(q.get(), k.get(), p.get());
      softmax_rows<<<rows, kThreads, 0, stream>>>(p.as<__nv_bfloat16>(), a.seq, scale);
      mix_gemm.run(p.get(), v.get(), o.get());
    };
    const auto backward = [&] {
      score_gemm.run(q.get(), k.get(), p.get());  // recompute P
      softmax_rows<<<rows, kThreads, 0, stream>>>(p.as<__nv_bfloat16>(), a.seq, scale);
      mix_gemm.run(p.get(), d_o.get(), d_v.get());      // dV = P^T dO
      score_gemm.run(d_o.get(), v.get(), d_p.get());    // dP = dO V^T
      softmax_backward_rows<<<rows, kThreads, 0, stream>>>(p.as<__nv_bfloat16>(), d_p.as<__nv_bfloat16>(), a.seq);
      mix_gemm.run(d_p.get(), k.get(), d_q.get());      // dQ = dS K
      mix_gemm.run(d_p.get(), q.get(), d_k.get());      // dK = dS^T Q
    };
    for (const bool is_backward : {false, true}) {
      Measurement m;
      m.kind = is_backward ? "attention_backward" : "attention_forward";
      m.id = m.kind + "/unfused/b" + std::to_string(a.batch) + "h" + std::to_string(a.heads) + "s" + std::to_string(a.seq) +
             "d" + std::to_string(a.head_dim);
      m.integer("batch", a.batch).integer("heads", a.heads).integer("seq", a.seq).integer("head_dim", a.head_dim);
      m.flag("causal", false).flag("fused", false);
      m.implementation = "unfused: cuBLASLt batched BF16 GEMMs and softmax kernels, no mask";
      if (is_backward) m.implementation += ", P recomputed from Q and K";
      m.timing = time_on_stream(stream, options, [&](int) { is_backward ? backward() : forward(); });
      out.push_back(m);
      std::fprintf(stderr, "trainsim-probe: %s %.1f us\n", m.id.c_str(), m.timing.median_s * 1e6);
    }
  }
  return out;
}

}  // namespace probe
