#include "planner/plan_search.hpp"

#include <algorithm>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "cost/economics.hpp"
#include "planner/plan_evaluator.hpp"
#include "sim/child_process.hpp"

namespace trainsim {

namespace {

struct Scored {
  ParallelPlan plan;
  std::int64_t gpu_count;
  double step_s;
  double headroom_bytes;
};

// Faster first; at equal speed more memory headroom; then enumeration order (stable sort).
bool before(const Scored& a, const Scored& b) {
  if (a.step_s != b.step_s) return a.step_s < b.step_s;
  return a.headroom_bytes > b.headroom_bytes;
}

const PhaseSegment& headline_segment(const Scenario& s, std::string& phase, double& tokens) {
  for (const auto& p : s.phases) {
    if (!p.has_shape()) continue;
    phase = p.name;
    tokens = 0.0;
    for (const auto& seg : p.segments) tokens += seg.total_tokens();
    return p.segments.front();
  }
  Diagnostics diag(s.file);
  diag.error("/training/phases", "no phase with a sequence length and batch for the planner to plan");
  diag.throw_if_any();
  throw std::logic_error("unreachable");
}

PlanPrice price_of(Seconds step, double tokens_per_step, double phase_tokens, std::int64_t gpus, double usd_per_gpu_hour) {
  PlanPrice p;
  const double seconds = step.si() * phase_tokens / tokens_per_step;
  p.days = seconds / 86400.0;
  p.gpu_hours = seconds / 3600.0 * static_cast<double>(gpus);
  p.cost_usd = p.gpu_hours * usd_per_gpu_hour;
  return p;
}

std::string serialize(const StepBreakdown& b) {
  return fmt::format("{:.17g} {:.17g} {:.17g} {:.17g} {:.17g} {:.17g} {:.17g} {:.17g} {:.17g}", b.total.si(), b.compute.si(),
                     b.exposed_communication.si(), b.pipeline_bubble.si(), b.optimizer.si(), b.warmup_forward.si(),
                     b.steady.si(), b.cooldown_backward.si(), b.weight_gradient.si());
}

StepBreakdown deserialize(const std::string& text) {
  std::istringstream in(text);
  std::array<double, 9> v{};
  for (auto& x : v) in >> x;
  StepBreakdown b;
  b.total = Seconds(v[0]);
  b.compute = Seconds(v[1]);
  b.exposed_communication = Seconds(v[2]);
  b.pipeline_bubble = Seconds(v[3]);
  b.optimizer = Seconds(v[4]);
  b.warmup_forward = Seconds(v[5]);
  b.steady = Seconds(v[6]);
  b.cooldown_backward = Seconds(v[7]);
  b.weight_gradient = Seconds(v[8]);
  return b;
}

}  // namespace

void mark_pareto_front(std::vector<RankedPlan>& plans) {
  for (auto& a : plans) {
    a.pareto = std::none_of(plans.begin(), plans.end(), [&](const RankedPlan& b) {
      const bool no_worse = b.step_time() <= a.step_time() && b.price.cost_usd <= a.price.cost_usd && b.headroom >= a.headroom;
      const bool better = b.step_time() < a.step_time() || b.price.cost_usd < a.price.cost_usd || b.headroom > a.headroom;
      return &a != &b && no_worse && better;
    });
  }
}

PlanSearchResult search_plans(const Scenario& s, const PlanSpace& space, const PlanSearchOptions& options) {
  PlanSearchResult result;
  result.engine = options.engine;
  const auto& segment = headline_segment(s, result.phase, result.phase_tokens);
  result.shape = {segment.sequence_length, segment.global_batch_size};
  PlanEvaluator evaluator(s, result.shape, space.min_headroom);

  std::vector<Scored> feasible;
  std::map<InfeasibleReason, InfeasibleCount> reasons;
  const std::int64_t total = plan_count(space);
  for_each_plan(space, segment.plan, [&](const ParallelPlan& plan, std::int64_t gpus) {
    ++result.candidates;
    if (options.progress && (result.candidates % 4096 == 0 || result.candidates == total)) options.progress(result.candidates, total);
    const auto outcome = evaluator.evaluate(plan, gpus);
    if (!outcome.feasible) {
      const auto reason = outcome.issue.reason;
      ++reasons.try_emplace(reason, InfeasibleCount{reason, 0, outcome.issue.detail}).first->second.plans;
      return;
    }
    const double headroom = evaluator.cluster(gpus).gpu.memory_capacity.as_double() - outcome.estimate.memory.total().as_double();
    feasible.push_back({plan, gpus, outcome.estimate.step_time.si(), headroom});
  });
  result.feasible = static_cast<std::int64_t>(feasible.size());
  for (const auto& [reason, count] : reasons) result.infeasible.push_back(count);
  std::stable_sort(result.infeasible.begin(), result.infeasible.end(),
                   [](const InfeasibleCount& a, const InfeasibleCount& b) { return a.plans > b.plans; });
  std::stable_sort(feasible.begin(), feasible.end(), before);

  // The scenario's own plan: its rank among the feasible (as listed when the space holds it),
  // or why it is not feasible.
  const auto baseline = evaluator.evaluate(segment.plan, s.cluster.gpu_count);
  const auto rank_of = [&](const ParallelPlan& plan, std::int64_t gpus, double step_s) {
    const auto it = std::find_if(feasible.begin(), feasible.end(),
                                 [&](const Scored& x) { return x.gpu_count == gpus && x.plan == plan; });
    if (it != feasible.end()) return static_cast<std::int64_t>(it - feasible.begin()) + 1;
    return 1 + static_cast<std::int64_t>(std::count_if(feasible.begin(), feasible.end(), [&](const Scored& x) { return x.step_s < step_s; }));
  };
  if (baseline.feasible) {
    result.baseline_rank = rank_of(segment.plan, s.cluster.gpu_count, baseline.estimate.step_time.si());
  } else {
    result.baseline_reason = baseline.issue.detail;
  }

  const auto add = [&](const ParallelPlan& plan, std::int64_t gpus, bool is_baseline) {
    RankedPlan r;
    r.plan = plan;
    r.gpu_count = gpus;
    r.estimate = evaluator.evaluate(plan, gpus).estimate;
    r.rank = rank_of(plan, gpus, r.estimate.step_time.si());
    r.headroom = evaluator.cluster(gpus).gpu.memory_capacity - r.estimate.memory.total();
    r.baseline = is_baseline;
    result.shortlist.push_back(std::move(r));
  };
  for (std::size_t i = 0; i < feasible.size() && static_cast<int>(i) < space.top_k; ++i) {
    add(feasible[i].plan, feasible[i].gpu_count, feasible[i].plan == segment.plan && feasible[i].gpu_count == s.cluster.gpu_count);
  }
  const bool baseline_listed = std::any_of(result.shortlist.begin(), result.shortlist.end(), [](const RankedPlan& r) { return r.baseline; });
  if (baseline.feasible && !baseline_listed) add(segment.plan, s.cluster.gpu_count, true);

  // Simulate the shortlist, each plan in its own worker process (the clusters they read were
  // built by the evaluations above, before the workers fork).
  std::vector<std::function<std::string()>> jobs;
  for (const auto& r : result.shortlist) {
    jobs.emplace_back([&s, &r, &evaluator, &result, engine = options.engine] {
      const StepProgram program(s.model, evaluator.cluster(r.gpu_count), r.plan, evaluator.kernels(), result.shape);
      return serialize(simulate_step(program, engine).estimate.breakdown);
    });
  }
  const auto simulated = run_in_child_processes(jobs, options.jobs);
  for (std::size_t i = 0; i < result.shortlist.size(); ++i) {
    auto& r = result.shortlist[i];
    r.simulated = simulated[i].ok;
    if (r.simulated) {
      r.simulation = deserialize(simulated[i].text);
    } else {
      r.simulation_error = simulated[i].text;
    }
    r.price = price_of(r.step_time(), r.estimate.tokens_per_step(), result.phase_tokens, r.gpu_count,
                       usd_per_gpu_hour(s.prices));
  }
  std::stable_sort(result.shortlist.begin(), result.shortlist.end(), [](const RankedPlan& a, const RankedPlan& b) {
    if (a.simulated != b.simulated) return a.simulated;
    return a.step_time() < b.step_time();
  });
  mark_pareto_front(result.shortlist);
  return result;
}

}  // namespace trainsim
