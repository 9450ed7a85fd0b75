// DualPipe and DualPipeV (DeepSeek-V3 sec.3.2.1; deepseek-ai/DualPipe dualpipe.py and
// dualpipev.py). DualPipe feeds micro-batches from both ends of the pipeline into two model
// copies: rank r holds chunk r of one copy and chunk pp-1-r of the other. DualPipeV folds one
// copy into a V: the model is cut into 2 pp chunks and rank r holds chunks r and 2pp-1-r.
// Forward and backward chunks run as overlapped pairs; the weight gradients of the cool-down
// are held back to fill it (zero bubble).
#include <deque>

#include "models/schedules/families.hpp"

namespace trainsim {
namespace {

// DualPipe and DualPipeV share one eight-phase structure (dualpipe.py and dualpipev.py,
// step()): `position` is the rank's place in its half (DualPipe) or in the pipeline
// (DualPipeV), `span` that half's or pipeline's length and `per_phase` the micro-batches each
// local phase processes. Local phase 0 is the rank's earlier model chunk.
struct DualRank {
  std::int32_t position, span, per_phase;
  ChunkRef phase_ref[2];  // chunk and direction of local phases 0 and 1; micro-batch filled in
};

std::vector<ScheduleItem> dual_order(DualRank d, bool refine_middle) {
  std::vector<ScheduleItem> items;
  std::int32_t next_f[2] = {0, 0};
  std::int32_t next_b[2] = {0, 0};
  std::deque<ChunkRef> deferred;
  const auto f = [&](int phase) {
    ChunkRef r = d.phase_ref[phase];
    r.micro_batch = next_f[phase]++;
    return r;
  };
  const auto b = [&](int phase) {
    ChunkRef r = d.phase_ref[phase];
    r.micro_batch = next_b[phase]++;
    return r;
  };
  const auto add_backward = [&](int phase, bool zero_bubble) {
    const ChunkRef r = b(phase);
    items.push_back(backward_item(r, zero_bubble));
    if (zero_bubble) deferred.push_back(r);
  };
  const auto add_weight = [&] {
    items.push_back(weight_item(deferred.front()));
    deferred.pop_front();
  };
  const std::int32_t p = d.position;
  const std::int32_t rest = d.span - p - 1;
  for (std::int32_t i = 0; i < rest * 2; ++i) items.push_back(forward_item(f(0)));     // 1: nF0
  for (std::int32_t i = 0; i <= p; ++i) {                                               // 2: nF0F1
    items.push_back(forward_item(f(0)));
    items.push_back(forward_item(f(1)));
  }
  for (std::int32_t i = 0; i < rest; ++i) {                                             // 3: nB1W1F1
    add_backward(1, true);
    add_weight();
    items.push_back(forward_item(f(1)));
  }
  const std::int32_t main_steps = d.per_phase - 2 * d.span + p + 1;                     // 4: nF0B1F1B0
  for (std::int32_t i = 0; i < main_steps; ++i) {
    if (i == 0 && p == d.span - 1 && refine_middle) {
      // The middle (DualPipe) or last (DualPipeV) rank does not overlap its first pair.
      items.push_back(forward_item(f(0)));
      add_backward(1, false);
    } else {
      const ChunkRef fr = f(0);
      items.push_back(pair_item(fr, b(1)));
    }
    const ChunkRef fr = f(1);
    items.push_back(pair_item(fr, b(0)));
  }
  for (std::int32_t i = 0; i < rest; ++i) {                                             // 5: nB1F1B0
    add_backward(1, false);
    const ChunkRef fr = f(1);
    items.push_back(pair_item(fr, b(0)));
  }
  bool zero_bubble = false;                                                             // 6: nB1B0
  for (std::int32_t i = 0; i <= p; ++i) {
    if (i == (p + 1) / 2 && p % 2 == 1) zero_bubble = true;
    add_backward(1, zero_bubble);
    if (i == (p + 1) / 2 && p % 2 == 0) zero_bubble = true;
    add_backward(0, zero_bubble);
  }
  for (std::int32_t i = 0; i < rest; ++i) {                                             // 7: nWB0
    add_weight();
    add_backward(0, true);
  }
  while (!deferred.empty()) add_weight();                                               // 8: nW
  return items;
}

// What the two share: overlapped pairs, the micro-batch rule, Table 2's bubble shape, on the
// placement `Placement` gives.
template <class Placement>
class DualSchedule : public Placement {
 public:
  [[nodiscard]] bool overlapped_pairs() const override { return true; }
  void check_micro_batches(const ParallelPlan& plan, std::int64_t n, PlanIssues& issues) const override {
    if (n % 2 != 0 || n < 2 * plan.pipeline) {
      issues.push_back({InfeasibleReason::schedule_micro_batches, "",
                        std::to_string(n) + " micro-batches per pipeline: DualPipe needs an even number, at least 2 x pipeline_parallel = " +
                            std::to_string(2 * plan.pipeline),
                        "deepseek-ai/DualPipe dualpipe.py step(): num_chunks % 2 == 0 and num_chunks >= num_ranks * 2"});
    }
  }

