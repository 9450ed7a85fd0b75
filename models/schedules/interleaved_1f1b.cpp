// Megatron-LM's interleaved 1F1B (Narayanan et al., SC'21 sec.2.2): each pipeline rank holds v
// model chunks, r, r + pp, ..., so a micro-batch passes the pipeline v times; warm-up and
// steady state work in groups of pp micro-batches per chunk, which shrinks the bubble by v.
#include <algorithm>

#include "models/schedules/families.hpp"

namespace trainsim {
namespace {

class Interleaved1F1B final : public ScheduleTraits {
 public:
  [[nodiscard]] Schedule id() const override { return Schedule::interleaved_1f1b; }
  [[nodiscard]] std::string_view name() const override { return "interleaved_1f1b"; }
  [[nodiscard]] bool uses_virtual_stages() const override { return true; }

  [[nodiscard]] std::int64_t chunk_count(const ParallelPlan& plan) const override {
    return plan.pipeline * plan.virtual_stages;
  }
  [[nodiscard]] std::vector<int> chunks_of_rank(const ParallelPlan& plan, int rank) const override {
    std::vector<int> mine;
    for (std::int64_t v = 0; v < plan.virtual_stages; ++v) mine.push_back(static_cast<int>(rank + v * plan.pipeline));
    return mine;
  }
  [[nodiscard]] int chunk_holder(const ParallelPlan& plan, int chunk, int /*direction*/) const override {
    return chunk % static_cast<int>(plan.pipeline);
  }

  // (PP - 1)(F + B) / v, F and B of a whole rank's chunks (Narayanan et al., SC'21).
  [[nodiscard]] Seconds bubble(const ParallelPlan& plan, const ChunkTimes& t) const override {
    return max(Seconds(0), (t.forward + t.backward) * (static_cast<double>(plan.pipeline - 1) /
                                                       static_cast<double>(plan.virtual_stages)));
  }

  // Megatron's warm-up forwards plus the first steady one, issued in groups of pp
  // micro-batches per virtual chunk in turn.
  [[nodiscard]] std::vector<double> in_flight(const ParallelPlan& plan, const std::vector<int>& chunks, int rank,
                                              std::int64_t n) const override {
    const std::int64_t v = plan.virtual_stages;
    std::int64_t left = std::min(2 * (plan.pipeline - rank - 1) + (v - 1) * plan.pipeline + 1, n * v);
    std::vector<double> held(chunks.size(), 0.0);
    for (std::size_t k = 0; left > 0; k = (k + 1) % held.size()) {
      const std::int64_t group = std::min(left, plan.pipeline);
      held[k] += static_cast<double>(group);
      left -= group;
    }
    return held;
  }

  void check_plan(const ParallelPlan& plan, PlanIssues& issues) const override {
    if (plan.virtual_stages < 2) {
      issues.push_back({InfeasibleReason::schedule_shape, "virtual_stages", "interleaved_1f1b needs virtual_stages >= 2", ""});
    }
  }
  void check_micro_batches(const ParallelPlan& plan, std::int64_t n, PlanIssues& issues) const override {
    if (n % plan.pipeline != 0) {
      issues.push_back({InfeasibleReason::schedule_micro_batches, "",
                        std::to_string(n) + " micro-batches per pipeline: interleaved 1F1B needs a multiple of pipeline_parallel",
                        ""});
    }
  }

  // Virtual micro-batch k runs on local chunk (k / pp) % v (reversed for backward), micro-batch
  // (k / (pp v)) pp + k % pp (Megatron-LM's forward_backward_pipelining_with_interleaving).
  [[nodiscard]] std::vector<ScheduleItem> order(const ParallelPlan& plan, int rank, std::int64_t micro_batches,
                                                const ScheduleOptions& /*options*/) const override {
    const auto pp = static_cast<std::int32_t>(plan.pipeline);
    const auto v = static_cast<std::int32_t>(plan.virtual_stages);
    const std::int32_t total = static_cast<std::int32_t>(micro_batches) * v;
    const auto ref = [&](std::int32_t k, bool is_forward) {
      const std::int32_t local = is_forward ? (k / pp) % v : v - 1 - (k / pp) % v;
      return ChunkRef{local * pp + rank, (k / (pp * v)) * pp + k % pp, 0};
    };
    std::vector<ScheduleItem> items;
    const std::int32_t warmup = std::min((pp - rank - 1) * 2 + (v - 1) * pp, total);
    std::int32_t f = 0;
    std::int32_t b = 0;
    for (; f < warmup; ++f) items.push_back(forward_item(ref(f, true)));
    for (; f < total; ++f, ++b) {
      items.push_back(forward_item(ref(f, true)));
      items.push_back(backward_item(ref(b, false), false));
    }
    for (; b < total; ++b) items.push_back(backward_item(ref(b, false), false));
    return items;
  }
};

}  // namespace

const ScheduleTraits& interleaved_1f1b_traits() {
  static const Interleaved1F1B traits;
  return traits;
}

}  // namespace trainsim
