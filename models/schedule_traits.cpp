#include "models/schedule_traits.hpp"

#include <algorithm>

#include "models/schedules/families.hpp"

namespace trainsim {

std::string_view to_string(ItemKind k) {
  switch (k) {
    case ItemKind::forward: return "forward";
    case ItemKind::backward: return "backward";
    case ItemKind::weight: return "weight";
    case ItemKind::forward_backward: return "forward_backward";
    case ItemKind::optimizer: return "optimizer";
  }
  return "?";
}

std::vector<int> ScheduleTraits::chunks_of_rank(const ParallelPlan& /*plan*/, int rank) const { return {rank}; }

int ScheduleTraits::chunk_holder(const ParallelPlan& /*plan*/, int chunk, int /*direction*/) const { return chunk; }

std::vector<double> ScheduleTraits::in_flight(const ParallelPlan& plan, const std::vector<int>& chunks, int /*rank*/,
                                              std::int64_t n) const {
  const auto depth = static_cast<double>(chunk_count(plan));
  const double passes = static_cast<double>(n) * chunk_share();
  std::vector<double> held;
  for (const int c : chunks) held.push_back(std::min(passes, depth - c));
  return held;
}

void ScheduleTraits::check_plan(const ParallelPlan& plan, PlanIssues& issues) const {
  if (!uses_virtual_stages() && plan.virtual_stages != 1) {
    issues.push_back({InfeasibleReason::schedule_shape, "virtual_stages", "virtual_stages > 1 needs schedule \"interleaved_1f1b\"", ""});
  }
}

void ScheduleTraits::check_micro_batches(const ParallelPlan& /*plan*/, std::int64_t /*n*/, PlanIssues& /*issues*/) const {}

const std::vector<const ScheduleTraits*>& all_schedules() {
  static const std::vector<const ScheduleTraits*> registry{
      &gpipe_traits(),    &one_f_one_b_traits(), &interleaved_1f1b_traits(),
      &zb_h1_traits(),    &dualpipe_traits(),    &dualpipe_v_traits(), &zb_v_traits(),
  };
  return registry;
}

const ScheduleTraits& schedule_traits(Schedule schedule) {
  for (const auto* traits : all_schedules()) {
    if (traits->id() == schedule) return *traits;
  }
  return one_f_one_b_traits();  // every enum value is registered; a test checks it
}

std::vector<std::vector<ScheduleItem>> pipeline_schedule(const ParallelPlan& plan, std::int64_t micro_batches,
                                                         const ScheduleOptions& options) {
  const auto& traits = schedule_traits(plan.schedule);
  std::vector<std::vector<ScheduleItem>> ranks;
  for (int r = 0; r < plan.pipeline; ++r) ranks.push_back(traits.order(plan, r, micro_batches, options));
  return ranks;
}

}  // namespace trainsim