 protected:
  // (stages - 1)(F&B + B - 3W) over the schedule's stages (DeepSeek-V3 Table 2).
  static Seconds dual_bubble(double stages, const ChunkTimes& t) {
    return max(Seconds(0), (t.overlapped_pair + t.backward - t.weight * 3.0) * (stages - 1.0));
  }
};

class DualPipe final : public DualSchedule<ScheduleTraits> {
 public:
  [[nodiscard]] Schedule id() const override { return Schedule::dualpipe; }
  [[nodiscard]] bool defers_weight_gradients() const override { return true; }
  [[nodiscard]] std::string_view name() const override { return "dualpipe"; }
  [[nodiscard]] std::vector<int> chunks_of_rank(const ParallelPlan& plan, int rank) const override {
    return {rank, static_cast<int>(plan.pipeline) - 1 - rank};
  }
  [[nodiscard]] int chunk_holder(const ParallelPlan& plan, int chunk, int direction) const override {
    return direction == 0 ? chunk : static_cast<int>(plan.pipeline) - 1 - chunk;
  }
  // Each copy carries half of the micro-batches.
  [[nodiscard]] double chunk_share() const override { return 0.5; }
  // (PP/2 - 1)(F&B + B - 3W): each half of the ranks is a pipeline of PP/2 for one copy.
  [[nodiscard]] Seconds bubble(const ParallelPlan& plan, const ChunkTimes& t) const override {
    return dual_bubble(static_cast<double>(plan.pipeline) / 2.0, t);
  }
  void check_plan(const ParallelPlan& plan, PlanIssues& issues) const override {
    ScheduleTraits::check_plan(plan, issues);
    if (plan.pipeline % 2 != 0) {
      issues.push_back({InfeasibleReason::schedule_shape, "pipeline_parallel", "DualPipe needs an even number of pipeline ranks", ""});
    }
  }
  [[nodiscard]] std::vector<ScheduleItem> order(const ParallelPlan& plan, int rank, std::int64_t n,
                                                const ScheduleOptions& options) const override {
    const auto pp = static_cast<std::int32_t>(plan.pipeline);
    const bool second_half = rank >= pp / 2;
    const std::int32_t position = std::min(rank, pp - 1 - rank);
    // Local phase 0 is the copy in which this rank sits early in the pipeline.
    const ChunkRef early{second_half ? pp - 1 - rank : rank, 0, second_half ? 1 : 0};
    const ChunkRef late{second_half ? rank : pp - 1 - rank, 0, second_half ? 0 : 1};
    return dual_order({position, pp / 2, static_cast<std::int32_t>(n / 2), {early, late}}, options.refine_middle_pair);
  }
};

class DualPipeV final : public DualSchedule<VPlacement> {
 public:
  [[nodiscard]] Schedule id() const override { return Schedule::dualpipe_v; }
  [[nodiscard]] bool defers_weight_gradients() const override { return true; }
  [[nodiscard]] std::string_view name() const override { return "dualpipe_v"; }
  // DualPipeV over PP ranks behaves as DualPipe over 2 PP: (PP - 1)(F&B + B - 3W).
  [[nodiscard]] Seconds bubble(const ParallelPlan& plan, const ChunkTimes& t) const override {
    return dual_bubble(static_cast<double>(plan.pipeline), t);
  }
  [[nodiscard]] std::vector<ScheduleItem> order(const ParallelPlan& plan, int rank, std::int64_t n,
                                                const ScheduleOptions& options) const override {
    const auto pp = static_cast<std::int32_t>(plan.pipeline);
    return dual_order({rank, pp, static_cast<std::int32_t>(n), {ChunkRef{rank, 0, 0}, ChunkRef{2 * pp - 1 - rank, 0, 0}}},
                      options.refine_middle_pair);
  }
};

}  // namespace

const ScheduleTraits& dualpipe_traits() {
  static const DualPipe traits;
  return traits;
}

const ScheduleTraits& dualpipe_v_traits() {
  static const DualPipeV traits;
  return traits;
}

}  // namespace trainsim
