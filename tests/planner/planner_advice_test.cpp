// Advice a planner trusts: the scenario's precision unless others are allowed, one plan per
// meaning at PP1, a minimum memory headroom, and a best-plan search whose pruning is exact.
#include <gtest/gtest.h>

#include <limits>
#include <set>

#include "hardware/kernel_time_model.hpp"
#include "models/step_replay.hpp"
#include "planner/bottleneck.hpp"
#include "planner/plan_evaluator.hpp"
#include "planner/plan_space.hpp"
#include "scenario_fixture.hpp"

namespace trainsim {
namespace {
using namespace testing;

// DeepSeek-V3 on 2,048 H800 over a space small enough to time every plan: every schedule,
// a few pipeline, micro-batch, ZeRO and recomputation choices.
nlohmann::json small_space() {
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  doc["planner"] = {{"tensor_parallel", {1}},
                    {"pipeline_parallel", {1, 8, 16}},
                    {"context_parallel", {1}},
                    {"expert_parallel", {32, 64}},
                    {"expert_tensor_parallel", {1}},
                    {"virtual_stages", {2}},
                    {"micro_batch_sizes", {1, 2}},
                    {"zero_stages", {1, 3}},
                    {"recomputation", {"none", "full"}}};
  return doc;
}

// The fastest feasible closed-form step of the space, every plan timed.
double brute_force_best(const Scenario& s) {
  const auto& seg = s.phases.front().segments.front();
  PlanEvaluator evaluator(s, {seg.sequence_length, seg.global_batch_size});
  double best = std::numeric_limits<double>::infinity();
  for_each_plan(plan_space(s), seg.plan, [&](const ParallelPlan& p, std::int64_t gpus) {
    const auto outcome = evaluator.evaluate(p, gpus);
    if (outcome.feasible) best = std::min(best, outcome.estimate.step_time.si());
  });
  return best;
}

// Each schedule's plans timed with the bounds seen on the way; `closest` is the largest
// bound / step of the DualPipe plans.
struct BoundCheck {
  int timed = 0;
  std::set<Schedule> schedules;
  double closest = 0.0;
};

BoundCheck check_bounds(const Scenario& s) {
  const auto& seg = s.phases.front().segments.front();
  PlanEvaluator evaluator(s, {seg.sequence_length, seg.global_batch_size});
  BoundCheck check;
  for_each_plan(plan_space(s), seg.plan, [&](const ParallelPlan& p, std::int64_t gpus) {
    Seconds bound(0);
    const auto outcome = evaluator.evaluate_if(p, gpus, [&](const StepEstimate&, Seconds b) {
      bound = b;
      return true;
    });
    if (!outcome.timed) return;
    ++check.timed;
    check.schedules.insert(p.schedule);
    EXPECT_GT(bound.si(), 0.0);
    // The bound counts the passes alone (a pair: the busier of its two streams): the step adds
    // bubbles, the exposed part of a pair's communication and the update, so it is never below
    // (to rounding).
    const double step = outcome.estimate.step_time.si();
    EXPECT_LE(bound.si(), step * (1.0 + 1e-12))
        << "PP" << p.pipeline << " " << to_string(p.schedule) << " mb" << p.micro_batch_size << " ZeRO-" << p.zero_stage;
    if (p.schedule == Schedule::dualpipe) check.closest = std::max(check.closest, bound.si() / step);
    // The layout-free bound (the average rank's passes) is below the layout's (the busiest
    // rank's), and not empty: every schedule holds its chunks evenly.
    const auto layout_free = evaluator.layout_free_bound(p, gpus);
    ASSERT_TRUE(layout_free.has_value());
    EXPECT_GT(layout_free->si(), 0.0) << to_string(p.schedule);
    EXPECT_LE(layout_free->si(), bound.si()) << "PP" << p.pipeline << " " << to_string(p.schedule);
  });
  return check;
}

TEST(PlannerAdvice, TheStepLowerBoundNeverExceedsTheStep) {
  auto s = parse(small_space());
  const auto check = check_bounds(s);
  EXPECT_GE(check.timed, 50);
  EXPECT_GE(check.schedules.size(), 5U);  // 1F1B, interleaved, the zero-bubble ones and DualPipe among them
  // A fabric 16 times slower: DualPipe's pairs wait for their all-to-alls, whose stream then
  // bounds the step; the bound still holds, and stays close (the bubble and update are a few
  // percent of a 240-micro-batch step), where compute alone would be a fraction of it.
  s.cluster.network.nic_bandwidth = s.cluster.network.nic_bandwidth / 16.0;
  const auto slow = check_bounds(s);
  EXPECT_GE(slow.timed, 50);
  EXPECT_GT(slow.closest, 0.8);
}

TEST(PlannerAdvice, TheBestPlanSearchFindsTheBruteForceBest) {
  auto doc = small_space();
  const auto s = parse(doc);
  const auto a = analyze_bottlenecks(s);
  EXPECT_EQ(a.best_plan_step.si(), brute_force_best(s));
  auto roomier = s;
  roomier.cluster.gpu.memory_capacity = s.cluster.gpu.memory_capacity * 2;
  EXPECT_EQ(a.best_plan_step_with_double_memory.si(), brute_force_best(roomier));
  EXPECT_LT(a.best_plan_step_with_double_memory, a.best_plan_step);  // more memory admits faster plans here
}

TEST(PlannerAdvice, ThePrecisionIsTheScenariosUnlessThePlannerAllowsOthers) {
  auto doc = scenario_json("scenarios/llama-3.1-405b-h100.json");  // BF16 on H100, which has FP8
  doc.erase("planner");
  EXPECT_EQ(plan_space(parse(doc)).precisions, std::vector<Precision>{Precision::bf16});
  doc["planner"] = {{"precisions", {"bf16", "fp8"}}};
  EXPECT_EQ(plan_space(parse(doc)).precisions, (std::vector<Precision>{Precision::bf16, Precision::fp8}));
}

TEST(PlannerAdvice, WithoutAPipelineGPipeAndInterleavedAreNotVisitedBeside1F1B) {
  auto doc = small_space();
  doc["planner"]["zero_stages"] = {1};
  const auto s = parse(doc);
  auto space = plan_space(s);
  space.pipeline = {1};
  const auto seen_schedules = [&](const ParallelPlan& base) {
    std::set<Schedule> seen;
    for_each_plan(space, base, [&](const ParallelPlan& p, std::int64_t) { seen.insert(p.schedule); });
    return seen;
  };
  auto seen = seen_schedules(s.plan);
  EXPECT_FALSE(seen.contains(Schedule::gpipe));
  EXPECT_FALSE(seen.contains(Schedule::interleaved_1f1b));
  EXPECT_TRUE(seen.contains(Schedule::one_f_one_b));
  EXPECT_TRUE(seen.contains(Schedule::zb_h1));  // separate weight passes: timed differently
  // A PP1 scenario plan keeps its own schedule among the candidates, so that it is recognised.
  auto base = s.plan;
  base.pipeline = 1;
  base.schedule = Schedule::gpipe;
  EXPECT_TRUE(seen_schedules(base).contains(Schedule::gpipe));
  // Under ZeRO-3 the pass order times the gathers: every schedule is visited.
  space.zero_stages = {3};
  EXPECT_TRUE(seen_schedules(s.plan).contains(Schedule::gpipe));
}

TEST(PlannerAdvice, AtOneStageGPipeAndInterleavedTakeThe1F1BStep) {
  // What the collapse above rests on: the same step, to rounding, for a dense and an MoE model.
  for (const char* file : {"scenarios/llama-3.1-405b-h100.json", "scenarios/deepseek-v3-h800.json"}) {
    auto doc = scenario_json(file);
    doc["cluster"]["gpu_count"] = 64;
    doc["training"]["phases"] = nlohmann::json::array({{{"name", "p"}, {"steps", 1}, {"sequence_length", 4096}, {"global_batch_size", 128}}});
    doc.erase("published");
    doc.erase("reliability");
    doc["parallel"]["tensor_parallel"] = 8;
    doc["parallel"]["pipeline_parallel"] = 1;
    doc["parallel"]["data_parallel"] = 8;
    doc["parallel"]["expert_parallel"] = doc["model"] == "deepseek-v3" ? 8 : 1;
    doc["parallel"]["expert_tensor_parallel"] = 1;
    doc["parallel"]["schedule"] = "1f1b";
    doc["parallel"]["virtual_stages"] = 1;
    doc["parallel"]["zero_stage"] = 1;
    doc["parallel"]["sequence_parallel"] = true;
    const auto s = parse(doc);
    const auto kernels = kernel_model(s.cluster);
    const StepShape shape{4096, 128};
    const auto one_f_one_b = estimate_step(s.model, s.cluster, s.plan, kernels, shape).step_time.si();
    EXPECT_GT(one_f_one_b, 0.1) << file;
    for (const auto& [schedule, vpp] : {std::pair{Schedule::gpipe, 1}, std::pair{Schedule::interleaved_1f1b, 2}}) {
      auto plan = s.plan;
      plan.schedule = schedule;
      plan.virtual_stages = vpp;
      EXPECT_NEAR(estimate_step(s.model, s.cluster, plan, kernels, shape).step_time.si(), one_f_one_b, 1e-9 * one_f_one_b)
          << file << " " << to_string(schedule);
    }
  }
}

TEST(PlannerAdvice, APlanUnderTheMinimumHeadroomIsInfeasibleWithItsNumbers) {
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  doc["planner"]["min_headroom"] = "12GiB";
  const auto s = parse(doc);
  const auto space = plan_space(s);
  EXPECT_EQ(space.min_headroom, Bytes(12LL << 30));
  const auto& seg = s.phases.front().segments.front();
  // The scenario's plan uses 70.4 of 79.1 GiB (README): 8.7 GiB free, under 12.
  PlanEvaluator evaluator(s, {seg.sequence_length, seg.global_batch_size}, space.min_headroom);
  const auto outcome = evaluator.evaluate(s.plan, s.cluster.gpu_count);
  EXPECT_FALSE(outcome.feasible);
  EXPECT_EQ(outcome.issue.reason, InfeasibleReason::below_headroom);
  EXPECT_NE(outcome.issue.detail.find("GiB free on pipeline rank"), std::string::npos) << outcome.issue.detail;
  EXPECT_NE(outcome.issue.detail.find("under planner.min_headroom 12.0 GiB"), std::string::npos) << outcome.issue.detail;
  PlanEvaluator lenient(s, {seg.sequence_length, seg.global_batch_size}, Bytes(4LL << 30));
  EXPECT_TRUE(lenient.evaluate(s.plan, s.cluster.gpu_count).feasible);
}

}  // namespace
}  // namespace trainsim
