#pragma once
// A StepTimer for whole-run costs that simulates each distinct (plan, shape) step once. Ramp
// batches of an already simulated plan and sequence reuse that simulation: the closed form at
// the ramp batch, scaled by the simulated / closed-form ratio at the full batch, so a ramp
// costs one simulation rather than one per ramp segment.
#include <memory>
#include <vector>

#include "cost/run_cost.hpp"
#include "models/scenario.hpp"
#include "sim/step_simulation.hpp"

namespace trainsim {

class SimulatedTimer {
 public:
  SimulatedTimer(const Scenario& scenario, EngineKind engine, Fidelity fidelity);
  SimulatedTimer(const SimulatedTimer&) = delete;
  SimulatedTimer& operator=(const SimulatedTimer&) = delete;

  [[nodiscard]] StepTimer timer();
  // Every simulation run so far, in order (the first is the headline step).
  [[nodiscard]] const std::vector<std::unique_ptr<StepSimulation>>& simulations() const { return simulations_; }

 private:
  StepEstimate time(const ParallelPlan& plan, const StepShape& shape);

  const Scenario& scenario_;
  EngineKind engine_;
  Fidelity fidelity_;
  KernelTimeModel kernels_;
  struct Entry {
    ParallelPlan plan;
    StepShape shape;
    std::size_t simulation;  // index into simulations_
    double ratio;            // simulated / closed-form step time
  };
  std::vector<Entry> done_;
  std::vector<std::unique_ptr<StepSimulation>> simulations_;
};

}  // namespace trainsim
