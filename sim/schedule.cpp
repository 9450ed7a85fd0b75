#include "sim/schedule.hpp"

#include <deque>
#include <stdexcept>

#include "models/pipeline_layout.hpp"

namespace trainsim {

std::int32_t chunk_holder(const ParallelPlan& plan, std::int32_t chunk, std::int32_t direction) {
  const auto pp = static_cast<std::int32_t>(plan.pipeline);
  switch (plan.schedule) {
    case Schedule::interleaved_1f1b: return chunk % pp;
    case Schedule::dualpipe: return direction == 0 ? chunk : pp - 1 - chunk;
    case Schedule::dualpipe_v: return chunk < pp ? chunk : 2 * pp - 1 - chunk;
    default: return chunk;
  }
}

std::int32_t pipeline_depth(const ParallelPlan& plan) { return static_cast<std::int32_t>(chunk_count(plan)); }

namespace {

ScheduleItem forward(ChunkRef f) { return {ItemKind::forward, f, {}, false}; }
ScheduleItem backward(ChunkRef b, bool defer) { return {ItemKind::backward, {}, b, defer}; }
ScheduleItem weight(ChunkRef b) { return {ItemKind::weight, {}, b, false}; }
ScheduleItem pair(ChunkRef f, ChunkRef b) { return {ItemKind::forward_backward, f, b, false}; }

// 1F1B; with `zero_bubble`, ZB-H1 (Qi et al., "Zero Bubble Pipeline Parallelism", 2023): each
// backward sends its input gradient before its weight gradient runs, and rank r keeps r weight
// gradients pending (rank r has pp - r - 1 warm-up activations, so each rank's peak stays at
// 1F1B's). Gradients then travel back faster while pending weight gradients fill the idle
// time: (PP - 1)(F + B - 2W) instead of (PP - 1)(F + B).
std::vector<ScheduleItem> one_f_one_b(std::int32_t rank, std::int32_t pp, std::int32_t n, bool zero_bubble) {
  std::vector<ScheduleItem> items;
  const std::int32_t warmup = std::min(pp - rank - 1, n);
  std::deque<ChunkRef> pending;
  const auto after_backward = [&](std::int32_t b) {
    if (!zero_bubble) return;
    pending.push_back({rank, b, 0});
    if (static_cast<std::int32_t>(pending.size()) > rank) {
      items.push_back(weight(pending.front()));
      pending.pop_front();
    }
  };
  std::int32_t f = 0;
  std::int32_t b = 0;
  for (; f < warmup; ++f) items.push_back(forward({rank, f, 0}));
  for (; f < n; ++f, ++b) {
    items.push_back(forward({rank, f, 0}));
    items.push_back(backward({rank, b, 0}, zero_bubble));
    after_backward(b);
  }
  for (; b < n; ++b) {
    items.push_back(backward({rank, b, 0}, zero_bubble));
    after_backward(b);
  }
  for (const auto& r : pending) items.push_back(weight(r));
  return items;
}

std::vector<ScheduleItem> gpipe(std::int32_t rank, std::int32_t n) {
  std::vector<ScheduleItem> items;
  for (std::int32_t m = 0; m < n; ++m) items.push_back(forward({rank, m, 0}));
  for (std::int32_t m = n - 1; m >= 0; --m) items.push_back(backward({rank, m, 0}, false));
  return items;
}

// Megatron-LM's interleaved 1F1B: virtual micro-batch k runs on local chunk (k / pp) % v
// (reversed for backward), micro-batch (k / (pp v)) pp + k % pp.
std::vector<ScheduleItem> interleaved(std::int32_t rank, std::int32_t pp, std::int32_t v, std::int32_t n) {
  const std::int32_t total = n * v;
  const auto ref = [&](std::int32_t k, bool is_forward) {
    const std::int32_t local = is_forward ? (k / pp) % v : v - 1 - (k / pp) % v;
    return ChunkRef{local * pp + rank, (k / (pp * v)) * pp + k % pp, 0};
  };
  std::vector<ScheduleItem> items;
  const std::int32_t warmup = std::min((pp - rank - 1) * 2 + (v - 1) * pp, total);
  std::int32_t f = 0;
  std::int32_t b = 0;
  for (; f < warmup; ++f) items.push_back(forward(ref(f, true)));
  for (; f < total; ++f, ++b) {
    items.push_back(forward(ref(f, true)));
    items.push_back(backward(ref(b, false), false));
  }
  for (; b < total; ++b) items.push_back(backward(ref(b, false), false));
  return items;
}

// DualPipe and DualPipeV share one eight-phase structure (deepseek-ai/DualPipe dualpipe.py and
// dualpipev.py, step()): `position` is the rank's place in its half (DualPipe) or in the
// pipeline (DualPipeV), `span` that half's or pipeline's length and `per_phase` the
// micro-batches each local phase processes. Local phase 0 is the rank's earlier model chunk.
struct DualRank {
  std::int32_t position, span, per_phase;
  ChunkRef phase_ref[2];  // chunk and direction of local phases 0 and 1; micro-batch filled in
};

std::vector<ScheduleItem> dual(DualRank d, bool refine_middle) {
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
    items.push_back(backward(r, zero_bubble));
    if (zero_bubble) deferred.push_back(r);
  };
  const auto add_weight = [&] {
    items.push_back(weight(deferred.front()));
    deferred.pop_front();
  };
  const std::int32_t p = d.position;
  const std::int32_t rest = d.span - p - 1;
  for (std::int32_t i = 0; i < rest * 2; ++i) items.push_back(forward(f(0)));          // 1: nF0
  for (std::int32_t i = 0; i <= p; ++i) {                                               // 2: nF0F1
    items.push_back(forward(f(0)));
    items.push_back(forward(f(1)));
  }
  for (std::int32_t i = 0; i < rest; ++i) {                                             // 3: nB1W1F1
    add_backward(1, true);
    add_weight();
    items.push_back(forward(f(1)));
  }
  const std::int32_t main_steps = d.per_phase - 2 * d.span + p + 1;                     // 4: nF0B1F1B0
  for (std::int32_t i = 0; i < main_steps; ++i) {
    if (i == 0 && p == d.span - 1 && refine_middle) {
      // The middle (DualPipe) or last (DualPipeV) rank does not overlap its first pair.
      items.push_back(forward(f(0)));
      add_backward(1, false);
    } else {
      const ChunkRef fr = f(0);
      items.push_back(pair(fr, b(1)));
    }
    const ChunkRef fr = f(1);
    items.push_back(pair(fr, b(0)));
  }
  for (std::int32_t i = 0; i < rest; ++i) {                                             // 5: nB1F1B0
    add_backward(1, false);
    const ChunkRef fr = f(1);
    items.push_back(pair(fr, b(0)));
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

}  // namespace

std::vector<std::vector<ScheduleItem>> pipeline_schedule(const ParallelPlan& plan, std::int64_t micro_batches,
                                                         const ScheduleOptions& options) {
  const auto pp = static_cast<std::int32_t>(plan.pipeline);
  const auto n = static_cast<std::int32_t>(micro_batches);
  std::vector<std::vector<ScheduleItem>> ranks(static_cast<std::size_t>(pp));
  for (std::int32_t r = 0; r < pp; ++r) {
    auto& items = ranks[static_cast<std::size_t>(r)];
    switch (plan.schedule) {
      case Schedule::gpipe: items = gpipe(r, n); break;
      case Schedule::one_f_one_b: items = one_f_one_b(r, pp, n, false); break;
      case Schedule::zb_h1: items = one_f_one_b(r, pp, n, true); break;
      case Schedule::interleaved_1f1b: items = interleaved(r, pp, static_cast<std::int32_t>(plan.virtual_stages), n); break;
      case Schedule::dualpipe: {
        const bool second_half = r >= pp / 2;
        const std::int32_t position = std::min(r, pp - 1 - r);
        // Local phase 0 is the copy in which this rank sits early in the pipeline.
        const ChunkRef early{second_half ? pp - 1 - r : r, 0, second_half ? 1 : 0};
        const ChunkRef late{second_half ? r : pp - 1 - r, 0, second_half ? 0 : 1};
        items = dual({position, pp / 2, n / 2, {early, late}}, options.refine_middle_pair);
        break;
      }
      case Schedule::dualpipe_v:
        items = dual({r, pp, n, {ChunkRef{r, 0, 0}, ChunkRef{2 * pp - 1 - r, 0, 0}}}, options.refine_middle_pair);
        break;
    }
  }
  return ranks;
}

}  // namespace trainsim
