#pragma once
// GPU-hours, days and dollars of a whole run: every phase either estimated at its own shape
// (with its batch ramp integrated segment by segment) or taken from figures the scenario gives.
#include <functional>
#include <string>
#include <vector>

#include "models/scenario.hpp"
#include "models/step_estimate.hpp"

namespace trainsim {

enum class PhaseSource { estimated, given };

struct PhaseCost {
  std::string name;
  PhaseSource source = PhaseSource::estimated;
  std::string source_note;  // the citation of given figures
  double tokens = 0.0;
  double steps = 0.0;
  std::vector<StepEstimate> segments;  // each segment's step at its full batch, when estimated
  double gpu_hours = 0.0;
  double days = 0.0;
  double cost_usd = 0.0;
  PhaseFigures published;
  std::vector<std::string> warnings;
};

struct RunCost {
  std::vector<PhaseCost> phases;
  double gpu_hours = 0.0;
  double days = 0.0;
  double cost_usd = 0.0;
};

// Prices one step of a plan at a shape (the closed-form estimate or a simulation).
using StepTimer = std::function<StepEstimate(const ParallelPlan&, const StepShape&)>;

// Segments the batch ramp is integrated over (the ramp is linear in tokens).
inline constexpr int kRampSegments = 8;

// `use_given`: phases with given figures use them; otherwise they are estimated whenever they
// have a shape, and given figures apply only to phases without one.
RunCost run_cost(const Scenario& scenario, const StepTimer& timer, bool use_given);

}  // namespace trainsim
