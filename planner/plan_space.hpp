#pragma once
// The space the planner searches: candidate values per axis (tensor, pipeline with virtual
// stages, context, expert and expert tensor parallelism folded over a stage, micro-batch size, schedule, ZeRO stage, recomputation,
// precision, and optionally the GPU count), iterated as a product over ParallelPlan. The
// scenario's "planner" object narrows any axis and sets constraints; every other plan field
// (optimizer precisions, SMs for communication, overheads) comes from its "parallel" plan.
#include <cstdint>
#include <functional>
#include <vector>

#include "models/scenario.hpp"

namespace trainsim {

struct PlanSpace {
  std::vector<std::int64_t> gpu_counts;
  std::vector<std::int64_t> tensor;
  std::vector<std::int64_t> pipeline;
  std::vector<std::int64_t> context;
  std::vector<std::int64_t> expert;
  // Expert tensor degrees, 0 meaning "as tensor" (Megatron-Core's default); a degree equal to
  // the plan's tensor degree is visited once.
  std::vector<std::int64_t> expert_tensor;
  std::vector<std::int64_t> micro_batch_sizes;
  std::vector<std::int64_t> virtual_stages;  // for interleaved 1F1B
  std::vector<Schedule> schedules;
  std::vector<int> zero_stages;
  std::vector<RecomputeSet> recomputation;
  std::vector<Precision> precisions;
  bool tensor_within_node = true;  // tensor-parallel groups never leave a node
  int top_k = 8;                   // plans simulated after the closed-form ranking
  // Memory a feasible plan leaves free beyond the memory model's count. Default 0: the model's
  // overhead (4 GiB, README "Memory model") is already the allowance for context, NCCL buffers
  // and allocator slack; a planner who wants more margin says how much.
  Bytes min_headroom{0};
};

// The defaults for the scenario's model and cluster, narrowed by its "planner" object. The
// precision axis is the scenario's own precision unless `planner.precisions` lists others: a
// planner asked about a BF16 run is not answered with an FP8 one.
PlanSpace plan_space(const Scenario& scenario);

// Calls `visit` for every plan of the product whose degrees multiply to the GPU count, in a
// fixed order. The plans are candidates: the plan rules and the memory model decide.
void for_each_plan(const PlanSpace& space, const ParallelPlan& base,
                   const std::function<void(const ParallelPlan&, std::int64_t gpu_count)>& visit);

// How many plans for_each_plan visits.
std::int64_t plan_count(const PlanSpace& space);

}  // namespace trainsim
