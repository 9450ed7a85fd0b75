#pragma once
// Everything `trainsim estimate` reports about a scenario, as plain data: model size and
// FLOPs, the headline step (the first estimated phase at its full batch), the whole-run cost
// and which calibration each kernel class ran on.
#include <string>
#include <vector>

#include "cost/run_cost.hpp"
#include "models/flop_count.hpp"
#include "models/parameter_count.hpp"

namespace trainsim {

struct KernelCurveReport {
  KernelClass kind;
  CurveUse use;
};

struct RunEstimate {
  std::string engine;  // "closed-form" or "simgrid"
  ParameterCounts parameters;
  std::int64_t headline_sequence_length = 0;
  TokenFlops flops_causal;      // per token at the headline sequence length, main model
  TokenFlops flops_non_causal;
  std::optional<StepEstimate> headline;
  RunCost run;
  std::vector<KernelCurveReport> curves;
  bool used_given = false;
};

// Estimates every phase with `timer` (use_given: phases with given figures take them).
RunEstimate estimate_run(const Scenario& scenario, const StepTimer& timer, bool use_given, std::string engine);

// The closed-form timer of a scenario.
StepTimer closed_form_timer(const Scenario& scenario);

}  // namespace trainsim
