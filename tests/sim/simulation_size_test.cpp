// A simulation's size is known before it runs: the full-detail estimate (scaled from one
// pipeline's lowering) is what lowering every GPU gives, and a refusal states the numbers.
#include <gtest/gtest.h>

#include "hardware/kernel_time_model.hpp"
#include "scenario_fixture.hpp"
#include "sim/simulation_size.hpp"
#include "sim/step_simulation.hpp"

namespace trainsim {
namespace {
using namespace testing;

// DeepSeek-V3 layers on 256 H800: PP4 DualPipe, DP64, EP64 over 8 nodes, 8 micro-batches.
struct Moe256 {
  Moe256() : scenario(make()), kernels(kernel_model(scenario.cluster)), program(make_program()) {}
  static Scenario make() {
    auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
    doc["cluster"]["gpu_count"] = 256;
    doc["parallel"]["pipeline_parallel"] = 4;
    doc["parallel"]["data_parallel"] = 64;
    doc["training"]["phases"] = nlohmann::json::array(
        {{{"name", "p"}, {"steps", 10}, {"sequence_length", 4096}, {"global_batch_size", 512}}});
    doc.erase("published");
    return parse(doc);
  }
  StepProgram make_program() const {
    const auto& seg = scenario.phases.front().segments.front();
    return {scenario.model, scenario.cluster, seg.plan, kernels, {seg.sequence_length, seg.global_batch_size}};
  }
  Scenario scenario;
  KernelTimeModel kernels;
  StepProgram program;
};

TEST(SimulationSize, ReducedEstimateIsItsLowering) {
  const Moe256 m;
  const auto estimate = estimate_simulation_size(m.program, {.fidelity = Fidelity::reduced});
  const auto lowered = lower_step(m.program, {.fidelity = Fidelity::reduced});
  const auto actual = simulation_size(lowered.workload, Fidelity::reduced);
  EXPECT_EQ(estimate.simulated_ranks, 4U);
  EXPECT_EQ(estimate.ops, actual.ops);
  EXPECT_EQ(estimate.flows, actual.flows);
  EXPECT_EQ(estimate.memory, actual.memory);
}

TEST(SimulationSize, FullDetailEstimateMatchesLoweringEveryGpu) {
  const Moe256 m;
  const auto estimate = estimate_simulation_size(m.program, {.fidelity = Fidelity::full});
  const auto actual = simulation_size(lower_step(m.program, {.fidelity = Fidelity::full}).workload, Fidelity::full);
  EXPECT_EQ(estimate.simulated_ranks, 256U);
  // Every pipeline runs the same program, and the reduced lowering counts the flows that it
  // merges: the scaled counts are the full ones.
  EXPECT_EQ(estimate.ops, actual.ops);
  EXPECT_EQ(estimate.flows, actual.flows);
  // The expert all-to-all at full detail has an order of magnitude more flows than the merged
  // reduced run: the reason the estimate cannot just scale the reduced flow count.
  const auto reduced = estimate_simulation_size(m.program, {.fidelity = Fidelity::reduced});
  EXPECT_GT(static_cast<double>(estimate.flows), 10.0 * 64.0 * static_cast<double>(reduced.flows));
}

TEST(SimulationSize, ARefusalStatesTheEstimateAndTheLimit) {
  const Moe256 m;
  const auto size = estimate_simulation_size(m.program, {.fidelity = Fidelity::full});
  EXPECT_NO_THROW(check_simulation_fits(size, size.memory));
  try {
    check_simulation_fits(size, Bytes(std::int64_t{1} << 20));
    FAIL() << "a 1 MiB limit must refuse";
  } catch (const SimulationTooLarge& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("256 GPUs at full detail"), std::string::npos) << what;
    EXPECT_NE(what.find("more than the 0.00 GiB allowed"), std::string::npos) << what;
    EXPECT_NE(what.find("--fidelity reduced"), std::string::npos) << what;
  }
  EXPECT_THROW(simulate_step(m.program, EngineKind::analytic, {.fidelity = Fidelity::full, .memory_limit = Bytes(1)}),
               SimulationTooLarge);
}

}  // namespace
}  // namespace trainsim
