#include <gtest/gtest.h>

#include <cmath>

#include "cost/run_cost.hpp"
#include "cost/run_estimate.hpp"
#include "scenario_fixture.hpp"

namespace trainsim {
namespace {
using namespace testing;

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

}  // namespace
}  // namespace trainsim
