// The host that issues a rank's kernels: hand-timed passes, and what layer programs make of
// a dropless MoE layer's wait for its token counts and of CUDA graphs.
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "hardware/kernel_time_model.hpp"
#include "models/host_pacing.hpp"
#include "models/layer_costs.hpp"
#include "models/layer_program.hpp"
#include "models/step_estimate.hpp"
#include "scenario_fixture.hpp"

namespace trainsim {
namespace {
using namespace testing;

PacedStep step(double host_us, double device_us, bool waits = false) {
  return {Seconds(host_us * 1e-6), Seconds(device_us * 1e-6), waits};
}

double total_us(const std::vector<Seconds>& stalls) {
  double total = 0.0;
  for (const auto s : stalls) total += s.si() * 1e6;
  return total;
}

TEST(HostPacing, AHostAheadOfTheDeviceCostsNothing) {
  const auto stalls = host_stalls({step(20, 100), step(20, 5), step(20, 300)});
  EXPECT_DOUBLE_EQ(total_us(stalls), 0.0);
}

TEST(HostPacing, AHostBehindTheDeviceSetsThePace) {
  // 3 x 20 us issued against 45 us of kernels: the pass takes the host's 60 us, the 15 us
  // beyond the device shared out by host time.
  const auto stalls = host_stalls({step(20, 40), step(20, 3), step(20, 2)});
  ASSERT_EQ(stalls.size(), 3U);
  for (const auto s : stalls) EXPECT_NEAR(s.si() * 1e6, 5.0, 1e-9);
}

TEST(HostPacing, AfterAWaitTheDeviceIdlesUntilTheHostCatchesUp) {
  // Issue order A W B C D, the host waiting for the device at W; the stretch from W wraps into
  // the next layer's A. From an idle device: W issued at 20 (stall 20), runs to 70; B issued
  // at 50, runs 70-75; C issued at 80 (stall 5), runs to 85; D issued at 90 (stall 5), runs to
  // 290; A issued at 100, runs 290-390.
  const auto stalls = host_stalls({step(10, 100), step(20, 50, true), step(30, 5), step(30, 5), step(10, 200)});
  ASSERT_EQ(stalls.size(), 5U);
  EXPECT_NEAR(stalls[0].si() * 1e6, 0.0, 1e-9);
  EXPECT_NEAR(stalls[1].si() * 1e6, 20.0, 1e-9);
  EXPECT_NEAR(stalls[2].si() * 1e6, 0.0, 1e-9);
  EXPECT_NEAR(stalls[3].si() * 1e6, 5.0, 1e-9);
  EXPECT_NEAR(stalls[4].si() * 1e6, 5.0, 1e-9);
}

// The MoE layer of DeepSeek-V3's shipped scenario at a short sequence, priced as the engines do.
struct Priced {
  LayerCosts costs;
  LayerProgram program;
};
Priced moe_layer(bool pad_to_capacity, bool graphs, std::int64_t sequence, bool separate_weight_pass = false) {
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  doc["parallel"]["moe_pad_to_capacity"] = pad_to_capacity;
  doc["parallel"]["cuda_graphs"] = graphs;
  const auto s = parse(doc);
  const auto kernels = kernel_model(s.cluster);
  const CommunicationModel comm(s.plan, s.cluster, link_rates(s.cluster, kernels));
  Priced p{layer_costs(LayerKind::moe, s.model, s.plan, s.cluster, comm, MicroBatchShape{sequence, 1}), {}};
  p.program = layer_program(p.costs, kernels, 1.0, comm, HostIssue{HostCosts{}, graphs, separate_weight_pass});
  return p;
}

TEST(HostPacing, ADroplessMoeLayerWaitsForItsTokenCountsBeforeTheDispatch) {
  const auto dropless = moe_layer(false, false, 4096);
  int waits = 0;
  for (const auto& s : dropless.costs.steps) {
    if (!s.host_waits) continue;
    ++waits;
    EXPECT_EQ(s.name, "moe.dispatch");
  }
  EXPECT_EQ(waits, 1);
  // At the wait the device has nothing queued: it idles at least while the host issues the
  // dispatch, one operation.
  EXPECT_GE(dropless.program.host_stall.si(), HostCosts{}.per_operation.si() * (1 - 1e-12));
  const auto padded = moe_layer(true, false, 4096);
  for (const auto& s : padded.costs.steps) EXPECT_FALSE(s.host_waits) << s.name;
  EXPECT_LT(padded.program.host_stall, dropless.program.host_stall);
}

TEST(HostPacing, GroupedExpertGemmsLaunchOneKernelPerExpert) {
  const auto layer = moe_layer(false, false, 4096);
  bool found = false;
  for (const auto& s : layer.costs.steps) {
    if (s.name != "moe.experts.up") continue;
    found = true;
    EXPECT_EQ(s.operations, 1);
    EXPECT_EQ(s.launches, std::get<KernelStep>(s.work).kernel.gemm.groups);
    EXPECT_GT(s.launches, 1);
  }
  EXPECT_TRUE(found);
}

TEST(HostPacing, TheRouterAndDispatcherIssueWhatMegatronCoresFusedPathIssues) {
  // Counted in Megatron-Core @d98e8a6 with router and permute fusion: forward, router 7 (the
  // gating GEMM among them) and dispatcher 11 (3 of them after the host's wait: the tokens' and
  // the probabilities' all-to-alls and the chunk sort); combine 3. Backward: router 9 (its 2
  // GEMMs among them), dispatcher 4, combine 3.
  const auto layer = moe_layer(false, false, 4096);
  std::map<std::string, int> operations;
  for (const auto& s : layer.costs.steps) {
    if (s.name.starts_with("moe.router") || s.name.starts_with("moe.topk")) operations[std::string("router.") + std::string(to_string(s.pass))] += s.operations;
    if (s.name.starts_with("moe.permute") || s.name.starts_with("moe.dispatch")) operations[std::string("dispatch.") + std::string(to_string(s.pass))] += s.operations;
    if (s.name.starts_with("moe.combine") || s.name.starts_with("moe.unpermute")) operations[std::string("combine.") + std::string(to_string(s.pass))] += s.operations;
  }
  const auto forward = std::string(to_string(Pass::forward));
  const auto input = std::string(to_string(Pass::backward_input));
  const auto weight = std::string(to_string(Pass::backward_weight));
  EXPECT_EQ(operations["router." + forward], 7);
  EXPECT_EQ(operations["dispatch." + forward], 11);
  EXPECT_EQ(operations["combine." + forward], 3);
  EXPECT_EQ(operations["router." + input] + operations["router." + weight], 9);
  EXPECT_EQ(operations["dispatch." + input], 4);
  EXPECT_EQ(operations["combine." + input], 3);
}

TEST(HostPacing, CudaGraphsTakeTheHostOffTheCapturedPasses) {
  // A short sequence: per pass the layer issues more operations than its kernels keep the
  // device busy for, unless graphs replace them by one launch per captured stretch.
  const auto eager = moe_layer(true, false, 128);
  const auto graphed = moe_layer(true, true, 128);
  EXPECT_GT(eager.program.host_stall.si(), 0.0);
  EXPECT_DOUBLE_EQ(graphed.program.host_stall.si(), 0.0);
}

// The step's host stalls are its layers' on the busiest rank, once per micro-batch: the 1.7B GPT
// of the Megatron-LM README at TP1 PP1 on 256-token sequences, where the host is behind.
TEST(HostPacing, AStepReportsItsLayersHostStallsPerMicroBatch) {
  auto doc = scenario_json("validation/runs/mcore-1.json");
  doc["parallel"]["overlap_data_parallel"] = false;
  auto s = parse(doc);
  const auto kernels = kernel_model(s.cluster);
  const StepShape shape{256, 192};
  const auto e = estimate_step(s.model, s.cluster, s.plan, kernels, shape);
  const CommunicationModel comm(s.plan, s.cluster, link_rates(s.cluster, kernels));
  const HostIssue host{s.cluster.host, s.plan.cuda_graphs, false};
  const auto stall = [&](LayerKind kind) {
    const auto costs = layer_costs(kind, s.model, s.plan, s.cluster, comm, {shape.sequence_length, 1});
    return layer_program(costs, kernels, 1.0, comm, host).host_stall;
  };
  const Seconds per_micro_batch = stall(LayerKind::embedding) + stall(LayerKind::dense) * static_cast<double>(s.model.num_layers) +
                                  stall(LayerKind::head);
  ASSERT_GT(per_micro_batch.si(), 0.0);
  EXPECT_EQ(e.micro_batches, 4);
  EXPECT_NEAR(e.host_stall.si(), per_micro_batch.si() * 4.0, 1e-9 * e.host_stall.si());
  EXPECT_LT(e.host_stall, e.breakdown.compute);
}

TEST(HostPacing, WeightGradientsIssuedApartCannotHideTheInputGradientsHost) {
  // Split into two passes, the host cannot use one pass's device time to catch up on the
  // other's: max(0, H1 - D1) + max(0, H2 - D2) >= max(0, H1 + H2 - D1 - D2).
  const auto together = moe_layer(true, false, 128, false);
  const auto apart = moe_layer(true, false, 128, true);
  EXPECT_GT(together.program.host_stall.si(), 0.0);
  EXPECT_GE(apart.program.host_stall.si(), together.program.host_stall.si() * (1 - 1e-12));
}

TEST(HostPacing, AScenarioSetsItsHostsCosts) {
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  doc["cluster"]["host"] = {{"operation", "200us"}, {"extra_launch", "20us"}};
  const auto s = parse(doc);
  EXPECT_DOUBLE_EQ(s.cluster.host.per_operation.si(), 200e-6);
  EXPECT_DOUBLE_EQ(s.cluster.host.per_extra_launch.si(), 20e-6);
  EXPECT_DOUBLE_EQ(s.cluster.host.per_graph_launch.si(), HostCosts{}.per_graph_launch.si());
  doc["cluster"]["host"] = {{"operation", "fast"}};
  EXPECT_TRUE(has_issue(issues(doc), "/cluster/host/operation", ""));
  doc["cluster"]["host"] = {{"per_operation", "20us"}};
  EXPECT_TRUE(has_issue(issues(doc), "/cluster/host/per_operation", ""));
}

TEST(HostPacing, PaddingToCapacityIsRefusedWithSkewedRouting) {
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  doc["parallel"]["moe_pad_to_capacity"] = true;
  doc["parallel"]["routing"] = {{"distribution", "zipf"}, {"exponent", 1.0}};
  EXPECT_TRUE(has_issue(issues(doc), "/parallel/moe_pad_to_capacity", "needs balanced routing"));
}

}  // namespace
}  // namespace trainsim
