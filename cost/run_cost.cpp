#include "cost/run_cost.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "models/plan_rules.hpp"

namespace trainsim {
namespace {

void apply_given(const Scenario& s, const TrainingPhase& phase, PhaseCost& cost) {
  const auto& g = phase.given;
  const double gpus = static_cast<double>(s.cluster.gpu_count);
  cost.source = PhaseSource::given;
  cost.source_note = g.source;
  if (g.gpu_hours) {
    cost.gpu_hours = *g.gpu_hours;
  } else if (g.gpu_hours_per_trillion_tokens) {
    cost.gpu_hours = cost.tokens / 1e12 * *g.gpu_hours_per_trillion_tokens;
  } else if (g.tokens_per_day) {
    cost.gpu_hours = cost.tokens / *g.tokens_per_day * 24.0 * gpus;
  }
  cost.days = cost.gpu_hours / gpus / 24.0;
}

// Time of `tokens` tokens at global batch `batch`, with a warning when the plan does not
// accept that batch (the estimate is still made with it, and says so).
Seconds stretch_time(const Scenario& s, const PhaseSegment& seg, const StepTimer& timer, double tokens,
                     std::int64_t batch, PhaseCost& cost) {
  const auto issues = plan_shape_issues(s.model, seg.plan, seg.sequence_length, batch);
  if (!issues.empty()) {
    cost.warnings.push_back(
        fmt::format("batch {} during the ramp: {}; estimated with the same plan anyway", batch, issues.front().detail));
  }
  const auto step = timer(seg.plan, {seg.sequence_length, batch});
  cost.steps += tokens / (static_cast<double>(batch) * static_cast<double>(seg.sequence_length));
  return step.step_time * (tokens / (static_cast<double>(batch) * static_cast<double>(seg.sequence_length)));
}

// Time of one segment: its ramp integrated over kRampSegments pieces (linear in tokens, each
// piece at its midpoint batch rounded down to what the data-parallel width accepts), then the
// rest at the full batch.
Seconds segment_time(const Scenario& s, const PhaseSegment& seg, const StepTimer& timer, PhaseCost& cost) {
  auto steady = timer(seg.plan, {seg.sequence_length, seg.global_batch_size});
  Seconds time(0);
  double rest = seg.total_tokens();
  if (seg.ramp) {
    const std::int64_t quantum = seg.plan.data * seg.plan.micro_batch_size;
    const double b0 = static_cast<double>(seg.ramp->start_global_batch_size);
    const double b1 = static_cast<double>(seg.global_batch_size);
    for (int i = 0; i < kRampSegments; ++i) {
      const double mid = b0 + (b1 - b0) * (i + 0.5) / kRampSegments;
      const std::int64_t batch = std::max<std::int64_t>(quantum, static_cast<std::int64_t>(mid) / quantum * quantum);
      time += stretch_time(s, seg, timer, seg.ramp->tokens / kRampSegments, batch, cost);
    }
    rest -= seg.ramp->tokens;
  }
  const double steps = rest / (static_cast<double>(seg.global_batch_size) * static_cast<double>(seg.sequence_length));
  cost.steps += steps;
  time += steady.step_time * steps;
  cost.segments.push_back(std::move(steady));
  return time;
}

PhaseCost phase_cost(const Scenario& s, const TrainingPhase& phase, const StepTimer& timer, bool use_given,
                     std::optional<Goodput>& run_goodput) {
  PhaseCost cost;
  cost.name = phase.name;
  cost.published = phase.published;
  for (const auto& seg : phase.segments) cost.tokens += seg.total_tokens();
  if (!phase.given.empty() && (use_given || !phase.has_shape())) {
    apply_given(s, phase, cost);  // as the source counted it, failures and all
    cost.ideal_gpu_hours = cost.gpu_hours;
  } else {
    Seconds time(0);
    for (const auto& seg : phase.segments) time += segment_time(s, seg, timer, cost);
    double efficiency = 1.0;
    if (s.reliability && !phase.segments.empty()) {
      const auto g = goodput(*s.reliability, s.cluster.gpu_count, checkpoint_bytes(s.model, phase.segments.front().plan));
      if (!run_goodput) run_goodput = g;
      efficiency = g.efficiency;
      if (efficiency <= 0.0) {
        cost.warnings.push_back("failures come faster than checkpoints and restarts allow progress: the run never ends");
        efficiency = 1e-9;
      }
    }
    cost.ideal_gpu_hours = to_hours(time) * static_cast<double>(s.cluster.gpu_count);
    cost.days = to_days(time) / efficiency;
    cost.gpu_hours = cost.ideal_gpu_hours / efficiency;
  }
  cost.cost_usd = cost.gpu_hours * usd_per_gpu_hour(s.prices);
  if (s.prices.ownership) cost.ownership_usd = cost.gpu_hours * ownership_usd_per_gpu_hour(*s.prices.ownership, s.prices.energy);
  cost.energy_kwh = cost.gpu_hours * kwh_per_gpu_hour(s.prices.energy);
  cost.emissions_kg = cost.energy_kwh * s.prices.energy.kg_co2_per_kwh.value;
  return cost;
}

}  // namespace

RunCost run_cost(const Scenario& s, const StepTimer& timer, bool use_given) {
  RunCost run;
  for (const auto& phase : s.phases) {
    const auto& p = run.phases.emplace_back(phase_cost(s, phase, timer, use_given, run.goodput));
    run.ideal_gpu_hours += p.ideal_gpu_hours;
    run.gpu_hours += p.gpu_hours;
    run.days += p.days;
    run.cost_usd += p.cost_usd;
    run.ownership_usd += p.ownership_usd;
    run.energy_kwh += p.energy_kwh;
    run.emissions_kg += p.emissions_kg;
  }
  return run;
}

}  // namespace trainsim
