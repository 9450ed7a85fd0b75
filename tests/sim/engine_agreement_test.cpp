// The two backends and the two fidelities agree where they must.
#include <gtest/gtest.h>

#include "models/run_estimate.hpp"
#include "scenario_fixture.hpp"
#include "sim/step_simulation.hpp"

namespace trainsim {
namespace {
using namespace testing;

StepSimulation simulate(const Scenario& s, EngineKind engine, Fidelity fidelity) {
  const auto kernels = kernel_model(s.cluster);
  const auto& seg = s.phases.front().segments.front();
  const StepProblem p{s.model, s.cluster, seg.plan, kernels, {seg.sequence_length, seg.global_batch_size}, fidelity};
  return simulate_step(p, engine);
}

// Llama 3.1 8B on 16 H100, TP8 inside each node, PP2 across them, 1F1B: each link carries one
// flow at a time (ring steps on private NVLink ports, one pipeline transfer per NIC).
Scenario dense_without_contention() {
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  doc["model"] = "llama-3.1-8b";
  doc["cluster"]["gpu"] = "h100-sxm";
  doc["cluster"]["calibration"] = "h100-published";
  doc["cluster"]["gpu_count"] = 16;
  doc["parallel"] = {{"tensor_parallel", 8}, {"pipeline_parallel", 2}, {"data_parallel", 1}, {"schedule", "1f1b"},
                     {"micro_batch_size", 1}, {"zero_stage", 1}, {"recomputation", "none"}, {"precision", "bf16"}};
  doc["training"]["phases"] = nlohmann::json::array(
      {{{"name", "p"}, {"steps", 10}, {"sequence_length", 8192}, {"global_batch_size", 16}}});
  doc.erase("published");
  return parse(doc);
}

// DeepSeek-V3 layers on 256 H800: PP4 DualPipe, DP64, EP64 over 8 nodes, 8 micro-batches.
Scenario moe_256() {
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  doc["cluster"]["gpu_count"] = 256;
  doc["parallel"]["pipeline_parallel"] = 4;
  doc["parallel"]["data_parallel"] = 64;
  doc["training"]["phases"] = nlohmann::json::array(
      {{{"name", "p"}, {"steps", 10}, {"sequence_length", 4096}, {"global_batch_size", 512}}});
  doc.erase("published");
  return parse(doc);
}

TEST(EngineAgreement, AnalyticAndSimGridAgreeWithoutContention) {
  const auto s = dense_without_contention();
  const auto analytic = simulate(s, EngineKind::analytic, Fidelity::full);
  const auto simgrid = simulate(s, EngineKind::simgrid, Fidelity::full);
  EXPECT_NEAR(simgrid.estimate.step_time.si(), analytic.estimate.step_time.si(), 0.01 * analytic.estimate.step_time.si());
}

TEST(EngineAgreement, ReducedFidelityMatchesFullDetail) {
  const auto s = moe_256();
  const auto full = simulate(s, EngineKind::simgrid, Fidelity::full);
  const auto reduced = simulate(s, EngineKind::simgrid, Fidelity::reduced);
  EXPECT_EQ(full.simulated_ranks, 256U);
  EXPECT_EQ(reduced.simulated_ranks, 4U);
  EXPECT_NEAR(reduced.estimate.step_time.si(), full.estimate.step_time.si(), 0.02 * full.estimate.step_time.si());
}

TEST(EngineAgreement, ReducedFidelityMatchesFullDetailOnAnOversubscribedFabric) {
  // Plain fat tree, 4:1 over the leaves, radix 16 (one node per leaf): the pipeline's and the
  // expert groups' traffic crosses shared up-links, whose capacity the reduction divides.
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  doc["cluster"]["gpu_count"] = 128;
  doc["cluster"]["network"]["topology"] = "fat_tree";
  doc["cluster"]["network"]["switch_radix"] = 16;
  doc["cluster"]["network"]["oversubscription"] = 4.0;
  doc["parallel"]["pipeline_parallel"] = 2;
  doc["parallel"]["data_parallel"] = 64;
  doc["training"]["phases"] = nlohmann::json::array(
      {{{"name", "p"}, {"steps", 10}, {"sequence_length", 4096}, {"global_batch_size", 256}}});
  doc.erase("published");
  const auto s = parse(doc);
  const auto full = simulate(s, EngineKind::simgrid, Fidelity::full);
  const auto reduced = simulate(s, EngineKind::simgrid, Fidelity::reduced);
  EXPECT_NEAR(reduced.estimate.step_time.si(), full.estimate.step_time.si(), 0.02 * full.estimate.step_time.si());
}

TEST(EngineAgreement, MultiPlaneAndMultiRailFatTreesAgree) {
  // ISCA'25 Table 4: MPFT and MRFT differ by 0.1% in tokens/day.
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  const auto mpft = simulate(parse(doc), EngineKind::simgrid, Fidelity::reduced);
  doc["cluster"]["network"]["topology"] = "rail_optimized_fat_tree";
  const auto mrft = simulate(parse(doc), EngineKind::simgrid, Fidelity::reduced);
  EXPECT_NEAR(mrft.estimate.step_time.si(), mpft.estimate.step_time.si(), 0.01 * mpft.estimate.step_time.si());
}

}  // namespace
}  // namespace trainsim
