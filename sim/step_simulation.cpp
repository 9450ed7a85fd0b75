#include "sim/step_simulation.hpp"

#include <algorithm>

#include "sim/backend.hpp"
#include "sim/child_process.hpp"
#include "sim/simulation_size.hpp"

namespace trainsim {

std::string_view to_string(EngineKind e) { return e == EngineKind::analytic ? "analytic" : "simgrid"; }

StepSimulation simulate_step(const StepProgram& program, EngineKind engine, const SimulationOptions& options) {
  if (options.memory_limit) {
    const auto problem = simulation_refusal(estimate_simulation_size(program, options), *options.memory_limit,
                                            engine == EngineKind::simgrid);
    if (!problem.empty()) throw SimulationTooLarge(problem);
  }
  StepSimulation s(lower_step(program, options));
  s.engine = engine;
  s.fidelity = options.fidelity;
  const auto problem = check_workload(s.lowered.workload);
  if (!problem.empty()) throw SimulationError("inconsistent workload: " + problem);
  if (engine == EngineKind::analytic) {
    s.timeline = make_analytic_backend()->run(s.lowered.workload, s.lowered.topology);
  } else {
    const auto& lowered = s.lowered;
    s.timeline = deserialize_timeline(run_in_child_process([&lowered, &options] {
      return serialize_timeline(make_simgrid_backend(options.progress)->run(lowered.workload, lowered.topology));
    }));
  }
  const auto& w = s.lowered.workload;
  s.simulated_ranks = w.ranks.size();
  s.ops = w.op_count();
  s.flows = w.flow_count();
  s.wall_seconds = s.timeline.wall_seconds;

  s.estimate = step_accounting(program);
  const Seconds step = s.timeline.makespan;
  s.phases = phase_breakdown(w, s.timeline, pace_setting_rank(w));
  auto& e = s.estimate;
  e.step_time = step;
  auto& b = e.breakdown;
  b.warmup_forward = s.phases.forward;
  b.cooldown_backward = s.phases.backward;
  b.weight_gradient = s.phases.weight;
  b.steady = s.phases.overlapped;
  b.optimizer = s.phases.optimizer;
  b.pipeline_bubble = s.phases.bubble;
  b.compute = s.phases.busy_compute;
  b.exposed_communication = step - b.compute - b.pipeline_bubble - b.optimizer;
  b.total = step;

  for (std::size_t r = 0; r < w.ranks.size(); ++r) s.busy_fraction.push_back(phase_breakdown(w, s.timeline, r).busy_compute / step);
  const auto& links = s.lowered.topology.links();
  for (const auto& load : s.timeline.links) {
    const auto& l = links[static_cast<std::size_t>(load.link)];
    const double capacity = l.bandwidth.si() * w.capacity_scale(load.link);
    // A reduced run's link carries each mirrored flow once per copy: scale back to real bytes.
    const double copies = 1.0 / w.capacity_scale(load.link);
    s.busiest_links.push_back({l.name, Bytes::rounded(load.bytes.as_double() * copies), load.bytes.as_double() / capacity / step.si()});
  }
  std::stable_sort(s.busiest_links.begin(), s.busiest_links.end(),
                   [](const LinkUse& x, const LinkUse& y) { return x.utilization > y.utilization; });
  if (s.busiest_links.size() > 10) s.busiest_links.resize(10);
  return s;
}

}  // namespace trainsim
