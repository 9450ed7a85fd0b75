#pragma once
// GPU-hours, days, dollars, energy and emissions of a whole run: every phase either estimated
// at its own shape (with its batch ramp integrated segment by segment, and, when the scenario
// models failures, stretched by its goodput) or taken from figures the scenario gives.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cost/economics.hpp"
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
  double ideal_gpu_hours = 0.0;  // without failures, checkpoints and restarts
  double gpu_hours = 0.0;        // with them (equal when the scenario models no failures)
  double days = 0.0;
  double cost_usd = 0.0;         // at the scenario's rental price, else its ownership cost
  double ownership_usd = 0.0;    // when the scenario gives ownership
  double energy_kwh = 0.0;       // at the wall: server power x PUE
  double emissions_kg = 0.0;
  PhaseFigures published;
  std::vector<std::string> warnings;
};

struct RunCost {
  std::vector<PhaseCost> phases;
  double ideal_gpu_hours = 0.0;
  double gpu_hours = 0.0;
  double days = 0.0;
  double cost_usd = 0.0;
  double ownership_usd = 0.0;
  double energy_kwh = 0.0;
  double emissions_kg = 0.0;
  std::optional<Goodput> goodput;  // of the first estimated phase's plan, when failures are modelled
};

// Prices one step of a plan at a shape (the closed-form estimate or a simulation).
using StepTimer = std::function<StepEstimate(const ParallelPlan&, const StepShape&)>;

// Segments the batch ramp is integrated over (the ramp is linear in tokens).
inline constexpr int kRampSegments = 8;

// `use_given`: phases with given figures use them; otherwise they are estimated whenever they
// have a shape, and given figures apply only to phases without one.
RunCost run_cost(const Scenario& scenario, const StepTimer& timer, bool use_given);

}  // namespace trainsim
