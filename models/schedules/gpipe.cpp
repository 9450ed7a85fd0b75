// GPipe (Huang et al., arXiv:1811.06965): every micro-batch's forward, then every backward in
// reverse; each rank holds all n micro-batches' activations at its peak.
#include "models/schedules/families.hpp"

namespace trainsim {
namespace {

class GPipe final : public ScheduleTraits {
 public:
  [[nodiscard]] Schedule id() const override { return Schedule::gpipe; }
  [[nodiscard]] std::string_view name() const override { return "gpipe"; }
  // (PP - 1)(F + B): fill before the first backward, drain after the last (DeepSeek-V3 Table 2
  // gives 1F1B's, which GPipe shares).
  [[nodiscard]] Seconds bubble(const ParallelPlan& plan, const ChunkTimes& t) const override {
    return max(Seconds(0), (t.forward + t.backward) * static_cast<double>(plan.pipeline - 1));
  }
  [[nodiscard]] std::vector<double> in_flight(const ParallelPlan& /*plan*/, const std::vector<int>& chunks, int /*rank*/,
                                              std::int64_t n) const override {
    return std::vector<double>(chunks.size(), static_cast<double>(n));
  }
  [[nodiscard]] std::vector<ScheduleItem> order(const ParallelPlan& /*plan*/, int rank, std::int64_t n,
                                                const ScheduleOptions& /*options*/) const override {
    std::vector<ScheduleItem> items;
    const auto count = static_cast<std::int32_t>(n);
    for (std::int32_t m = 0; m < count; ++m) items.push_back(forward_item({rank, m, 0}));
    for (std::int32_t m = count - 1; m >= 0; --m) items.push_back(backward_item({rank, m, 0}, false));
    return items;
  }
};

}  // namespace

const ScheduleTraits& gpipe_traits() {
  static const GPipe traits;
  return traits;
}

}  // namespace trainsim
