// The closed form's timing: the step program replayed at chunk granularity, against the
// published bubble formulas where they apply (uniform chunks) and against itself where it
// extends long steps along the steady phase.
#include <gtest/gtest.h>

#include "hardware/kernel_time_model.hpp"
#include "models/model_catalog.hpp"
#include "models/step_estimate.hpp"
#include "models/step_replay.hpp"
#include "scenario_fixture.hpp"

namespace trainsim {
namespace {
using namespace testing;

// Identical dense layers with an embedding and a head too small to matter (a 16-token
// vocabulary), on a network so fast that pipeline hops vanish: the chunks of every schedule are
// uniform, which is what the published formulas assume.
struct Uniform {
  ModelSpec model;
  ClusterSpec cluster;
};

Uniform uniform() {
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  doc["cluster"]["gpu"] = "h100-sxm";
  doc["cluster"]["calibration"] = "h100-published";
  doc["cluster"]["gpu_count"] = 8;
  doc["cluster"]["network"]["nic_bandwidth"] = "1000TBps";
  doc["cluster"]["network"]["scale_out_latency"] = "0us";
  doc["cluster"]["network"]["scale_up_bandwidth"] = "1000TBps";
  doc["cluster"]["network"]["scale_up_latency"] = "0us";
  doc["parallel"] = {{"tensor_parallel", 1}, {"pipeline_parallel", 1}, {"data_parallel", 8}, {"schedule", "1f1b"},
                     {"micro_batch_size", 1}, {"zero_stage", 1}, {"recomputation", "none"}, {"precision", "bf16"}};
  doc["training"]["phases"] = nlohmann::json::array({{{"name", "p"}, {"steps", 1}, {"sequence_length", 2048}, {"global_batch_size", 8}}});
  doc.erase("published");
  auto s = parse(doc);
  Uniform u{*find_model("llama-3.1-70b"), s.cluster};
  u.model.vocab_size = 16;
  u.model.num_layers = 16;
  return u;
}

ParallelPlan pipeline_plan(Schedule schedule, std::int64_t pp, std::int64_t gpus) {
  ParallelPlan p;
  p.schedule = schedule;
  p.pipeline = pp;
  p.data = gpus / pp;
  p.virtual_stages = schedule_traits(schedule).uses_virtual_stages() ? 2 : 1;
  p.zero_stage = 1;
  p.memory_overhead = Bytes(0);
  return p;
}

// The pace-setting rank of a replay: the most compute, the first of equals.
std::size_t pace_setting(const StepReplay& replay) {
  std::size_t r = 0;
  for (std::size_t k = 1; k < replay.ranks.size(); ++k) {
    if (replay.ranks[k].compute > replay.ranks[r].compute * (1.0 + 1e-12)) r = k;
  }
  return r;
}

// Idle time of the pace-setting rank in a replay: the step less its items and its own
// step-end work.
Seconds bubble(const StepReplay& replay) {
  const auto& rank = replay.ranks[pace_setting(replay)];
  Seconds covered(0);
  for (const auto s : rank.spans) covered += s;
  return replay.makespan - covered - (rank.end - rank.chunks_end);
}

TEST(StepReplay, UniformChunksGiveThePublishedBubbles) {
  const auto u = uniform();
  const auto kernels = kernel_model(u.cluster);
  for (const auto* traits : all_schedules()) {
    // ZB-V's published bubble holds only for equal F, B and W passes, which real layers do not
    // have: tests/sim/schedule_test checks it on such passes.
    if (traits->id() == Schedule::zb_v) continue;
    const auto plan = pipeline_plan(traits->id(), 4, 8);
    const std::int64_t n = 16;
    const StepProgram program(u.model, u.cluster, plan, kernels, {2048, n * plan.data});
    // The formula on the pace-setting rank's chunk times, as the estimate reports it.
    const auto estimate = estimate_step(program);
    const Seconds formula = estimate.bubble_by_formula;
    const auto r = pace_setting(replay_micro_batches(program, n));
    // DualPipe's reference code runs the middle (DualPipeV: the last) rank's first main-phase
    // pair apart "to further reduce bubble size", which Table 2's formula leaves out.
    const auto as_in_table_2 = replay_micro_batches(program, n, {.refine_middle_pair = false});
    // The tiny embedding and head are the one non-uniformity: what the measured rank computes
    // beyond the least loaded fills idle time the formula counts.
    Seconds least = as_in_table_2.ranks[r].compute;
    for (const auto& k : as_in_table_2.ranks) least = min(least, k.compute);
    const double tolerance = (as_in_table_2.ranks[r].compute - least).si() + 1e-3 * as_in_table_2.makespan.si();
    EXPECT_NEAR(bubble(as_in_table_2).si(), formula.si(), tolerance) << traits->name();
    const auto refined = replay_micro_batches(program, n);
    EXPECT_LE(bubble(refined).si(), formula.si() + tolerance) << traits->name();
    EXPECT_NEAR(estimate.breakdown.pipeline_bubble.si(), bubble(refined).si(), 1e-12) << traits->name();
  }
}

TEST(StepReplay, LongStepsExtendAlongTheSteadyPhase) {
  // A step of many micro-batches is replayed at 2 and 4 per pipeline rank and extended;
  // replayed in full it gives the same ends, to rounding, on a real (non-uniform) split.
  auto u = uniform();
  u.model = *find_model("llama-3.1-8b");
  const auto kernels = kernel_model(u.cluster);
  for (const auto* traits : all_schedules()) {
    const auto plan = pipeline_plan(traits->id(), 4, 8);
    const std::int64_t base = 2 * plan.pipeline;  // what replay_step replays at
    const std::int64_t n = 7 * base;
    const StepProgram program(u.model, u.cluster, plan, kernels, {2048, n * plan.data});
    const auto extended = replay_step(program);
    const auto full = replay_micro_batches(program, n);
    EXPECT_NEAR(extended.makespan.si(), full.makespan.si(), 1e-6 * full.makespan.si()) << traits->name();
    for (std::size_t r = 0; r < full.ranks.size(); ++r) {
      EXPECT_NEAR(extended.ranks[r].compute.si(), full.ranks[r].compute.si(), 1e-6 * full.ranks[r].compute.si());
    }
  }
}

TEST(StepReplay, EachRankEndsWithItsOwnExchangeAndUpdate) {
  // ZeRO-1 without overlap: after its last item a rank reduce-scatters its gradients, updates
  // its shard and gathers the weights, one after the other.
  const auto u = uniform();
  const auto kernels = kernel_model(u.cluster);
  const auto plan = pipeline_plan(Schedule::one_f_one_b, 2, 8);
  const StepProgram program(u.model, u.cluster, plan, kernels, {2048, 8 * plan.data});
  const auto replay = replay_step(program);
  for (int r = 0; r < 2; ++r) {
    const auto& sync = program.rank_sync(r);
    Seconds expected = kernels.time(sync.optimizer);
    for (const auto& s : sync.gradient_reduction) expected += program.comm().time(s);
    for (const auto& s : sync.weight_gather) expected += program.comm().time(s);
    const auto& rank = replay.ranks[static_cast<std::size_t>(r)];
    EXPECT_NEAR((rank.end - rank.chunks_end).si(), expected.si(), 1e-12);
  }
}

}  // namespace
}  // namespace trainsim
