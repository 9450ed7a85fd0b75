#include "cost/simulated_timer.hpp"

#include "cost/run_estimate.hpp"

namespace trainsim {

SimulatedTimer::SimulatedTimer(const Scenario& scenario, EngineKind engine, Fidelity fidelity, ProgressFn progress,
                               std::optional<Bytes> memory_limit)
    : scenario_(scenario),
      engine_(engine),
      fidelity_(fidelity),
      progress_(std::move(progress)),
      memory_limit_(memory_limit),
      kernels_(kernel_model(scenario.cluster)) {}

StepTimer SimulatedTimer::timer() {
  return [this](const ParallelPlan& plan, const StepShape& shape) { return time(plan, shape); };
}

StepEstimate SimulatedTimer::time(const ParallelPlan& plan, const StepShape& shape) {
  for (const auto& e : done_) {
    if (!(e.plan == plan) || e.shape.sequence_length != shape.sequence_length) continue;
    if (!dry_run_ && e.shape.global_batch_size == shape.global_batch_size) return simulations_[e.simulation]->estimate;
    auto estimate = estimate_step(scenario_.model, scenario_.cluster, plan, kernels_, shape);
    estimate.step_time = estimate.step_time * e.ratio;
    estimate.breakdown = scaled(estimate.breakdown, e.ratio);
    return estimate;
  }
  const StepProgram program(scenario_.model, scenario_.cluster, plan, kernels_, shape);
  if (dry_run_) {
    sizes_.push_back({plan, shape, estimate_simulation_size(program, {.fidelity = fidelity_})});
    done_.push_back({plan, shape, sizes_.size() - 1, 1.0});
    return estimate_step(program);
  }
  simulations_.push_back(std::make_unique<StepSimulation>(
      simulate_step(program, engine_, {.fidelity = fidelity_, .memory_limit = memory_limit_, .progress = progress_})));
  const auto closed = estimate_step(program);
  done_.push_back({plan, shape, simulations_.size() - 1, simulations_.back()->estimate.step_time / closed.step_time});
  return simulations_.back()->estimate;
}

RunEstimate estimate_run_with(const Scenario& scenario, std::optional<EngineKind> engine, Bytes memory_limit) {
  if (!engine) return estimate_run(scenario, closed_form_timer(scenario), false, "closed-form");
  SimulatedTimer simulated(scenario, *engine, Fidelity::reduced, {}, memory_limit);
  return estimate_run(scenario, simulated.timer(), false, std::string(to_string(*engine)));
}

}  // namespace trainsim
