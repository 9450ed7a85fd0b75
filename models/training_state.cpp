#include "models/training_state.hpp"

#include <algorithm>

namespace trainsim {

namespace {
constexpr std::int64_t kBf16 = 2;
constexpr std::int64_t kMaster = 4;  // FP32 master weights

int sharding_stage(TrainingState state) {
  switch (state) {
    case TrainingState::optimizer_states: return 1;
    case TrainingState::gradients: return 2;
    case TrainingState::weights: return 3;
  }
  return 1;
}

std::int64_t moments(const ParallelPlan& p) { return 2 * bytes_per_element(p.optimizer_moment_precision); }
}  // namespace

std::int64_t bytes_per_parameter(const ParallelPlan& p, TrainingState state) {
  switch (state) {
    case TrainingState::weights: return p.precision == Precision::fp8 ? kBf16 + 1 : kBf16;
    case TrainingState::gradients: return bytes_per_element(p.gradient_precision);
    case TrainingState::optimizer_states: return kMaster + moments(p);
  }
  return 0;
}

RankParameters held_parameters(const ParallelPlan& p, const RankParameters& params, TrainingState state) {
  if (p.zero_stage < sharding_stage(state)) return params;
  const std::int64_t dp = p.data * p.context;
  const std::int64_t edp = std::max<std::int64_t>(1, p.expert_data_parallel());
  return {(params.dense + dp - 1) / dp, (params.experts + edp - 1) / edp};
}

std::int64_t optimizer_traffic_per_parameter(const ParallelPlan& p) {
  const std::int64_t read = kMaster + bytes_per_element(p.gradient_precision) + moments(p);
  const std::int64_t written = kMaster + moments(p) + kBf16;
  return read + written;
}

std::int64_t checkpoint_bytes_per_parameter(const ParallelPlan& p) { return kBf16 + kMaster + moments(p); }

}  // namespace trainsim
