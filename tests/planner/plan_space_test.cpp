// The plan space, the cached evaluator and the Pareto front, on the shipped scenarios.
#include <gtest/gtest.h>

#include "hardware/kernel_time_model.hpp"
#include "planner/plan_evaluator.hpp"
#include "planner/plan_search.hpp"
#include "scenario_fixture.hpp"

namespace trainsim {
namespace {
using namespace testing;

TEST(PlanSpace, DefaultsFollowTheModelAndCluster) {
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  doc.erase("planner");
  const auto s = parse(doc);
  const auto space = plan_space(s);
  EXPECT_EQ(space.tensor, (std::vector<std::int64_t>{1, 2, 4, 8}));  // powers of two inside a node
  EXPECT_EQ(space.pipeline, (std::vector<std::int64_t>{1, 2, 4, 8, 16, 32}));  // divide 2,048, at most 61 layers
  EXPECT_EQ(space.expert.size(), 9U);                                           // divisors of 256
  EXPECT_EQ(space.precisions, std::vector<Precision>{s.plan.precision});        // the scenario's own
  // The scenario's own recomputation set is a candidate.
  EXPECT_NE(std::find(space.recomputation.begin(), space.recomputation.end(), s.plan.recompute), space.recomputation.end());
  // Every visited plan uses all the GPUs.
  std::int64_t visited = 0;
  for_each_plan(space, s.plan, [&](const ParallelPlan& p, std::int64_t gpus) {
    ++visited;
    EXPECT_EQ(p.gpus(), gpus);
  });
  EXPECT_EQ(visited, plan_count(space));
}

TEST(PlanSpace, ScenarioNarrowsItAndBadConstraintsNameTheField) {
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  doc["planner"] = {{"tensor_parallel", {1}}, {"schedules", {"dualpipe", "1f1b"}}, {"zero_stages", {0, 1}}, {"top_k", 3}};
  const auto space = plan_space(parse(doc));
  EXPECT_EQ(space.tensor, std::vector<std::int64_t>{1});
  EXPECT_EQ(space.schedules, (std::vector<Schedule>{Schedule::dualpipe, Schedule::one_f_one_b}));
  EXPECT_EQ(space.zero_stages, (std::vector<int>{0, 1}));
  EXPECT_EQ(space.top_k, 3);

  // Read strictly with the scenario: every issue at once, at parse time, with its pointer and
  // the nearest known key for a misspelt one.
  doc["planner"] = {{"tensor_paralel", {1}}, {"schedules", {"zigzag"}}, {"zero_stages", {4}}};
  const auto found = issues(doc);
  EXPECT_EQ(found.size(), 3U);
  EXPECT_TRUE(has_issue(found, "/planner/schedules/0", "\"zb_v\""));
  EXPECT_TRUE(has_issue(found, "/planner/zero_stages/0", "from 0 to 3"));
  const auto misspelt = std::find_if(found.begin(), found.end(),
                                     [](const ConfigIssue& i) { return i.pointer == "/planner/tensor_paralel"; });
  ASSERT_NE(misspelt, found.end());
  EXPECT_NE(misspelt->hint.find("tensor_parallel"), std::string::npos) << misspelt->hint;
}

// Expert tensor parallelism is searched as 1 or the tensor degree, each visited once; a
// scenario that spells its degree out is still found among the candidates as itself.
TEST(PlanSpace, ExpertTensorDegreesAreVisitedOnceAndTheBaseIsOneOfThem) {
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  doc["parallel"]["expert_tensor_parallel"] = 1;
  const auto s = parse(doc);
  auto space = plan_space(s);
  EXPECT_EQ(space.expert_tensor, (std::vector<std::int64_t>{0, 1}));
  space.gpu_counts = {s.cluster.gpu_count};
  space.tensor = {1, 2};
  space.pipeline = {s.plan.pipeline};
  space.context = {1};
  space.expert = {s.plan.expert};
  space.schedules = {s.plan.schedule};
  space.micro_batch_sizes = {1};
  space.zero_stages = {1};
  space.recomputation = {s.plan.recompute};
  space.precisions = {s.plan.precision};
  std::vector<std::pair<std::int64_t, std::int64_t>> degrees;  // (tensor, expert tensor)
  int base = 0;
  for_each_plan(space, s.plan, [&](const ParallelPlan& p, std::int64_t) {
    degrees.emplace_back(p.tensor, p.expert_tensor_degree());
    base += p == s.plan ? 1 : 0;
  });
  EXPECT_EQ(degrees, (std::vector<std::pair<std::int64_t, std::int64_t>>{{1, 1}, {2, 2}, {2, 1}}));
  EXPECT_EQ(base, 1);
}

// A scenario's --tp-comm-overlap follows its candidates where Transformer Engine allows it and
// is off where it does not (schedules that defer weight gradients), so that no candidate is
// refused for it; the scenario's own plan is still found as itself.
TEST(PlanSpace, TensorOverlapIsKeptWhereTheScheduleAllowsIt) {
  const auto s = parse(scenario_json("validation/runs/dgxc-70b-64-bf16.json"));
  ASSERT_TRUE(s.plan.tp_comm_overlap);
  auto space = plan_space(s);
  space.virtual_stages.push_back(s.plan.virtual_stages);  // the recipe's 5, beside the default 2 and 4
  auto own = s.plan;
  own.layers_per_chunk.clear();  // the recipe's explicit split; the planner balances its own
  int base = 0;
  int overlapped = 0;
  int deferring = 0;
  for_each_plan(space, s.plan, [&](const ParallelPlan& p, std::int64_t) {
    base += p == own ? 1 : 0;
    const bool defers = schedule_traits(p.schedule).defers_weight_gradients();
    EXPECT_EQ(p.tp_comm_overlap, !defers) << to_string(p.schedule);
    overlapped += p.tp_comm_overlap ? 1 : 0;
    deferring += defers ? 1 : 0;
  });
  EXPECT_EQ(base, 1);
  EXPECT_GT(overlapped, 0);
  EXPECT_GT(deferring, 0);
}

TEST(PlanEvaluator, SharedWorkGivesTheEstimatesComputedAlone) {
  // Plans that share priced layers and pipelines, evaluated in an order that fills the caches,
  // against the uncached closed form: equal to the last bit.
  const auto s = parse(scenario_json("scenarios/deepseek-v3-h800.json"));
  const StepShape shape{4096, 15360};
  PlanEvaluator evaluator(s, shape);
  const auto kernels = kernel_model(s.cluster);
  int compared = 0;
  for (const int zero : {1, 2, 3}) {
    for (const std::int64_t pp : {8, 16}) {
      for (const auto schedule : {Schedule::dualpipe, Schedule::one_f_one_b}) {
        auto plan = s.plan;
        plan.zero_stage = zero;
        plan.pipeline = pp;
        plan.data = 2048 / pp;
        plan.schedule = schedule;
        const auto cached = evaluator.evaluate(plan, 2048);
        const auto alone = estimate_step(s.model, s.cluster, plan, kernels, shape);
        EXPECT_EQ(cached.estimate.memory.total().count(), alone.memory.total().count());
        EXPECT_EQ(cached.feasible, alone.feasible());
        if (!cached.feasible) continue;  // a plan that does not fit is not timed
        ASSERT_TRUE(cached.estimate.step_time.si() > 0.0) << cached.issue.detail;
        EXPECT_EQ(cached.estimate.step_time.si(), alone.step_time.si());
        ++compared;
      }
    }
  }
  EXPECT_GE(compared, 8);
}

TEST(PlanEvaluator, InfeasiblePlansSayWhy) {
  const auto s = parse(scenario_json("scenarios/deepseek-v3-h800.json"));
  PlanEvaluator evaluator(s, {4096, 15360});
  auto plan = s.plan;
  plan.expert = 3;  // does not divide 256 experts
  const auto odd = evaluator.evaluate(plan, 2048);
  EXPECT_FALSE(odd.feasible);
  EXPECT_EQ(odd.issue.reason, InfeasibleReason::experts_split) << odd.issue.detail;
  EXPECT_EQ(odd.issue.field, "expert_parallel");
  EXPECT_EQ(odd.issue.detail, "num_routed_experts (256) is not divisible by 3");
  plan = s.plan;
  plan.zero_stage = 0;
  plan.optimizer_moment_precision = Precision::fp32;
  const auto big = evaluator.evaluate(plan, 2048);
  EXPECT_FALSE(big.feasible);
  EXPECT_EQ(big.issue.reason, InfeasibleReason::out_of_memory);
  EXPECT_NE(big.issue.detail.find("out of memory by"), std::string::npos);
}

RankedPlan ranked(double step_s, double cost_usd, std::int64_t headroom_bytes) {
  RankedPlan r;
  r.simulated = true;
  r.simulation.total = Seconds(step_s);
  r.price.cost_usd = cost_usd;
  r.headroom = Bytes(headroom_bytes);
  return r;
}

TEST(Pareto, KeepsThePlansNothingBeatsOnEveryAxis) {
  std::vector<RankedPlan> plans = {ranked(10, 100, 5), ranked(12, 120, 9), ranked(11, 130, 4), ranked(10, 100, 5)};
  mark_pareto_front(plans);
  EXPECT_TRUE(plans[0].pareto);
  EXPECT_TRUE(plans[1].pareto);   // slower and dearer, but roomier
  EXPECT_FALSE(plans[2].pareto);  // beaten by the first on all three
  EXPECT_TRUE(plans[3].pareto);   // a tie is not beaten
}

}  // namespace
}  // namespace trainsim
