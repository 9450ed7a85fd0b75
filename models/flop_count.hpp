#pragma once
// Training FLOPs per token, with the conventions published figures use: "causal" counts the
// attention scores of the lower triangle only (FlashAttention), "non-causal" the full matrix
// (Megatron). Model FLOPs leave recomputation out; hardware FLOPs count it.
#include <cstdint>

#include "core/units.hpp"
#include "models/model_spec.hpp"
#include "models/parallel_plan.hpp"

namespace trainsim {

enum class AttentionConvention { causal, non_causal };
std::string_view to_string(AttentionConvention c);

struct TokenFlops {
  Flops matmul;     // 6 per matrix-multiply weight (forward 2, backward 4), head included
  Flops attention;  // softmax(QK^T)V: forward 2*heads*(d_qk+d_v)*keys, backward twice that
  [[nodiscard]] Flops total() const { return matmul + attention; }
};

// Model FLOPs per token of the main model (MTP modules excluded), no recomputation.
TokenFlops model_flops_per_token(const ModelSpec& model, std::int64_t sequence_length, AttentionConvention convention);
// FLOPs per token of the MTP modules alone (zero without MTP).
TokenFlops mtp_flops_per_token(const ModelSpec& model, std::int64_t sequence_length, AttentionConvention convention);
// Model FLOPs plus the forward work that recomputation repeats (main model).
TokenFlops hardware_flops_per_token(const ModelSpec& model, std::int64_t sequence_length,
                                    AttentionConvention convention, const RecomputeSet& recompute);

}  // namespace trainsim
