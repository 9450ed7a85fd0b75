// Routing skew: expert loads from a distribution or a table, capped by top-k, placed as the
// frameworks place experts or packed by EPLB; the hottest expert-parallel rank sets the MoE
// layer's expert GEMMs and all-to-all in the one step program both engines run.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "hardware/kernel_time_model.hpp"
#include "models/collective_time.hpp"
#include "models/layer_costs.hpp"
#include "models/moe_routing.hpp"
#include "scenario_fixture.hpp"

namespace trainsim {
namespace {
using namespace testing;

MoeRouting table(std::vector<double> loads, std::int64_t redundant = 0) {
  MoeRouting r;
  r.distribution = RoutingDistribution::table;
  r.expert_loads = std::move(loads);
  r.redundant_experts = redundant;
  return r;
}

TEST(RoutingSkew, BalancedRoutingLoadsEveryRankAlike) {
  const auto loads = expert_rank_loads(MoeRouting{}, 256, 8, 64);
  ASSERT_EQ(loads.share.size(), 64U);
  for (const double s : loads.share) EXPECT_DOUBLE_EQ(s, 1.0 / 64.0);
  EXPECT_DOUBLE_EQ(loads.hottest_factor(), 1.0);
  EXPECT_EQ(loads.slots_per_rank, 4);
}

TEST(RoutingSkew, ExpertsSitInOrderWithoutRedundancy) {
  // Experts 0 and 1 on rank 0: (3 + 1) of 10 tokens, 1.6 times the mean rank's 2.5.
  const auto loads = expert_rank_loads(table({3, 1, 1, 1, 1, 1, 1, 1}), 8, 1, 4);
  EXPECT_EQ(loads.hottest_rank, 0);
  EXPECT_NEAR(loads.hottest_factor(), 1.6, 1e-12);
}

TEST(RoutingSkew, NoExpertTakesMoreThanEveryToken) {
  // Zipf(2) over 8 experts gives the hottest 1/H = 65% of the weight, but with top-2 it can
  // be chosen by every token at most: half the routed copies. One expert per rank, so its rank
  // carries 0.5 x 8 = 4 times the mean; the others share the rest by their Zipf weights.
  MoeRouting zipf;
  zipf.distribution = RoutingDistribution::zipf;
  zipf.zipf_exponent = 2.0;
  const auto loads = expert_rank_loads(zipf, 8, 2, 8);
  EXPECT_NEAR(loads.hottest_factor(), 4.0, 1e-12);
  EXPECT_NEAR(std::accumulate(loads.share.begin(), loads.share.end(), 0.0), 1.0, 1e-12);
  double second = 0.0;
  for (std::size_t r = 0; r < loads.share.size(); ++r) {
    if (static_cast<std::int64_t>(r) != loads.hottest_rank) second = std::max(second, loads.share[r]);
  }
  const double h = 1.0 / 4 + 1.0 / 9 + 1.0 / 16 + 1.0 / 25 + 1.0 / 36 + 1.0 / 49 + 1.0 / 64;
  EXPECT_NEAR(second, 0.5 * (1.0 / 4) / h, 1e-12);
  // The same seed deals the same hot experts: same inputs, same outputs.
  EXPECT_EQ(expert_rank_loads(zipf, 8, 2, 8).share, loads.share);
}

TEST(RoutingSkew, RedundantExpertsReplicateTheHottestAndPackByLoad) {
  // Expert 0 draws 5 of 12 tokens. In place on 4 ranks, its rank carries 5 + 1 of them, twice
  // the mean. With four spare slots the hot expert is replicated while its replicas carry more
  // than any other expert (2.5, 1.67, 1.25, then 1 each): twelve replicas of one token each,
  // three per rank, perfectly balanced.
  EXPECT_NEAR(expert_rank_loads(table({5, 1, 1, 1, 1, 1, 1, 1}), 8, 1, 4).hottest_factor(), 2.0, 1e-12);
  const auto spread = expert_rank_loads(table({5, 1, 1, 1, 1, 1, 1, 1}, 4), 8, 1, 4);
  EXPECT_EQ(spread.slots_per_rank, 3);
  EXPECT_NEAR(spread.hottest_factor(), 1.0, 1e-12);
  // One spare slot on 3 ranks: replicas of 2, 2 and seven of 1 packed heaviest first onto the
  // least-loaded rank with room: 4, 4 and 3 of 11, the best split there is.
  EXPECT_NEAR(expert_rank_loads(table({4, 1, 1, 1, 1, 1, 1, 1}, 1), 8, 1, 3).hottest_factor(), 12.0 / 11.0, 1e-12);
}

// DeepSeek-V3's MoE layer on 64 EP ranks with expert 0 drawing 9 times any other's tokens:
// rank 0 holds experts 0-3, 12 of the 264 weights, 2.91 times the mean rank. Its grouped GEMMs
// run on exactly those tokens, and each all-to-all carries that share.
TEST(RoutingSkew, TheHottestRanksTokensSetTheExpertGemmsAndTheExchange) {
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  std::vector<double> loads(256, 1.0);
  loads[0] = 9.0;
  doc["parallel"]["routing"] = {{"distribution", "table"}, {"expert_loads", loads}};
  const auto skewed = parse(doc);
  doc["parallel"].erase("routing");
  const auto balanced = parse(doc);
  const auto layer = [](const Scenario& s) {
    const CommunicationModel comm(s.plan, s.cluster, link_rates(s.cluster, kernel_model(s.cluster)));
    return layer_costs(LayerKind::moe, s.model, s.plan, s.cluster, comm, {4096, 1});
  };
  const auto hot = layer(skewed);
  const auto even = layer(balanced);
  const auto find = [](const LayerCosts& c, const std::string& name) -> const LayerStep& {
    for (const auto& s : c.steps) {
      if (s.name == name && s.pass == Pass::forward) return s;
    }
    throw std::runtime_error(name);
  };
  const double factor = 12.0 / 264.0 * 64.0;
  const auto tokens = static_cast<std::int64_t>(std::llround(4096.0 * 8.0 * factor));
  const auto& up = find(hot, "moe.experts.up").kernel()->gemm;
  EXPECT_EQ(up.groups, 4);
  EXPECT_EQ(up.m, tokens / 4);
  EXPECT_EQ(find(even, "moe.experts.up").kernel()->gemm.m, 4096 * 8 / 4);
  const auto* a2a_hot = std::get_if<AllToAllStep>(&find(hot, "moe.dispatch").work);
  const auto* a2a_even = std::get_if<AllToAllStep>(&find(even, "moe.dispatch").work);
  ASSERT_TRUE(a2a_hot != nullptr && a2a_even != nullptr);
  EXPECT_NEAR(a2a_hot->scale_out.as_double(), a2a_even->scale_out.as_double() * factor, a2a_even->scale_out.as_double() * 1e-9);
}

TEST(RoutingSkew, RoutingThatDoesNotMatchTheExpertsIsRefusedAtItsField) {
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  doc["parallel"]["routing"] = {{"distribution", "table"}, {"expert_loads", {1.0, 2.0}}};
  EXPECT_TRUE(has_issue(issues(doc), "/parallel/routing", "expert_loads has 2 entries but the model has 256"));
  doc["parallel"]["routing"] = {{"distribution", "zipf"}, {"exponent", 1.0}, {"redundant_experts", 32}};
  EXPECT_TRUE(has_issue(issues(doc), "/parallel/routing", "(256 + 32) do not split over expert_parallel 64"));
  doc["parallel"]["routing"] = {{"distribution", "zipf"}, {"exponent", -1.0}};
  EXPECT_TRUE(has_issue(issues(doc), "/parallel/routing/exponent", ""));
  doc["parallel"]["routing"] = {{"distribution", "table"}, {"expert_loads", {1.0, "x"}}};
  EXPECT_TRUE(has_issue(issues(doc), "/parallel/routing/expert_loads/1", "non-negative number"));
  std::vector<double> seven(256, 0.0);
  for (int e = 0; e < 7; ++e) seven[static_cast<std::size_t>(e)] = 1.0;
  doc["parallel"]["routing"] = {{"distribution", "table"}, {"expert_loads", seven}};
  EXPECT_TRUE(has_issue(issues(doc), "/parallel/routing", "gives tokens to 7 experts, fewer than the 8"));
  doc["parallel"]["routing"] = {{"distribution", "balanced"}, {"redundant_experts", 320}};
  EXPECT_TRUE(has_issue(issues(doc), "/parallel/routing", "redundant_experts (320) exceeds the 256"));
  doc["parallel"]["routing"] = {{"distribution", "balanced"}, {"seed", 3}};  // a seed deals Zipf ranks only
  EXPECT_TRUE(has_issue(issues(doc), "/parallel/routing/seed", ""));
  doc["model"] = "llama-3.1-8b";
  doc["parallel"]["expert_parallel"] = 1;
  doc["parallel"]["routing"] = {{"distribution", "zipf"}, {"exponent", 1.0}};
  EXPECT_TRUE(has_issue(issues(doc), "/parallel/routing", "need a mixture-of-experts model"));
}

}  // namespace
}  // namespace trainsim
