#include "planner/bottleneck.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "hardware/kernel_time_model.hpp"
#include "planner/plan_evaluator.hpp"
#include "planner/plan_space.hpp"

namespace trainsim {

namespace {

const PhaseSegment& first_shape(const Scenario& s) {
  for (const auto& p : s.phases) {
    if (p.has_shape()) return p.segments.front();
  }
  Diagnostics diag(s.file);
  diag.error("/training/phases", "no phase with a sequence length and batch to analyse");
  diag.throw_if_any();
  throw std::logic_error("unreachable");
}

Seconds step_on(const Scenario& s, const ClusterSpec& cluster, const PhaseSegment& seg) {
  return estimate_step(s.model, cluster, seg.plan, kernel_model(cluster), {seg.sequence_length, seg.global_batch_size})
      .step_time;
}

// The fastest closed-form step of the scenario's plan space on `scenario`'s cluster.
Seconds best_plan(const Scenario& scenario) {
  const auto space = plan_space(scenario);
  const auto& seg = first_shape(scenario);
  PlanEvaluator evaluator(scenario, {seg.sequence_length, seg.global_batch_size});
  double best = std::numeric_limits<double>::infinity();
  for_each_plan(space, seg.plan, [&](const ParallelPlan& p, std::int64_t gpus) {
    const auto outcome = evaluator.evaluate(p, gpus);
    if (outcome.feasible) best = std::min(best, outcome.estimate.step_time.si());
  });
  return Seconds(best);
}

}  // namespace

BottleneckAnalysis analyze_bottlenecks(const Scenario& s) {
  BottleneckAnalysis a;
  const auto& seg = first_shape(s);
  a.step = step_on(s, s.cluster, seg);
  const std::vector<std::pair<const char*, std::function<void(ClusterSpec&)>>> variants = {
      {"compute", [](ClusterSpec& c) { for (auto& [precision, peak] : c.gpu.dense_peak) peak = peak * 2.0; }},
      {"HBM bandwidth", [](ClusterSpec& c) { c.gpu.memory_bandwidth = c.gpu.memory_bandwidth * 2.0; }},
      {"NVLink",
       [](ClusterSpec& c) {
         c.gpu.scale_up.bandwidth_per_direction = c.gpu.scale_up.bandwidth_per_direction * 2.0;
         if (c.network.scale_up_bandwidth) c.network.scale_up_bandwidth = *c.network.scale_up_bandwidth * 2.0;
       }},
      {"fabric", [](ClusterSpec& c) { c.network.nic_bandwidth = c.network.nic_bandwidth * 2.0; }},
  };
  for (const auto& [name, change] : variants) {
    auto cluster = s.cluster;
    change(cluster);
    a.doubled.push_back({name, 1.0 - step_on(s, cluster, seg) / a.step});
  }
  a.best_plan_step = best_plan(s);
  auto roomier = s;
  roomier.cluster.gpu.memory_capacity = roomier.cluster.gpu.memory_capacity * 2;
  a.best_plan_step_with_double_memory = best_plan(roomier);
  a.doubled.push_back({"memory capacity", std::isfinite(a.best_plan_step.si())
                                              ? 1.0 - a.best_plan_step_with_double_memory / a.best_plan_step
                                              : 1.0});
  a.dominant = std::max_element(a.doubled.begin(), a.doubled.end(), [](const auto& x, const auto& y) {
                 return x.step_reduction < y.step_reduction;
               })->resource;
  return a;
}

}  // namespace trainsim
