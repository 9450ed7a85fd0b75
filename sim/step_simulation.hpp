#pragma once
// One training step simulated by a backend on the lowered workload, summarised in the same
// shape as the closed-form estimate (so run costs and reports take either), plus what only a
// simulation can tell: per-GPU busy fractions, the most loaded links and the timeline.
#include <string>
#include <vector>

#include "sim/lowering.hpp"
#include "sim/timeline.hpp"

namespace trainsim {

enum class EngineKind { analytic, simgrid };
std::string_view to_string(EngineKind e);

struct LinkUse {
  std::string name;
  Bytes bytes;
  double utilization = 0.0;  // busy fraction of the step at the link's achieved bandwidth
};

struct StepSimulation {
  explicit StepSimulation(LoweredStep step) : lowered(std::move(step)) {}

  LoweredStep lowered;
  EngineKind engine = EngineKind::simgrid;
  Fidelity fidelity = Fidelity::reduced;
  StepEstimate estimate;  // step time and breakdown from the simulation; memory from the model
  PhaseBreakdown phases;  // pipeline rank 0, in ISCA'25 Table 4's categories
  std::vector<double> busy_fraction;  // per simulated rank: compute time / step time
  std::vector<LinkUse> busiest_links;  // the ten most utilised
  std::size_t simulated_ranks = 0;
  std::size_t ops = 0;
  std::size_t flows = 0;
  double wall_seconds = 0.0;  // host time of the backend (not part of any result)
  Timeline timeline;
};

// Simulates one step. SimGrid runs in a child process (its engine runs once per process).
// Throws SimulationError when the simulation cannot complete.
StepSimulation simulate_step(const StepProblem& problem, EngineKind engine);

}  // namespace trainsim
