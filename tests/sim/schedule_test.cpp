// Schedules against their published bubble formulas on uniform chunks (DeepSeek-V3 Table 2),
// DualPipe's operation counts (../shared/reference/deepseek-v3.md sec.9.5), and the memory
// model's in-flight activations against what the generated orders keep.
#include <gtest/gtest.h>

#include <map>
#include <tuple>

#include "models/memory_model.hpp"
#include "sim/backend.hpp"
#include "models/schedule_traits.hpp"

namespace trainsim {
namespace {

struct Uniform {
  double forward = 1.0, backward_input = 1.5, weight = 0.5;  // B = 2, W = 0.5
};

// A test-only lowering: every chunk's forward, backward-input and weight work is one compute
// op of fixed length; pipeline transfers are empty messages on a zero-latency network.
Workload uniform_workload(const ParallelPlan& plan, std::int64_t n, const Uniform& u, double chunk_scale,
                          const ScheduleOptions& options) {
  const auto schedule = pipeline_schedule(plan, n, options);
  const auto& traits = schedule_traits(plan.schedule);
  const auto depth = static_cast<std::int32_t>(traits.chunk_count(plan));
  Workload w;
  w.labels = {"work", "pp"};
  for (std::int32_t r = 0; r < plan.pipeline; ++r) {
    RankProgram rank;
    rank.global_rank = r;
    rank.pipeline_rank = r;
    const auto exchange = [&](StreamId s, std::int32_t peer, Channel c, bool out, std::optional<Dependency> after) {
      Op op;
      op.kind = OpKind::exchange;
      op.label = 1;
      op.item = static_cast<std::uint32_t>(rank.items.size() - 1);
      op.flow_begin = static_cast<std::uint32_t>(rank.flows.size());
      op.flow_count = 1;
      rank.flows.push_back({peer, Bytes(0), c, out, -1});
      if (after) {
        op.dep_begin = static_cast<std::uint32_t>(rank.deps.size());
        op.dep_count = 1;
        rank.deps.push_back(*after);
      }
      auto& stream = rank.streams[static_cast<std::size_t>(s)];
      stream.push_back(op);
      return Dependency{s, static_cast<std::uint32_t>(stream.size() - 1)};
    };
    const auto compute = [&](double seconds, std::vector<Dependency> after) {
      Op op;
      op.label = 0;
      op.item = static_cast<std::uint32_t>(rank.items.size() - 1);
      op.duration = Seconds(seconds * chunk_scale);
      op.dep_begin = static_cast<std::uint32_t>(rank.deps.size());
      op.dep_count = static_cast<std::uint32_t>(after.size());
      rank.deps.insert(rank.deps.end(), after.begin(), after.end());
      auto& stream = rank.streams[0];
      stream.push_back(op);
      return Dependency{StreamId::compute, static_cast<std::uint32_t>(stream.size() - 1)};
    };
    const auto channel = [](bool act, std::int32_t d) {
      return d == 0 ? (act ? Channel::activation_down : Channel::gradient_down) : (act ? Channel::activation_up : Channel::gradient_up);
    };
    for (const auto& item : schedule[static_cast<std::size_t>(r)]) {
      rank.items.push_back({item.kind, item.forward.chunk, item.forward.micro_batch});
      std::vector<Dependency> inputs;
      const bool has_f = item.kind == ItemKind::forward || item.kind == ItemKind::forward_backward;
      const bool has_b = item.kind == ItemKind::backward || item.kind == ItemKind::forward_backward;
      if (has_f && item.forward.chunk > 0) {
        inputs.push_back(exchange(StreamId::p2p, traits.chunk_holder(plan, item.forward.chunk - 1, item.forward.direction),
                                  channel(true, item.forward.direction), false, std::nullopt));
      }
      if (has_b && item.backward.chunk + 1 < depth) {
        inputs.push_back(exchange(StreamId::p2p, traits.chunk_holder(plan, item.backward.chunk + 1, item.backward.direction),
                                  channel(false, item.backward.direction), false, std::nullopt));
      }
      double t = 0;
      if (has_f) t += u.forward;
      if (has_b) t += u.backward_input + (item.defer_weights ? 0.0 : u.weight);
      if (item.kind == ItemKind::weight) t += u.weight;
      const auto done = compute(t, inputs);
      if (has_f && item.forward.chunk + 1 < depth) {
        exchange(StreamId::p2p, traits.chunk_holder(plan, item.forward.chunk + 1, item.forward.direction),
                 channel(true, item.forward.direction), true, done);
      }
      if (has_b && item.backward.chunk > 0) {
        exchange(StreamId::p2p, traits.chunk_holder(plan, item.backward.chunk - 1, item.backward.direction),
                 channel(false, item.backward.direction), true, done);
      }
    }
    w.ranks.push_back(std::move(rank));
  }
  return w;
}

// Zero-latency network for uniform-chunk tests.
Topology quiet_topology(std::int64_t gpus) {
  ClusterSpec c;
  c.gpu.scale_up.bandwidth_per_direction = BytesPerSecond(1e12);
  c.gpu_count = gpus;
  c.gpus_per_node = 1;
  c.network.nics_per_node = 1;
  c.network.nic_bandwidth = BytesPerSecond(1e12);
  return Topology(c, 1.0, 1.0);
}

double bubble(const ParallelPlan& plan, std::int64_t n, const Uniform& u, double chunk_scale,
              const ScheduleOptions& options = {}) {
  const auto w = uniform_workload(plan, n, u, chunk_scale, options);
  EXPECT_EQ(check_workload(w), "");
  const auto t = make_analytic_backend()->run(w, quiet_topology(plan.pipeline));
  // Every rank does n micro-batches' worth of F + B + W on each of its chunks' shares
  // (DualPipe: half of the micro-batches through each of two chunks).
  const auto& traits = schedule_traits(plan.schedule);
  const double per_rank_chunks = static_cast<double>(traits.chunks_of_rank(plan, 0).size()) * traits.chunk_share();
  const double work = static_cast<double>(n) * per_rank_chunks * (u.forward + u.backward_input + u.weight) * chunk_scale;
  return t.makespan.si() - work;
}

ParallelPlan plan(Schedule s, std::int64_t pp, std::int64_t v = 1) {
  ParallelPlan p;
  p.schedule = s;
  p.pipeline = pp;
  p.virtual_stages = v;
  p.data = 1;
  return p;
}

constexpr double kExact = 1e-6;  // zero-latency messages: the formulas hold exactly

TEST(Schedules, OneFOneBAndGPipeBubble) {
  const Uniform u;
  EXPECT_NEAR(bubble(plan(Schedule::one_f_one_b, 4), 16, u, 1.0), 3 * (1.0 + 2.0), kExact);
  EXPECT_NEAR(bubble(plan(Schedule::gpipe, 4), 16, u, 1.0), 3 * (1.0 + 2.0), kExact);
}

TEST(Schedules, InterleavedDividesTheBubbleByChunksPerRank) {
  const Uniform u;
  // Each of the 2 chunks per rank is half a stage: (PP - 1)(F + B) / v.
  EXPECT_NEAR(bubble(plan(Schedule::interleaved_1f1b, 4, 2), 16, u, 0.5), 3 * (1.0 + 2.0) / 2, kExact);
}

TEST(Schedules, ZeroBubbleH1) {
  for (const std::int64_t pp : {4, 8}) {
    for (const double w : {0.0, 0.25, 0.5, 1.0}) {
      Uniform u;
      u.backward_input = 2.0 - w;
      u.weight = w;
      EXPECT_NEAR(bubble(plan(Schedule::zb_h1, pp), 4 * pp, u, 1.0), static_cast<double>(pp - 1) * (1.0 + 2.0 - 2 * w), kExact)
          << pp << " " << w;
    }
  }
}

TEST(Schedules, DualPipeAndDualPipeV) {
  const ScheduleOptions as_in_table_2{.refine_middle_pair = false};
  for (const double w : {0.0, 0.25, 0.5, 1.0}) {
    Uniform u;
    u.backward_input = 2.0 - w;
    u.weight = w;
    // Without communication an F&B pair takes F + B: (PP/2 - 1)(F&B + B - 3W).
    const double pair = 1.0 + 2.0;
    const double dualpipe = 3 * (pair + 2.0 - 3 * w);
    EXPECT_NEAR(bubble(plan(Schedule::dualpipe, 8), 32, u, 1.0, as_in_table_2), dualpipe, kExact) << w;
    // Half-size chunks (F = 0.5, B = 1): DualPipeV over 4 ranks behaves as DualPipe over 8.
    EXPECT_NEAR(bubble(plan(Schedule::dualpipe_v, 4), 16, u, 0.5, as_in_table_2), dualpipe * 0.5, kExact) << w;
    // The reference code's refinement (the middle ranks' first pair run without overlap)
    // saves at most one forward chunk and never costs anything.
    const double refined = bubble(plan(Schedule::dualpipe, 8), 32, u, 1.0);
    EXPECT_LE(refined, dualpipe + kExact) << w;
    EXPECT_GE(refined, dualpipe - u.forward - kExact) << w;
  }
}

TEST(Schedules, ZeroBubbleV) {
  // Qi et al. sec.6: with a chunk's F, B (input gradient) and W equal, no rank idles after its
  // start, which lags the previous rank's by one F: (PP - 1) F, for any micro-batch count from
  // 2 PP - 1 on; and every (chunk, micro-batch) runs F, then B, then W, each once.
  Uniform u;
  u.forward = 1.0;
  u.backward_input = 1.0;
  u.weight = 1.0;
  for (const std::int64_t pp : {2, 4, 8}) {
    for (const std::int64_t n : {2 * pp - 1, 2 * pp, 3 * pp + 1}) {
      const auto p = plan(Schedule::zb_v, pp);
      EXPECT_NEAR(bubble(p, n, u, 1.0), static_cast<double>(pp - 1), kExact) << pp << " " << n;
      EXPECT_NEAR(schedule_traits(Schedule::zb_v).bubble(p, {Seconds(1.0), Seconds(2.0), Seconds(1.0), Seconds(3.0)}).si(),
                  static_cast<double>(pp - 1), kExact);
      for (std::int32_t r = 0; r < pp; ++r) {
        std::map<std::tuple<int, int, int>, int> seen;  // (chunk, micro-batch, kind) -> position
        const auto items = schedule_traits(Schedule::zb_v).order(p, r, n, {});
        for (std::size_t i = 0; i < items.size(); ++i) {
          const auto& it = items[i];
          const auto& ref = it.kind == ItemKind::forward ? it.forward : it.backward;
          EXPECT_TRUE(seen.emplace(std::make_tuple(ref.chunk, ref.micro_batch, static_cast<int>(it.kind)), static_cast<int>(i)).second);
          if (it.kind == ItemKind::backward) {
            EXPECT_TRUE(it.defer_weights);
          }
        }
        EXPECT_EQ(seen.size(), static_cast<std::size_t>(2 * 3 * n));
        for (const int c : {r, static_cast<int>(2 * pp - 1 - r)}) {
          for (std::int32_t m = 0; m < n; ++m) {
            const int f = seen.at({c, m, static_cast<int>(ItemKind::forward)});
            const int b = seen.at({c, m, static_cast<int>(ItemKind::backward)});
            const int w = seen.at({c, m, static_cast<int>(ItemKind::weight)});
            EXPECT_LT(f, b);
            EXPECT_LT(b, w);
          }
        }
      }
    }
  }
}

struct Counts {
  int warmup_forward = 0, pairs = 0, lone_backward = 0, weight = 0;
};

Counts count(const std::vector<ScheduleItem>& items) {
  Counts c;
  bool before_backward = true;
  for (const auto& item : items) {
    if (item.kind != ItemKind::forward) before_backward = false;
    if (item.kind == ItemKind::forward && before_backward) ++c.warmup_forward;
    if (item.kind == ItemKind::forward_backward) ++c.pairs;
    if (item.kind == ItemKind::backward) ++c.lone_backward;
    if (item.kind == ItemKind::weight) ++c.weight;
  }
  return c;
}

TEST(Schedules, DualPipeOperationCountsForDeepSeekV3) {
  // PP16, 120 micro-batches: ../shared/reference/deepseek-v3.md sec.9.5.
  const auto s = pipeline_schedule(plan(Schedule::dualpipe, 16), 120);
  for (const int r : {0, 15}) {
    const auto c = count(s[static_cast<std::size_t>(r)]);
    EXPECT_EQ(c.warmup_forward, 16) << r;
    EXPECT_EQ(c.pairs, 97) << r;
    EXPECT_EQ(c.lone_backward, 23) << r;
    EXPECT_EQ(c.weight, 15) << r;
  }
  // The middle ranks run their first main-phase forward and backward without overlap
  // (dualpipe.py step(): "We don't overlap these two chunks to further reduce bubble size");
  // the reference table counts that pair among the 104 pairs and its chunks among neither.
  for (const int r : {7, 8}) {
    const auto c = count(s[static_cast<std::size_t>(r)]);
    EXPECT_EQ(c.warmup_forward, 16 + 1) << r;
    EXPECT_EQ(c.pairs, 104 - 1) << r;
    EXPECT_EQ(c.lone_backward, 16 + 1) << r;
    EXPECT_EQ(c.weight, 8) << r;
  }
  const auto plain = pipeline_schedule(plan(Schedule::dualpipe, 16), 120, {.refine_middle_pair = false});
  const auto c = count(plain[7]);
  EXPECT_EQ(c.pairs, 104);
  EXPECT_EQ(c.lone_backward, 16);
  // Every rank runs each of its two chunks 60 times forward and 60 times backward.
  for (const auto& items : s) {
    int f = 0;
    int b = 0;
    for (const auto& item : items) {
      f += item.kind == ItemKind::forward || item.kind == ItemKind::forward_backward;
      b += item.kind == ItemKind::backward || item.kind == ItemKind::forward_backward;
    }
    EXPECT_EQ(f, 120);
    EXPECT_EQ(b, 120);
  }
}

TEST(Schedules, MemoryModelKeepsWhatTheOrdersKeepInFlight) {
  // Forwards issued minus backwards finished, per rank at its peak, in the generated orders
  // (the engine's) against the closed form's per-chunk counts.
  const std::int64_t pp = 8;
  for (const auto s : {Schedule::one_f_one_b, Schedule::zb_h1, Schedule::interleaved_1f1b, Schedule::dualpipe,
                       Schedule::dualpipe_v, Schedule::zb_v}) {
    const auto p = plan(s, pp, s == Schedule::interleaved_1f1b ? 2 : 1);
    const std::int64_t n = 32;
    const auto orders = pipeline_schedule(p, n);
    for (std::int32_t r = 0; r < pp; ++r) {
      std::map<std::int32_t, double> chunk_peak;
      std::map<std::int32_t, double> chunk_now;
      double now = 0.0;
      double peak = 0.0;
      for (const auto& item : orders[static_cast<std::size_t>(r)]) {
        if (item.kind == ItemKind::forward || item.kind == ItemKind::forward_backward) {
          now += 1.0;
          chunk_now[item.forward.chunk] += 1.0;
          chunk_peak[item.forward.chunk] = std::max(chunk_peak[item.forward.chunk], chunk_now[item.forward.chunk]);
        }
        peak = std::max(peak, now);
        if (item.kind == ItemKind::backward || item.kind == ItemKind::forward_backward) {
          now -= 1.0;
          chunk_now[item.backward.chunk] -= 1.0;
        }
      }
      std::vector<int> chunks;
      for (const auto& [c, count] : chunk_peak) chunks.push_back(c);
      const auto held = schedule_traits(s).in_flight(p, chunks, r, n);
      double total = 0.0;
      for (const double h : held) total += h;
      EXPECT_DOUBLE_EQ(total, peak) << to_string(s) << " rank " << r;
      if (s == Schedule::interleaved_1f1b || s == Schedule::zb_v) continue;  // their chunks peak at different times
      for (std::size_t k = 0; k < chunks.size(); ++k) {
        EXPECT_DOUBLE_EQ(held[k], chunk_peak[chunks[k]]) << to_string(s) << " rank " << r << " chunk " << chunks[k];
      }
    }
  }
}

}  // namespace
}  // namespace trainsim
