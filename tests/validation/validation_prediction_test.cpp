// A validation row's prediction is the simulated step under the row's own convention (the
// engine runs: label validation).
#include <gtest/gtest.h>

#include "cost/simulated_timer.hpp"
#include "scenario_fixture.hpp"
#include "validation/validation_suite.hpp"

namespace trainsim {
namespace {
using namespace testing;

TEST(Validation, PredictionIsTheSimulatedStepUnderTheRowsConvention) {
  const auto s = parse(scenario_json("validation/runs/mb-7.json"));
  const auto row = validate_scenario(s, EngineKind::analytic);
  ASSERT_TRUE(row.feasible()) << row.reason;
  SimulatedTimer timer(s, EngineKind::analytic, Fidelity::reduced);
  const auto& seg = s.phases[0].segments[0];
  const auto step = timer.timer()(seg.plan, {seg.sequence_length, seg.global_batch_size});
  // tokens/s/GPU = 8,192 sequences x 4,096 tokens / step / 1,024 GPUs.
  EXPECT_NEAR(row.predicted, 8192.0 * 4096.0 / step.step_time.si() / 1024.0, 1e-9 * row.predicted);
  EXPECT_NEAR(row.error(), row.predicted / 1297.0 - 1.0, 1e-12);
}

}  // namespace
}  // namespace trainsim
