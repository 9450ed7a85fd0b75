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

// What skewed routing (or redundant experts) costs the headline step: the routed copies that
// reach each expert-parallel rank in one MoE layer for one micro-batch, the hottest rank, and
// the same step under balanced routing on the same engine.
struct RoutingReport {
  std::string routing;
  std::vector<double> tokens_per_rank;
  std::int64_t hottest_rank = 0;
  double hottest_factor = 1.0;  // its tokens over the mean rank's
  bool over_fabric = false;     // its incoming all-to-all crosses its NIC (else NVLink only)
  Seconds balanced_step;
  Seconds step;
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
  std::optional<RoutingReport> routing;  // when the headline plan's routing is not balanced
  bool used_given = false;
};

// Estimates every phase with `timer` (use_given: phases with given figures take them).
RunEstimate estimate_run(const Scenario& scenario, const StepTimer& timer, bool use_given, std::string engine);

// The closed-form timer of a scenario.
StepTimer closed_form_timer(const Scenario& scenario);

}  // namespace trainsim
