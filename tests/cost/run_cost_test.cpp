#include <gtest/gtest.h>

#include <cmath>

#include "cost/run_cost.hpp"
#include "cost/run_estimate.hpp"
#include "cost/simulated_timer.hpp"
#include "sim/simulation_size.hpp"
#include "scenario_fixture.hpp"

namespace trainsim {
namespace {
using namespace testing;

// compare and sweep size each simulation as simulate does: one beyond its memory is refused
// before it starts (DeepSeek-V3's reduced step needs about 0.08 GiB: simulate --dry-run).
TEST(RunCost, SimulatedRunsAreHeldToTheirMemory) {
  const auto s = parse(scenario_json("scenarios/deepseek-v3-h800.json"));
  EXPECT_THROW((void)estimate_run_with(s, EngineKind::analytic, Bytes(1 << 20)), SimulationTooLarge);
  EXPECT_NO_THROW((void)estimate_run_with(s, EngineKind::analytic, Bytes(std::int64_t{4} << 30)));
  EXPECT_NO_THROW((void)estimate_run_with(s, std::nullopt, Bytes(1)));  // the closed form simulates nothing
}

TEST(RunCost, ReproducesDeepSeekBookkeepingFromGivenFigures) {
  const auto s = parse(scenario_json("scenarios/deepseek-v3-h800.json"));
  const StepTimer never = [](const ParallelPlan&, const StepShape&) -> StepEstimate {
    throw std::logic_error("given figures need no estimate");
  };
  const auto run = run_cost(s, never, true);
  ASSERT_EQ(run.phases.size(), 3U);
  // DeepSeek-V3 Table 1 and sec.1: 14.8T x 180K per trillion = 2664K; + 119K + 5K = 2788K.
  EXPECT_NEAR(run.phases[0].gpu_hours, 2'664'000.0, 1e-6);
  EXPECT_NEAR(run.gpu_hours, 2'788'000.0, 1e-6);
  EXPECT_NEAR(run.cost_usd, 5'576'000.0, 1e-6);
}

TEST(RunCost, RampIsIntegratedOverItsBatches) {
  const auto s = parse(scenario_json("scenarios/deepseek-v3-h800.json"));
  // A timer whose steps all take one second: time is then the number of steps.
  const StepTimer one_second = [](const ParallelPlan&, const StepShape&) {
    StepEstimate e;
    e.step_time = Seconds(1);
    return e;
  };
  const auto run = run_cost(s, one_second, false);
  const auto& seg = s.phases[0].segments[0];
  const double seq = 4096;
  const double b0 = 3072;
  const double b1 = 15360;
  // Linear ramp in tokens: steps = R / ((b1 - b0) seq) * ln(b1 / b0); then the rest at b1.
  const double ramp_steps = seg.ramp->tokens / ((b1 - b0) * seq) * std::log(b1 / b0);
  const double steady_steps = (*seg.tokens - seg.ramp->tokens) / (b1 * seq);
  // 8 midpoint segments on 1/b, batches rounded down to multiples of 128: the first
  // segment's midpoint 3840 is exact, the others err below 3%, so 3% bounds the ramp.
  EXPECT_NEAR(run.phases[0].steps - steady_steps, ramp_steps, ramp_steps * 0.03);
  EXPECT_NEAR(run.phases[0].days * 86400.0, run.phases[0].steps, 1e-6);
  // The ramp's first batches cannot run DualPipe (fewer than 32 micro-batches): said, not hidden.
  EXPECT_FALSE(run.phases[0].warnings.empty());
}

// The shipped skew scenario reports the routed copies per EP rank (the group's micro-batch
// tokens, top-8 each, 64 ranks), the hottest rank of the routing's own loads, and the step
// under balanced routing from the same timer, which the skew can only lengthen.
TEST(RunCost, SkewedRoutingIsReportedAgainstBalancedRouting) {
  const auto s = parse(scenario_json("scenarios/moe-skew/deepseek-v3-zipf1-eplb.json"));
  const auto r = estimate_run(s, closed_form_timer(s), false, "closed-form");
  ASSERT_TRUE(r.routing.has_value());
  const auto& q = *r.routing;
  const auto loads = expert_rank_loads(s.plan.routing, 256, 8, 64);
  ASSERT_EQ(q.tokens_per_rank.size(), 64U);
  double total = 0.0;
  for (const double t : q.tokens_per_rank) total += t;
  EXPECT_NEAR(total, 64.0 * 4096.0 * 8.0, 1e-6);
  EXPECT_EQ(q.hottest_rank, loads.hottest_rank);
  EXPECT_DOUBLE_EQ(q.hottest_factor, loads.hottest_factor());
  EXPECT_TRUE(q.over_fabric);  // EP64 spans 8 nodes
  EXPECT_GT(q.step.si(), q.balanced_step.si());
  EXPECT_DOUBLE_EQ(q.step.si(), r.headline->step_time.si());
  const auto plain = parse(scenario_json("scenarios/deepseek-v3-h800.json"));
  EXPECT_FALSE(estimate_run(plain, closed_form_timer(plain), false, "closed-form").routing.has_value());
}

}  // namespace
}  // namespace trainsim
