#pragma once
// Megatron-Core's --tp-comm-overlap: Transformer Engine's userbuffers overlap each
// tensor-parallel collective of the attention and MLP blocks with a GEMM beside it, with the
// methods and settings of TE's defaults (initialize_ub, transformer_engine/pytorch/module/base.py,
// v1.9-v2.18):
// - ring exchange (qkv and fc1 forward, proj and fc2 data gradients): the all-gather becomes
//   tp - 1 point-to-point steps on copy engines, each hidden under the GEMM of the chunk
//   already there; the last chunk's GEMM runs after the last step. No SMs go to communication.
// - pipeline (proj and fc2 forward): the GEMM runs in 4 chunks along its rows and each chunk's
//   reduce-scatter, on 16 SMs, runs beside the next chunk's GEMM; the last chunk's is exposed.
// - bulk (qkv and fc1 backward): the reduce-scatter of the data gradient runs whole beside the
//   weight-gradient GEMM, and the input's all-gather beside the data-gradient GEMM, each on
//   16 SMs.
// A GEMM beside SM-driven communication runs on the SMs the collective leaves it (TE 2.x's
// set_sm_margin; in 1.x both share all SMs, which costs the GEMM about as much). Under FP8 the
// ring-exchanged gathers carry FP8 (fp8_buf), cast on the rank's shard before they start; so do
// the NCCL gathers of a TE linear's FP8 input without userbuffers (TensorOverlap::quantized_gather).
#include <cstdint>
#include <vector>

#include "hardware/gpu_spec.hpp"
#include "models/collective_time.hpp"
#include "models/layer_costs.hpp"

namespace trainsim {

// TE's defaults for the SM-driven methods (get_default_config): num_splits 4, num_sm 16.
inline constexpr std::int64_t kPipelinedScatterChunks = 4;
inline constexpr int kUserbufferCommunicationSms = 16;

// The share of `gpu`'s SMs a GEMM keeps beside an SM-driven userbuffers collective; 1 where the
// catalog has no SM count (the cost is then left out, as the GEMM tiling is).
double userbuffer_gemm_sm_share(const GpuSpec& gpu);

// Rewrites a layer's steps (LayerCosts order) so that each collective marked with a
// TensorOverlap runs beside its GEMM as above (a quantized gather: after its GEMM's input
// quantization, on the shard): the GEMMs split into chunks (`tp` for a ring
// exchange), the collectives marked overlaps_next, the bulk reduce-scatter's weight-gradient
// GEMM moved beside it into the backward pass; rewritten steps lose their mark. The builder
// marks only collectives next to their GEMMs: one without throws std::logic_error.
void overlap_tensor_collectives(std::vector<LayerStep>& steps, const CommunicationModel& comm, std::int64_t tp,
                                double gemm_sm_share);

}  // namespace trainsim
