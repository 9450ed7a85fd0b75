// 1F1B (PipeDream-flush, Narayanan et al., SC'21) and ZB-H1 (Qi et al., "Zero Bubble Pipeline
// Parallelism", arXiv:2401.10241): rank r runs pp - r - 1 warm-up forwards, then alternates a
// forward and a backward, then drains its backwards. ZB-H1 sends each backward's input gradient
// before its weight gradient runs and keeps r weight gradients pending (rank r has pp - r - 1
// warm-up activations, so each rank's peak stays at 1F1B's): gradients travel back faster while
// the pending weight gradients fill the idle time.
#include <deque>

#include "models/schedules/families.hpp"

namespace trainsim {
namespace {

std::vector<ScheduleItem> one_f_one_b_order(std::int32_t rank, std::int32_t pp, std::int32_t n, bool zero_bubble) {
  std::vector<ScheduleItem> items;
  const std::int32_t warmup = std::min(pp - rank - 1, n);
  std::deque<ChunkRef> pending;
  const auto after_backward = [&](std::int32_t b) {
    if (!zero_bubble) return;
    pending.push_back({rank, b, 0});
    if (static_cast<std::int32_t>(pending.size()) > rank) {
      items.push_back(weight_item(pending.front()));
      pending.pop_front();
    }
  };
  std::int32_t f = 0;
  std::int32_t b = 0;
  for (; f < warmup; ++f) items.push_back(forward_item({rank, f, 0}));
  for (; f < n; ++f, ++b) {
    items.push_back(forward_item({rank, f, 0}));
    items.push_back(backward_item({rank, b, 0}, zero_bubble));
    after_backward(b);
  }
  for (; b < n; ++b) {
    items.push_back(backward_item({rank, b, 0}, zero_bubble));
    after_backward(b);
  }
  for (const auto& r : pending) items.push_back(weight_item(r));
  return items;
}

class OneFOneB final : public ScheduleTraits {
 public:
  [[nodiscard]] Schedule id() const override { return Schedule::one_f_one_b; }
  [[nodiscard]] std::string_view name() const override { return "1f1b"; }
  // (PP - 1)(F + B), DeepSeek-V3 Table 2.
  [[nodiscard]] Seconds bubble(const ParallelPlan& plan, const ChunkTimes& t) const override {
    return max(Seconds(0), (t.forward + t.backward) * static_cast<double>(plan.pipeline - 1));
  }
  [[nodiscard]] std::vector<ScheduleItem> order(const ParallelPlan& plan, int rank, std::int64_t n,
                                                const ScheduleOptions& /*options*/) const override {
    return one_f_one_b_order(rank, static_cast<std::int32_t>(plan.pipeline), static_cast<std::int32_t>(n), false);
  }
};

class ZeroBubbleH1 final : public ScheduleTraits {
 public:
  [[nodiscard]] Schedule id() const override { return Schedule::zb_h1; }
  [[nodiscard]] bool defers_weight_gradients() const override { return true; }
  [[nodiscard]] std::string_view name() const override { return "zb_h1"; }
  // (PP - 1)(F + B - 2W), DeepSeek-V3 Table 2 (ZB1P).
  [[nodiscard]] Seconds bubble(const ParallelPlan& plan, const ChunkTimes& t) const override {
    return max(Seconds(0), (t.forward + t.backward - t.weight * 2.0) * static_cast<double>(plan.pipeline - 1));
  }
  [[nodiscard]] std::vector<ScheduleItem> order(const ParallelPlan& plan, int rank, std::int64_t n,
                                                const ScheduleOptions& /*options*/) const override {
    return one_f_one_b_order(rank, static_cast<std::int32_t>(plan.pipeline), static_cast<std::int32_t>(n), true);
  }
};

}  // namespace

const ScheduleTraits& one_f_one_b_traits() {
  static const OneFOneB traits;
  return traits;
}

const ScheduleTraits& zb_h1_traits() {
  static const ZeroBubbleH1 traits;
  return traits;
}

}  // namespace trainsim
