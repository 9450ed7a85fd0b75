#pragma once
// What a training step costs, in the shape both engines report: the step time and its
// breakdown on the pace-setting rank, the work it does (tokens and model FLOPs, from which
// every rate follows), memory per rank and whether the plan fits. The closed form here prices
// a step program with each schedule's bubble formula (DeepSeek-V3 Table 2), its overlap rules,
// the optimizer and the exposed data-parallel exchange: no contention and no event
// simulation; the engine in sim/ runs the same program.
#include <cstdint>
#include <optional>
#include <vector>

#include "models/flop_count.hpp"
#include "models/memory_model.hpp"
#include "models/plan_issue.hpp"
#include "models/step_program.hpp"

namespace trainsim {

// Seconds of one step on the pace-setting pipeline rank, in two views that both sum to the step.
struct StepBreakdown {
  // By activity.
  Seconds compute;                 // kernels of all micro-batches
  Seconds exposed_communication;   // TP/CP/EP/PP communication nothing hides
  Seconds pipeline_bubble;         // idle time waiting for other pipeline ranks
  Seconds optimizer;               // optimizer kernels and exposed data-parallel synchronisation
  // By schedule phase (the categories of ISCA'25 Table 4).
  Seconds warmup_forward;     // forward chunks before the first backward
  Seconds steady;             // the overlapped (or 1F1B) steady phase
  Seconds cooldown_backward;  // backward chunks after the last forward
  Seconds weight_gradient;    // weight-gradient chunks run apart (zero-bubble schedules)
  Seconds total;
};

// Every part of `b` scaled by `factor` (a step timed by another engine's ratio).
StepBreakdown scaled(const StepBreakdown& b, double factor);

// The work of one step, whatever its duration: what rates are computed from.
struct StepWork {
  double tokens = 0.0;               // per step, all pipelines
  Flops model_flops_causal;          // per step, all GPUs, main model
  Flops model_flops_non_causal;
  std::int64_t gpus = 1;
  FlopsPerSecond bf16_peak{1.0};     // dense BF16 peak of one GPU: what MFU is quoted against
  FlopsPerSecond precision_peak{1.0};  // dense peak of the plan's GEMM precision (FP8: twice BF16 on Hopper)

  // Model FLOP/s per GPU, MFU against the dense BF16 peak and tokens per day at `step`.
  [[nodiscard]] FlopsPerSecond model_flops_per_gpu(Seconds step, AttentionConvention convention) const;
  [[nodiscard]] double mfu(Seconds step, AttentionConvention convention) const;
  // The same against the peak of the precision the plan computes in: an FP8 plan's share of its FP8 peak.
  [[nodiscard]] double mfu_of_precision_peak(Seconds step, AttentionConvention convention) const;
  [[nodiscard]] double tokens_per_day(Seconds step) const;
};

struct StepEstimate {
  std::optional<PlanIssue> infeasible;  // why the plan cannot run (it does not fit), if so
  std::int64_t micro_batches = 0;       // per pipeline per step
  StepWork work;
  Seconds step_time;
  StepBreakdown breakdown;
  // The schedule's published bubble formula (DeepSeek-V3 Table 2) on the pace-setting rank's
  // chunk times: the bubble were every chunk like them. Beside the breakdown's bubble it shows
  // what the split of the layers adds or saves.
  Seconds bubble_by_formula;
  // Of the compute of the rank with the most, the device's waits for the host to issue work
  // (models/host_pacing.hpp): the step program's, so both engines report it.
  Seconds host_stall;
  MemoryBreakdown memory;  // the fullest pipeline rank
  std::vector<MemoryBreakdown> memory_by_rank;

  [[nodiscard]] bool feasible() const { return !infeasible.has_value(); }
  [[nodiscard]] double tokens_per_step() const { return work.tokens; }
  [[nodiscard]] FlopsPerSecond model_flops_per_gpu(AttentionConvention c) const { return work.model_flops_per_gpu(step_time, c); }
  [[nodiscard]] double mfu(AttentionConvention c) const { return work.mfu(step_time, c); }
  [[nodiscard]] double tokens_per_day() const { return work.tokens_per_day(step_time); }
};

// What does not depend on how the step is timed: its work, memory per rank and feasibility
// (both engines start from this; neither recomputes it).
StepEstimate step_accounting(const StepProgram& program);

// The closed-form estimate of `program`.
StepEstimate estimate_step(const StepProgram& program);
// The same for a plan at a shape, its program built here.
StepEstimate estimate_step(const ModelSpec& model, const ClusterSpec& cluster, const ParallelPlan& plan,
                           const KernelTimeModel& kernels, const StepShape& shape);

}  // namespace trainsim
