// What GPU-hours cost beyond rent: goodput under failures (Young/Daly), ownership, energy and
// emissions, and where each default comes from.
#include <gtest/gtest.h>

#include <cmath>

#include "cost/run_cost.hpp"
#include "scenario_fixture.hpp"

namespace trainsim {
namespace {
using namespace testing;

TEST(Goodput, YoungDalyOnHandWorkedNumbers) {
  // 1e-5 failures per GPU-hour on 10,000 GPUs: one every 10 h = 36,000 s. A 20 TB checkpoint
  // at 2 TB/s takes 10 s. Daly: tau = sqrt(2 x 10 x 36,000) - 10 = 838.53 s. Waste: writes
  // 10 / 848.53, plus half an interval and a 600 s restart per failure, (419.26 + 600) / 36,000.
  Reliability r;
  r.failures_per_gpu_hour = 1e-5;
  r.restart_time = Seconds(600);
  r.checkpoint_write_bandwidth = BytesPerSecond(2e12);
  const auto g = goodput(r, 10000, Bytes(20'000'000'000'000));
  EXPECT_NEAR(g.mtbf.si(), 36000.0, 1e-6);
  EXPECT_NEAR(g.checkpoint_write.si(), 10.0, 1e-9);
  EXPECT_NEAR(g.interval.si(), 838.53, 0.01);
  EXPECT_NEAR(g.efficiency, 1.0 - (10.0 / 848.53 + (419.26 + 600.0) / 36000.0), 1e-5);
  // Without failures nothing is lost.
  r.failures_per_gpu_hour = 0.0;
  EXPECT_DOUBLE_EQ(goodput(r, 10000, Bytes(1)).efficiency, 1.0);
}

TEST(Goodput, StretchesEstimatedPhasesOnly) {
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  doc["reliability"] = {{"job_mtbf", "3h"}, {"restart_time", "10min"}, {"checkpoint_write_bandwidth", "2TBps"},
                        {"source", "test"}};
  const auto s = parse(doc);
  const StepTimer one_second = [](const ParallelPlan&, const StepShape&) {
    StepEstimate e;
    e.step_time = Seconds(1);
    return e;
  };
  const auto run = run_cost(s, one_second, false);
  ASSERT_TRUE(run.goodput.has_value());
  const double e = run.goodput->efficiency;
  EXPECT_GT(e, 0.8);
  EXPECT_LT(e, 1.0);
  EXPECT_NEAR(run.phases[0].gpu_hours, run.phases[0].ideal_gpu_hours / e, 1e-6 * run.phases[0].gpu_hours);
  // The post-training phase's given GPU-hours are taken as the source counted them.
  EXPECT_DOUBLE_EQ(run.phases[2].gpu_hours, 5000.0);
  // DeepSeek-V3's checkpoint: 671B + 11.6B MTP parameters x (2 + 4 + 2 x 2) bytes (BF16 moments).
  EXPECT_NEAR(run.goodput->checkpoint.as_double(), (671.03e9 + 11.61e9) * 10.0, 0.01e12);
}

TEST(Economics, OwnershipEnergyAndEmissionsPerGpuHour) {
  EnergyPrices e;
  e.pue = {1.5, "x"};
  e.usd_per_kwh = {0.10, "x"};
  e.kg_co2_per_kwh = {0.4, "x"};
  e.power_per_gpu = Watts(1000);
  EXPECT_DOUBLE_EQ(kwh_per_gpu_hour(e), 1.5);
  Ownership o;
  o.gpu_usd = {30000, "x"};
  o.node_usd_per_gpu = 10000;
  o.network_usd_per_gpu = 2000;
  o.amortization_years = 4;
  o.utilization = 0.5;
  // $42,000 over 4 x 8,766 h at half use, plus 1.5 kWh x $0.10.
  EXPECT_NEAR(ownership_usd_per_gpu_hour(o, e), 42000.0 / (4 * 8766.0 * 0.5) + 0.15, 1e-9);
}

TEST(Economics, DefaultsCarryTheirSourcesAndScenariosOverrideThem) {
  const auto s = parse(scenario_json("scenarios/deepseek-v3-h800.json"));
  const auto& e = s.prices.energy;
  EXPECT_DOUBLE_EQ(e.pue.value, 1.58);
  EXPECT_NE(e.pue.source.find("Uptime Institute"), std::string::npos);
  EXPECT_DOUBLE_EQ(e.usd_per_kwh.value, 0.0806);
  EXPECT_NE(e.usd_per_kwh.source.find("EIA"), std::string::npos);
  EXPECT_DOUBLE_EQ(e.kg_co2_per_kwh.value, 0.5366);  // the scenario's (China, MEE)
  EXPECT_NE(e.kg_co2_per_kwh.source.find("Ecology and Environment"), std::string::npos);
  ASSERT_TRUE(e.power_per_gpu.has_value());
  EXPECT_NEAR(e.power_per_gpu->si(), 700.0 * 1.82, 1e-9);  // H800 TDP x DGX H100's server factor
}

TEST(Economics, BadPricesAndReliabilityNameTheField) {
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  doc["prices"].erase("rental_usd_per_gpu_hour");
  doc["reliability"] = {{"job_mtbf", "3h"}, {"failures_per_gpu_hour", 1e-5}, {"restart_time", "10min"},
                        {"checkpoint_write_bandwidth", "2TBps"}, {"source", "test"}};
  const auto found = issues(doc);
  EXPECT_TRUE(has_issue(found, "/prices", "rental_usd_per_gpu_hour or ownership")) << found.size();
  EXPECT_TRUE(has_issue(found, "/reliability", "exactly one of failures_per_gpu_hour and job_mtbf"));
}

}  // namespace
}  // namespace trainsim
