// ZB-V (Qi et al., "Zero Bubble Pipeline Parallelism", arXiv:2401.10241 sec.6): each rank holds two
// model chunks in a V, rank r chunks r and 2pp-1-r (the forward goes down the ranks on the first
// chunk and back up on the second, the loss on rank 0), and every backward is split into its
// input-gradient pass B and its weight-gradient pass W, which the order places to fill what would
// be idle. The order is the handcrafted one of pytorch/pytorch
// torch/distributed/pipelining/schedules.py ScheduleZBVZeroBubble (@1fd7abc, citing the paper's
// sec.6): warm-up forwards, a steady block F0 B0 W0 F1 B1 W1, and a cool-down of the deferred
// passes. With equal F, B and W passes no rank idles after its start; each rank holds 2pp chunk
// activations at its peak, 1F1B's pp micro-batches, on every rank alike.
#include <algorithm>

#include "models/schedules/families.hpp"

namespace trainsim {
namespace {

class ZeroBubbleV final : public VPlacement {
 public:
  [[nodiscard]] Schedule id() const override { return Schedule::zb_v; }
  [[nodiscard]] bool defers_weight_gradients() const override { return true; }
  [[nodiscard]] std::string_view name() const override { return "zb_v"; }

  // The paper's case, a chunk's F, B (input gradient) and W passes equal: no idle slot after
  // each rank's start, which lags the previous rank's by one forward pass, (PP - 1) F in all.
  // Other timings leave idle slots that only the replay of the order gives.
  [[nodiscard]] Seconds bubble(const ParallelPlan& plan, const ChunkTimes& t) const override {
    return t.forward * static_cast<double>(plan.pipeline - 1);
  }

  // At the steady state rank r holds 2pp - 1 - r micro-batches on its first chunk and r + 1 on
  // its second (a forward adds one, an input-gradient pass frees it), never more than n.
  [[nodiscard]] std::vector<double> in_flight(const ParallelPlan& plan, const std::vector<int>& chunks, int rank,
                                              std::int64_t n) const override {
    const double first = static_cast<double>(2 * plan.pipeline - 1 - rank);
    const double second = static_cast<double>(rank + 1);
    const double cap = static_cast<double>(n);
    std::vector<double> held;
    for (const int c : chunks) held.push_back(std::min(cap, c == rank ? first : second));
    return held;
  }

  [[nodiscard]] std::vector<ScheduleItem> order(const ParallelPlan& plan, int rank, std::int64_t micro_batches,
                                                const ScheduleOptions& /*options*/) const override {
    const auto p = static_cast<std::int32_t>(plan.pipeline);
    const std::int32_t r = rank;
    const auto m = static_cast<std::int32_t>(micro_batches);
    // The reference pads the step to 2pp - 1 micro-batches and drops the padding's passes.
    const std::int32_t n = std::max(2 * p - 1, m);
    const ChunkRef down{r, 0, 0};
    const ChunkRef up{2 * p - 1 - r, 0, 0};
    std::vector<ScheduleItem> items;
    const auto at = [](ChunkRef c, std::int32_t micro_batch) {
      c.micro_batch = micro_batch;
      return c;
    };
    const auto f = [&](ChunkRef c, std::int32_t mb) {
      if (mb < m) items.push_back(forward_item(at(c, mb)));
    };
    const auto b = [&](ChunkRef c, std::int32_t mb) {
      if (mb < m) items.push_back(backward_item(at(c, mb), true));
    };
    const auto w = [&](ChunkRef c, std::int32_t mb) {
      if (mb < m) items.push_back(weight_item(at(c, mb)));
    };
    std::int32_t f0 = 0, f1 = 0, b0 = 0, b1 = 0;
    for (std::int32_t i = 0; i < 2 * (p - r) - 1; ++i) f(down, f0++);
    for (std::int32_t i = 0; i < r; ++i) {
      f(up, f1++);
      f(down, f0++);
    }
    for (std::int32_t i = 0; i < p - r; ++i, ++f1, ++b1) {
      f(up, f1);
      b(up, b1);
      w(up, b1);
    }
    while (f1 < f0 || f0 < n) {
      if (f0 < n) f(down, f0++);
      b(down, b0);
      w(down, b0);
      ++b0;
      f(up, f1);
      b(up, b1);
      w(up, b1);
      ++f1;
      ++b1;
    }
    std::int32_t w0 = b0, w1 = b1;
    for (std::int32_t i = 0; i < r; ++i) {
      b(down, b0++);
      b(up, b1++);
    }
    for (std::int32_t i = 0; i < p - r; ++i) {
      b(down, b0++);
      w(down, w0++);
    }
    while (w1 < b1) w(up, w1++);
    while (w0 < b0) w(down, w0++);
    return items;
  }
};

}  // namespace

const ScheduleTraits& zb_v_traits() {
  static const ZeroBubbleV traits;
  return traits;
}

}  // namespace trainsim
