// The planner on the two runs its issue names. Simulations run in worker processes.
#include <gtest/gtest.h>

#include <algorithm>

#include "planner/plan_search.hpp"
#include "scenario_fixture.hpp"

namespace trainsim {
namespace {
using namespace testing;

const RankedPlan& best_simulated(const PlanSearchResult& r) {
  const RankedPlan* best = nullptr;
  for (const auto& p : r.shortlist) {
    if (p.simulated && (best == nullptr || p.simulation.total < best->simulation.total)) best = &p;
  }
  EXPECT_NE(best, nullptr);
  return *best;
}

const RankedPlan& baseline_of(const PlanSearchResult& r) {
  const auto it = std::find_if(r.shortlist.begin(), r.shortlist.end(), [](const RankedPlan& p) { return p.baseline; });
  EXPECT_NE(it, r.shortlist.end());
  return *it;
}

TEST(PlannerAcceptance, DeepSeekV3OnItsOwnCluster) {
  // DeepSeek's constraints: no tensor parallelism; the phase fixes sequence 4K and batch 15,360.
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  const auto s = parse(doc);
  auto space = plan_space(s);
  ASSERT_EQ(space.tensor, std::vector<std::int64_t>{1});
  space.top_k = 4;
  const auto r = search_plans(s, space, {2, EngineKind::simgrid, {}});
  ASSERT_GT(r.baseline_rank, 0) << r.baseline_reason;  // feasible
  EXPECT_LE(static_cast<double>(r.baseline_rank), 0.05 * static_cast<double>(r.feasible));
  const auto& baseline = baseline_of(r);
  ASSERT_TRUE(baseline.simulated) << baseline.simulation_error;
  EXPECT_LE(best_simulated(r).simulation.total.si(), baseline.simulation.total.si());
}

TEST(PlannerAcceptance, Llama405BOnSixteenThousandH100) {
  const auto s = parse(scenario_json("scenarios/llama-3.1-405b-h100.json"));
  auto space = plan_space(s);
  space.top_k = 2;
  const auto r = search_plans(s, space, {2, EngineKind::simgrid, {}});
  ASSERT_GT(r.baseline_rank, 0) << r.baseline_reason;
  const auto& baseline = baseline_of(r);
  ASSERT_TRUE(baseline.simulated) << baseline.simulation_error;
  EXPECT_LE(best_simulated(r).simulation.total.si(), 1.05 * baseline.simulation.total.si());
  // Plans that do not fit in 80 GB are rejected, and counted under that reason.
  const auto memory = std::find_if(r.infeasible.begin(), r.infeasible.end(),
                                   [](const InfeasibleCount& e) { return e.reason == InfeasibleReason::out_of_memory; });
  ASSERT_NE(memory, r.infeasible.end());
  EXPECT_GT(memory->plans, 0);
  EXPECT_NE(memory->example.find("GiB"), std::string::npos) << memory->example;
  for (const auto& p : r.shortlist) EXPECT_LE(p.estimate.memory.total().count(), s.cluster.gpu.memory_capacity.count());
}

}  // namespace
}  // namespace trainsim
