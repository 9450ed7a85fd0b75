#pragma once
// The phases of a training run and the figures a scenario may carry as given or published.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/parallel_plan.hpp"

namespace trainsim {

// The global batch grows linearly in tokens from `start_global_batch_size` to the phase's
// batch over the first `tokens` tokens (DeepSeek-V3 gives only the end points; linear is an
// assumption stated in the scenario).
struct BatchRamp {
  std::int64_t start_global_batch_size = 0;
  double tokens = 0.0;
};

// Figures a phase can take as input instead of an estimate (`trainsim estimate --given`), or
// that a source reports for comparison.
struct PhaseFigures {
  std::optional<double> gpu_hours;
  std::optional<double> gpu_hours_per_trillion_tokens;
  std::optional<double> tokens_per_day;
  std::string source;
  [[nodiscard]] bool empty() const { return !gpu_hours && !gpu_hours_per_trillion_tokens && !tokens_per_day; }
};

// A stretch of training at one shape: sequence length, batch and plan.
struct PhaseSegment {
  std::string pointer;  // where it sits in the scenario, for messages
  std::optional<double> tokens;
  std::optional<std::int64_t> steps;
  std::int64_t sequence_length = 0;
  std::int64_t global_batch_size = 0;
  std::optional<BatchRamp> ramp;
  ParallelPlan plan;  // the scenario's plan with this segment's overrides applied
  bool plan_overridden = false;
  // Tokens of the segment, whether given as tokens or as steps.
  [[nodiscard]] double total_tokens() const;
};

// A phase as a report names it (pre-training, context extension, post-training): one or
// more segments, or only figures given by a source when its shape is not published.
struct TrainingPhase {
  std::string name;
  std::string pointer;
  std::vector<PhaseSegment> segments;
  PhaseFigures given;
  PhaseFigures published;
  [[nodiscard]] bool has_shape() const { return !segments.empty(); }
};

// A measured step split into the categories of ISCA'25 Table 4 (seconds).
struct PublishedStepBreakdown {
  Seconds forward, bubble, backward, weight, overlapped, optimizer;
};

// Whole-run figures a source reports, shown beside trainsim's estimate.
struct PublishedRun {
  std::optional<PublishedStepBreakdown> step_breakdown;
  std::optional<Seconds> step_time;
  std::optional<double> tokens_per_day;
  std::optional<double> mfu_causal;
  std::optional<double> mfu_non_causal;
  std::optional<double> total_gpu_hours;
  std::optional<double> cost_usd;
  std::string source;
};

}  // namespace trainsim
