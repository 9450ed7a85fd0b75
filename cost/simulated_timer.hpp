#pragma once
// A StepTimer for whole-run costs that simulates each distinct (plan, shape) step once. Ramp
// batches of an already simulated plan and sequence reuse that simulation: the closed form at
// the ramp batch, scaled by the simulated / closed-form ratio at the full batch, so a ramp
// costs one simulation rather than one per ramp segment.
#include <memory>
#include <vector>

#include "cost/run_cost.hpp"
#include "cost/run_estimate.hpp"
#include "models/scenario.hpp"
#include "sim/simulation_size.hpp"
#include "sim/step_simulation.hpp"

namespace trainsim {

class SimulatedTimer {
 public:
  // `progress` hears each SimGrid simulation's ops as they finish; a simulation estimated to
  // need more than `memory_limit` is refused (SimulationTooLarge) before it starts.
  SimulatedTimer(const Scenario& scenario, EngineKind engine, Fidelity fidelity, ProgressFn progress = {},
                 std::optional<Bytes> memory_limit = std::nullopt);
  SimulatedTimer(const SimulatedTimer&) = delete;
  SimulatedTimer& operator=(const SimulatedTimer&) = delete;

  [[nodiscard]] StepTimer timer();
  // Every simulation run so far, in order (the first is the headline step).
  [[nodiscard]] const std::vector<std::unique_ptr<StepSimulation>>& simulations() const { return simulations_; }
  // From now on, each step that would be simulated is only sized (sizes()); its time is the
  // closed form's.
  void dry_run() { dry_run_ = true; }
  struct SizedStep {
    ParallelPlan plan;
    StepShape shape;
    SimulationSize size;
  };
  [[nodiscard]] const std::vector<SizedStep>& sizes() const { return sizes_; }

 private:
  StepEstimate time(const ParallelPlan& plan, const StepShape& shape);

  const Scenario& scenario_;
  EngineKind engine_;
  Fidelity fidelity_;
  ProgressFn progress_;
  std::optional<Bytes> memory_limit_;
  bool dry_run_ = false;
  KernelTimeModel kernels_;
  struct Entry {
    ParallelPlan plan;
    StepShape shape;
    std::size_t simulation;  // index into simulations_ (sizes_ in a dry run)
    double ratio;            // simulated / closed-form step time
  };
  std::vector<Entry> done_;
  std::vector<std::unique_ptr<StepSimulation>> simulations_;
  std::vector<SizedStep> sizes_;
};

// The whole run estimated by the closed form (`engine` nullopt) or with every step simulated at
// reduced fidelity, each simulation refused (SimulationTooLarge) beyond `memory_limit`: what
// `compare` and `sweep` run per scenario.
RunEstimate estimate_run_with(const Scenario& scenario, std::optional<EngineKind> engine, Bytes memory_limit);

}  // namespace trainsim
