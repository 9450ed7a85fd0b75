#include "planner/bottleneck.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <queue>
#include <tuple>

#include <nlohmann/json.hpp>

#include "hardware/kernel_time_model.hpp"
#include "planner/plan_evaluator.hpp"
#include "planner/plan_space.hpp"
#include "sim/backend.hpp"
#include "sim/child_process.hpp"

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

struct BestSteps {
  Seconds at_capacity;          // the fastest plan that fits the GPU's memory (infinite: none)
  Seconds at_double_capacity;   // the same with twice the memory
};

// The fastest closed-form steps of the scenario's plan space, with the GPU's memory and with
// twice it, in one pass over the space, refining each plan's lower bound only when it could
// still win: every plan starts with its layout-free bound; the smallest bound is taken next:
// a plan not yet accounted is laid out and accounted on the roomier GPU (it fits the real one
// when it leaves the planner's min_headroom there) and goes back with its layout's bound; an
// accounted one is timed. Once the smallest bound reaches the best step that fits, nothing left
// beats either best. Exact as long as each bound never exceeds the step, which a test holds
// over every schedule.
BestSteps best_plans(const Scenario& scenario) {
  auto roomier = scenario;
  const Bytes capacity = scenario.cluster.gpu.memory_capacity;
  roomier.cluster.gpu.memory_capacity = capacity * 2;
  const auto space = plan_space(scenario);
  const auto& seg = first_shape(scenario);
  PlanEvaluator evaluator(roomier, {seg.sequence_length, seg.global_batch_size}, space.min_headroom);
  struct Plan {
    ParallelPlan plan;
    std::int64_t gpus;
    bool accounted = false;
    bool fits = false;  // in the real GPU's memory, once accounted
  };
  std::vector<Plan> plans;
  struct Bound {
    double seconds;
    std::size_t plan;  // ties in the order of the space, so that the walk is deterministic
    bool operator>(const Bound& other) const { return std::tie(seconds, plan) > std::tie(other.seconds, other.plan); }
  };
  std::priority_queue<Bound, std::vector<Bound>, std::greater<>> queue;
  for_each_plan(space, seg.plan, [&](const ParallelPlan& p, std::int64_t gpus) {
    const auto bound = evaluator.layout_free_bound(p, gpus);
    if (!bound) return;
    queue.push({bound->si(), plans.size()});
    plans.push_back({p, gpus});
  });
  constexpr double kNone = std::numeric_limits<double>::infinity();
  double best = kNone;  // fits the GPU
  double best_roomier = kNone;
  while (!queue.empty() && queue.top().seconds < best) {  // nothing later beats either best (best_roomier <= best)
    const auto next = queue.top();
    queue.pop();
    auto& c = plans[next.plan];
    if (!c.accounted) {
      (void)evaluator.evaluate_if(c.plan, c.gpus, [&](const StepEstimate& accounting, Seconds bound) {
        c.accounted = true;
        c.fits = accounting.memory.total() + space.min_headroom <= capacity;
        queue.push({std::max(next.seconds, bound.si()), next.plan});
        return false;
      });
      continue;  // infeasible even with twice the memory: dropped
    }
    if (next.seconds >= best_roomier && !c.fits) continue;
    const double step = evaluator.evaluate(c.plan, c.gpus).estimate.step_time.si();
    best_roomier = std::min(best_roomier, step);
    if (c.fits) best = std::min(best, step);
  }
  return {Seconds(best), Seconds(best_roomier)};
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
  const auto best = best_plans(s);
  a.best_plan_step = best.at_capacity;
  a.best_plan_step_with_double_memory = best.at_double_capacity;
  a.doubled.push_back({"memory capacity", std::isfinite(a.best_plan_step.si())
                                              ? 1.0 - a.best_plan_step_with_double_memory / a.best_plan_step
                                              : 1.0});
  a.dominant = std::max_element(a.doubled.begin(), a.doubled.end(), [](const auto& x, const auto& y) {
                 return x.step_reduction < y.step_reduction;
               })->resource;
  return a;
}

std::vector<BottleneckAnalysis> analyze_bottlenecks(const std::vector<const Scenario*>& scenarios, int jobs,
                                                    const ProgressFn& progress) {
  std::vector<std::function<std::string()>> work;
  for (const auto* s : scenarios) {
    (void)first_shape(*s);  // a scenario without a shape to analyse is bad input, before any worker starts
    work.emplace_back([s] {
      const auto a = analyze_bottlenecks(*s);
      nlohmann::json j = {{"step", a.step.si()}, {"dominant", a.dominant}, {"best", a.best_plan_step.si()},
                          {"best_roomier", a.best_plan_step_with_double_memory.si()}, {"doubled", nlohmann::json::array()}};
      for (const auto& d : a.doubled) j["doubled"].push_back({d.resource, d.step_reduction});
      return j.dump();
    });
  }
  const auto done = run_in_child_processes(work, std::max(1, jobs), progress);
  std::vector<BottleneckAnalysis> out;
  for (std::size_t i = 0; i < done.size(); ++i) {
    if (!done[i].ok) throw SimulationError(scenarios[i]->file + ": the bottleneck analysis failed: " + done[i].text);
    const auto j = nlohmann::json::parse(done[i].text);
    BottleneckAnalysis a;
    a.step = Seconds(j["step"].get<double>());
    a.dominant = j["dominant"].get<std::string>();
    // Infinite steps (no plan fits) travel as JSON null.
    const auto seconds = [](const nlohmann::json& v) {
      return Seconds(v.is_null() ? std::numeric_limits<double>::infinity() : v.get<double>());
    };
    a.best_plan_step = seconds(j["best"]);
    a.best_plan_step_with_double_memory = seconds(j["best_roomier"]);
    for (const auto& d : j["doubled"]) {
      a.doubled.push_back({d[0].get<std::string>(), d[1].is_null() ? std::numeric_limits<double>::quiet_NaN() : d[1].get<double>()});
    }
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace trainsim
