#pragma once
// The closed-form estimate of one training step: chunk times from the kernel time model and
// alpha-beta communication, each schedule's overlap rules, its published bubble formula
// (DeepSeek-V3 Table 2), the optimizer and the exposed data-parallel synchronisation. No
// contention and no event simulation: the engine in sim/ checks and refines it.
#include <cstdint>
#include <string>
#include <vector>

#include "hardware/kernel_time_model.hpp"
#include "models/flop_count.hpp"
#include "models/memory_model.hpp"

namespace trainsim {

struct StepShape {
  std::int64_t sequence_length = 0;
  std::int64_t global_batch_size = 0;  // sequences per step
};

// Seconds of one step on the critical pipeline rank, in two views that both sum to the step.
struct StepBreakdown {
  // By activity.
  Seconds compute;                 // kernels of all micro-batches
  Seconds exposed_communication;   // TP/CP/EP/PP communication nothing hides
  Seconds pipeline_bubble;         // idle time per the schedule's formula
  Seconds optimizer;               // optimizer kernels and exposed data-parallel synchronisation
  // By schedule phase (the categories of ISCA'25 Table 4).
  Seconds warmup_forward;     // forward chunks before the first backward
  Seconds steady;             // the overlapped (or 1F1B) steady phase
  Seconds cooldown_backward;  // backward chunks after the last forward
  Seconds weight_gradient;    // weight-gradient chunks run apart (zero-bubble schedules)
  Seconds total;
};

struct StepEstimate {
  bool feasible = true;
  std::string infeasible_reason;
  std::int64_t micro_batches = 0;  // per pipeline per step
  double tokens_per_step = 0.0;
  Seconds step_time;
  StepBreakdown breakdown;
  FlopsPerSecond model_flops_per_gpu_causal;
  FlopsPerSecond model_flops_per_gpu_non_causal;
  double mfu_causal = 0.0;      // against the dense BF16 peak
  double mfu_non_causal = 0.0;
  MemoryBreakdown memory;       // the fullest pipeline rank
  std::vector<MemoryBreakdown> memory_by_rank;
  double tokens_per_day = 0.0;
};

StepEstimate estimate_step(const ModelSpec& model, const ClusterSpec& cluster, const ParallelPlan& plan,
                           const KernelTimeModel& kernels, const StepShape& shape);

// Per-micro-batch times of one pipeline rank, its chunks weighted by the share of
// micro-batches each sees; "exposed" is the communication its compute does not cover.
struct RankTimes {
  Seconds forward_compute, backward_compute, weight_compute;
  Seconds forward_exposed, backward_exposed;
  Seconds communication;  // TP, CP and EP steps, back to back
};

// What a step's estimate needs from the priced layers and the pipeline alone (not from the
// data-parallel degree, the ZeRO stage or the batch): the layout, its chunks and the
// pace-setting rank. The planner computes it once for the many plans that share it.
struct PipelineCosts {
  PipelineLayout layout;
  std::vector<ChunkCost> chunks;
  RankTimes slow;  // the slowest rank's times per micro-batch
  Seconds pace;    // its seconds per micro-batch in the steady phase
};
PipelineCosts pipeline_costs(const ChunkCostModel& priced, const ModelSpec& model, const ParallelPlan& plan);
// The estimate from already priced layers and pipeline (`priced` for `plan` at `shape`'s
// sequence length and the plan's micro-batch size).
StepEstimate estimate_step(const ChunkCostModel& priced, const PipelineCosts& pipeline, const ModelSpec& model,
                           const ClusterSpec& cluster, const ParallelPlan& plan, const KernelTimeModel& kernels,
                           const StepShape& shape);

}  // namespace trainsim
