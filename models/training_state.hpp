#pragma once
// What a rank holds of the training state and what the optimizer streams: bytes per parameter
// of weights, gradients and optimizer states, and which of them ZeRO shards from which stage.
// The memory model, the step program (optimizer and data-parallel traffic) and the checkpoint
// cost all read these rules here.
#include <cstdint>

#include "models/parallel_plan.hpp"

namespace trainsim {

// Parameters of a rank: dense ones (replicated over data x context) and routed experts
// (replicated over the expert-data group).
struct RankParameters {
  std::int64_t dense = 0;
  std::int64_t experts = 0;
  RankParameters& operator+=(const RankParameters& other) {
    dense += other.dense;
    experts += other.experts;
    return *this;
  }
};

enum class TrainingState {
  weights,           // BF16 working copy (plus the cached FP8 copy under FP8 training); ZeRO-3 shards them
  gradients,         // accumulated across micro-batches; ZeRO-2 shards them
  optimizer_states,  // FP32 master weights and AdamW's two moments; ZeRO-1 shards them
};

// Bytes per parameter of `state` under `plan`'s precisions.
std::int64_t bytes_per_parameter(const ParallelPlan& plan, TrainingState state);
// The parameters whose `state` a rank holds: `params` itself, or its shard (rounded up) over
// data x context (dense) and over the expert-data group (experts) from the ZeRO stage that
// shards that state.
RankParameters held_parameters(const ParallelPlan& plan, const RankParameters& params, TrainingState state);
// Bytes the optimizer step streams per parameter it updates: it reads the master weight, the
// gradient and both moments and writes the master weight, both moments and the BF16 copy.
std::int64_t optimizer_traffic_per_parameter(const ParallelPlan& plan);
// Bytes a checkpoint writes per parameter: BF16 weights, FP32 master weights and both moments.
std::int64_t checkpoint_bytes_per_parameter(const ParallelPlan& plan);

}  // namespace trainsim
