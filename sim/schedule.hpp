#pragma once
// Pipeline schedules as per-rank orders of chunk work: GPipe, 1F1B, interleaved 1F1B, ZB-H1,
// DualPipe and DualPipeV. Chunks are model chunks (PipelineLayout's indices); a direction
// tells DualPipe's two model copies apart.
#include <cstdint>
#include <vector>

#include "models/parallel_plan.hpp"
#include "sim/workload.hpp"

namespace trainsim {

struct ChunkRef {
  std::int32_t chunk = -1;
  std::int32_t micro_batch = -1;
  std::int32_t direction = 0;  // DualPipe: 0 flows rank 0 -> pp-1, 1 flows pp-1 -> 0
};

struct ScheduleItem {
  ItemKind kind = ItemKind::forward;
  ChunkRef forward;   // forward and forward_backward items
  ChunkRef backward;  // backward, forward_backward and weight items
  bool defer_weights = false;  // zero bubble: this backward leaves its weight gradients to a later item
};

// The pipeline rank that holds `chunk` of copy `direction` under `plan`'s schedule.
std::int32_t chunk_holder(const ParallelPlan& plan, std::int32_t chunk, std::int32_t direction);
// Number of model chunks the schedule runs in sequence (a micro-batch's path length).
std::int32_t pipeline_depth(const ParallelPlan& plan);

struct ScheduleOptions {
  // DualPipe's reference code runs the middle ranks' (DualPipeV: the last rank's) first
  // main-phase pair without overlap "to further reduce bubble size"; DeepSeek-V3 Table 2's
  // formula describes the schedule without this refinement.
  bool refine_middle_pair = true;
};

// Items of every pipeline rank for one step of `micro_batches` micro-batches per pipeline.
std::vector<std::vector<ScheduleItem>> pipeline_schedule(const ParallelPlan& plan, std::int64_t micro_batches,
                                                         const ScheduleOptions& options = {});

}  // namespace trainsim
