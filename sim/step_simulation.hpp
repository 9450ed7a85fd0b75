#pragma once
// One training step simulated by a backend on the lowered step program, summarised in the same
// shape as the closed-form estimate (so run costs and reports take either), plus what only a
// simulation can tell: per-GPU busy fractions, the most loaded links and the timeline.
#include <string>
#include <vector>

#include "models/step_estimate.hpp"
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
  // The program's work, memory and feasibility, with the simulated step time and the
  // breakdown of the pace-setting rank (the simulated rank with the most compute).
  StepEstimate estimate;
  PhaseBreakdown phases;  // that rank, in ISCA'25 Table 4's categories
  std::vector<double> busy_fraction;   // per simulated rank: compute time / step time
  std::vector<LinkUse> busiest_links;  // the ten most utilised
  std::size_t simulated_ranks = 0;
  std::size_t ops = 0;
  std::size_t flows = 0;
  double wall_seconds = 0.0;  // host time of the backend (not part of any result)
  Timeline timeline;
};

// Simulates one step of `program`. SimGrid runs in a child process (its engine runs once per
// process). Throws SimulationError when the simulation cannot complete.
StepSimulation simulate_step(const StepProgram& program, EngineKind engine, const SimulationOptions& options = {});

}  // namespace trainsim
