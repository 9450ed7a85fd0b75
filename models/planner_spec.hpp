#pragma once
// What a scenario's "planner" object says about the plan search: the values each axis may
// take (absent: the planner's defaults for the model and cluster), whether tensor parallelism
// stays inside a node, how many plans to simulate, and a note on where the constraints come
// from. Read strictly with the scenario, like every other part of it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/json_reader.hpp"
#include "models/parallel_plan.hpp"

namespace trainsim {

struct PlannerSpec {
  std::optional<std::vector<std::int64_t>> gpu_counts;
  std::optional<std::vector<std::int64_t>> tensor;
  std::optional<std::vector<std::int64_t>> pipeline;
  std::optional<std::vector<std::int64_t>> context;
  std::optional<std::vector<std::int64_t>> expert;
  std::optional<std::vector<std::int64_t>> expert_tensor;
  std::optional<std::vector<std::int64_t>> micro_batch_sizes;
  std::optional<std::vector<std::int64_t>> virtual_stages;
  std::optional<std::vector<Schedule>> schedules;
  std::optional<std::vector<int>> zero_stages;
  std::optional<std::vector<RecomputeSet>> recomputation;
  std::optional<std::vector<Precision>> precisions;
  std::optional<bool> tensor_within_node;
  std::optional<int> top_k;
  // Memory a plan must leave free on its fullest GPU beyond what the memory model counts (which
  // already holds a 4 GiB overhead for the CUDA context, NCCL buffers and allocator slack).
  std::optional<Bytes> min_headroom;
  std::string note;
};

// Reads the "planner" object; issues go to the reader.
PlannerSpec parse_planner_spec(ObjectReader& reader);

}  // namespace trainsim
