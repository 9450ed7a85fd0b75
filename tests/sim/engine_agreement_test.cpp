// The two backends and the two fidelities agree where they must.
#include <gtest/gtest.h>

#include "hardware/kernel_time_model.hpp"
#include "scenario_fixture.hpp"
#include "sim/step_simulation.hpp"

namespace trainsim {
namespace {
using namespace testing;

StepSimulation simulate(const Scenario& s, EngineKind engine, Fidelity fidelity) {
  const auto kernels = kernel_model(s.cluster);
  const auto& seg = s.phases.front().segments.front();
  const StepProgram program(s.model, s.cluster, seg.plan, kernels, {seg.sequence_length, seg.global_batch_size});
  return simulate_step(program, engine, {.fidelity = fidelity});
}

// One training phase of 10 steps at the given shape, with no published figures.
void one_phase(nlohmann::json& doc, std::int64_t sequence_length, std::int64_t global_batch_size) {
  doc["training"]["phases"] = nlohmann::json::array({{{"name", "p"},
                                                      {"steps", 10},
                                                      {"sequence_length", sequence_length},
                                                      {"global_batch_size", global_batch_size}}});
  doc.erase("published");
}

// Returns the full-detail step after checking that the reduced run matches it.
double expect_reduced_matches_full(const Scenario& s, double tolerance) {
  const auto full = simulate(s, EngineKind::simgrid, Fidelity::full);
  const auto reduced = simulate(s, EngineKind::simgrid, Fidelity::reduced);
  EXPECT_NEAR(reduced.estimate.step_time.si(), full.estimate.step_time.si(), tolerance * full.estimate.step_time.si());
  return full.estimate.step_time.si();
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
  one_phase(doc, 8192, 16);
  return parse(doc);
}

// DeepSeek-V3 layers on 256 H800: PP4 DualPipe, DP64, EP64 over 8 nodes, 8 micro-batches.
Scenario moe_256() {
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  doc["cluster"]["gpu_count"] = 256;
  doc["parallel"]["pipeline_parallel"] = 4;
  doc["parallel"]["data_parallel"] = 64;
  one_phase(doc, 4096, 512);
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

TEST(EngineAgreement, DualPipeVAndZeroThreeInBothFidelities) {
  // DualPipeV turns its V on the last rank, which hands chunk pp-1 to chunk pp in memory;
  // ZeRO-3 gathers weights (a pass ahead) and reduce-scatters gradients around every pass, so
  // each NIC carries three independent streams of traffic at once (gathers, reduce-scatters,
  // expert all-to-all). The reduced run moves every mirrored copy in exact lockstep with its
  // representative, the worst case for that overlap; all GPUs simulated, the copies' steps
  // drift apart. So the reduced step may only be slower, and by a few percent at most (it
  // carries the same bytes on every link: only their timing differs).
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  doc["cluster"]["gpu_count"] = 128;
  doc["parallel"]["pipeline_parallel"] = 2;
  doc["parallel"]["data_parallel"] = 64;
  doc["parallel"]["schedule"] = "dualpipe_v";
  doc["parallel"]["zero_stage"] = 3;
  one_phase(doc, 4096, 256);
  const auto s = parse(doc);
  const double full = simulate(s, EngineKind::simgrid, Fidelity::full).estimate.step_time.si();
  const double reduced = simulate(s, EngineKind::simgrid, Fidelity::reduced).estimate.step_time.si();
  EXPECT_GE(reduced, full);
  EXPECT_LE(reduced, 1.03 * full);
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
  one_phase(doc, 4096, 256);
  expect_reduced_matches_full(parse(doc), 0.02);
}

TEST(EngineAgreement, FoldedExpertGroupsInBothFidelities) {
  // Qwen3-30B-A3B on four H100 nodes at TP2 PP2 DP8, the MoE layers folded over each stage's
  // 16 ranks: EP16 reaching across the tensor ranks (MB-6's fold), and EP4 with experts split
  // over ETP2 (Grok's). Every member of a folded group is a mirror of the one simulated rank
  // per stage, so the reduced run must carry the same bytes on the same links.
  auto doc = scenario_json("validation/runs/mb-5.json");
  doc["cluster"]["gpu_count"] = 32;
  doc["parallel"]["tensor_parallel"] = 2;
  doc["parallel"]["sequence_parallel"] = true;
  doc["parallel"]["data_parallel"] = 8;
  doc["parallel"]["virtual_stages"] = 2;
  doc.erase("validation");
  one_phase(doc, 4096, 32);
  for (const auto& [ep, etp] : {std::pair{16, 1}, std::pair{4, 2}}) {
    doc["parallel"]["expert_parallel"] = ep;
    doc["parallel"]["expert_tensor_parallel"] = etp;
    expect_reduced_matches_full(parse(doc), 0.02);
  }
}

TEST(EngineAgreement, ContextParallelRingAcrossNodesRunsInLockstep) {
  // Llama 3.1 8B made multi-head (32 key/value heads, as Llama 2 7B) so that keys and values
  // outweigh the attention blocks they feed: 64K tokens over CP16 on two H100 nodes, two of
  // the ring's sixteen hops on InfiniBand. Every hop of a lockstep ring waits for those; all
  // GPUs simulated, that emerges from the hops' order, and the reduced run's single GPU must
  // stand in for it. The closed form prices the same ring beside the same attention blocks.
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  const auto catalog = scenario_json("models/catalog/models.json");
  for (auto model : catalog["models"]) {
    if (model["id"] != "llama-3.1-8b") continue;
    model["id"] = "llama-3.1-8b-mha";
    model["attention"]["num_kv_heads"] = 32;
    doc["model"] = model;
  }
  ASSERT_TRUE(doc["model"].is_object());
  doc["cluster"]["gpu"] = "h100-sxm";
  doc["cluster"]["calibration"] = "h100-published";
  doc["cluster"]["gpu_count"] = 16;
  doc["parallel"] = {{"tensor_parallel", 1}, {"pipeline_parallel", 1}, {"data_parallel", 1}, {"context_parallel", 16},
                     {"schedule", "1f1b"}, {"micro_batch_size", 1}, {"zero_stage", 1}, {"recomputation", "none"},
                     {"precision", "bf16"}};
  one_phase(doc, 65536, 2);
  const auto s = parse(doc);
  const double full = expect_reduced_matches_full(s, 0.03);
  const auto closed = estimate_step(s.model, s.cluster, s.phases.front().segments.front().plan, kernel_model(s.cluster),
                                    {65536, 2});
  EXPECT_NEAR(closed.step_time.si(), full, 0.05 * full);
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

namespace trainsim {
namespace {

// Megatron-LM's GPT 32B weak-scaling run (NVIDIA/Megatron-LM README model table, row MCORE-4 of
// ../shared/reference/validation-public.csv): 384 H100, TP8 DP48, sequence 4096, 192
// sequences, with --overlap-grad-reduce and --overlap-param-gather.
Scenario gpt_32b_on_384(bool overlap, bool tp_comm_overlap = false) {
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  doc["model"] = {{"id", "gpt-32b"},
                  {"name", "GPT 32B"},
                  {"sources", {"NVIDIA/Megatron-LM README model table: 48 layers, hidden 7168, 56 heads, vocabulary 131072"}},
                  {"vocab_size", 131072},
                  {"hidden_size", 7168},
                  {"num_layers", 48},
                  {"max_sequence_length", 4096},
                  {"attention", {{"kind", "mha"}, {"num_heads", 56}, {"num_kv_heads", 56}, {"head_dim", 128}}},
                  {"ffn", {{"activation", "gelu"}, {"intermediate_size", 28672}}},
                  {"norm", "rmsnorm"},
                  {"position_embedding", "rope"},
                  {"tied_embeddings", false}};
  doc["cluster"]["gpu"] = "h100-sxm";
  doc["cluster"]["calibration"] = "h100-published";
  doc["cluster"]["gpu_count"] = 384;
  doc["cluster"]["network"]["topology"] = "rail_optimized_fat_tree";
  doc["parallel"] = {{"tensor_parallel", 8}, {"pipeline_parallel", 1}, {"data_parallel", 48}, {"schedule", "1f1b"},
                     {"micro_batch_size", 1}, {"zero_stage", 1}, {"recomputation", "none"}, {"precision", "bf16"},
                     {"overlap_data_parallel", overlap}, {"tp_comm_overlap", tp_comm_overlap}};
  one_phase(doc, 4096, 192);
  return parse(doc);
}

TEST(TensorOverlap, BothEnginesHideTheTensorParallelCollectives) {
  // The same rewritten layers in both engines: the analytic backend saves what the closed form
  // does; SimGrid, where the overlapped collectives share NVLink with nothing else here, about
  // as much, and its step stays within the engines' 2.5% of the closed form's.
  const auto on = gpt_32b_on_384(false, true);
  const auto off = gpt_32b_on_384(false, false);
  const auto kernels = kernel_model(on.cluster);
  const StepShape shape{4096, 192};
  const StepProgram overlapped(on.model, on.cluster, on.phases.front().segments.front().plan, kernels, shape);
  const StepProgram exposed(off.model, off.cluster, off.phases.front().segments.front().plan, kernels, shape);
  const double closed = estimate_step(exposed).step_time.si() - estimate_step(overlapped).step_time.si();
  EXPECT_GT(closed, 0.05 * estimate_step(exposed).step_time.si());
  const auto step = [&](const StepProgram& p, EngineKind engine) { return simulate_step(p, engine).estimate.step_time.si(); };
  EXPECT_NEAR(step(exposed, EngineKind::analytic) - step(overlapped, EngineKind::analytic), closed, 0.05 * closed);
  const double simgrid = step(overlapped, EngineKind::simgrid);
  EXPECT_NEAR(simgrid, estimate_step(overlapped).step_time.si(), 0.025 * simgrid);
}

TEST(OverlapDataParallel, HidesTheExchangeInBothEngines) {
  // With ZeRO-1 the step ends with a gradient reduce-scatter and a weight all-gather over the
  // 48 data-parallel ranks. Overlapped, the reduce-scatter may run beside the last micro-batch's
  // backward and the gather beside the first's forward (the next step's): each engine's step
  // must shrink by what those windows hide, min(exchange, window) for each, as the program
  // states them. The closed form and the analytic backend hide exactly that (the exchange ends
  // the step on this single-stage pipeline); SimGrid, where the gradients' reduce-scatter shares
  // NVLink with the backward's tensor-parallel collectives, at least half of it.
  const auto on = gpt_32b_on_384(true);
  const auto off = gpt_32b_on_384(false);
  const auto kernels = kernel_model(on.cluster);
  const StepShape shape{4096, 192};
  const StepProgram overlapped(on.model, on.cluster, on.phases.front().segments.front().plan, kernels, shape);
  const StepProgram exposed(off.model, off.cluster, off.phases.front().segments.front().plan, kernels, shape);
  const auto& sync = overlapped.rank_sync(0);
  Seconds reduction(0);
  Seconds gather(0);
  for (const auto& s : sync.gradient_reduction) reduction += overlapped.comm().time(s);
  for (const auto& s : sync.weight_gather) gather += overlapped.comm().time(s);
  ASSERT_GT(reduction.si(), 0.0);
  ASSERT_GT(gather.si(), 0.0);
  const double hidden = (min(reduction, sync.reduction_overlap) + min(gather, sync.gather_overlap)).si();
  EXPECT_GT(hidden, 0.1 * estimate_step(exposed).step_time.si());  // a tenth of the step or more is at stake

  const double closed = estimate_step(exposed).step_time.si() - estimate_step(overlapped).step_time.si();
  EXPECT_NEAR(closed, hidden, 0.01 * hidden);
  const auto saved = [&](EngineKind engine) {
    return simulate_step(exposed, engine).estimate.step_time.si() - simulate_step(overlapped, engine).estimate.step_time.si();
  };
  EXPECT_NEAR(saved(EngineKind::analytic), hidden, 0.05 * hidden);
  const double simgrid = saved(EngineKind::simgrid);
  EXPECT_GE(simgrid, 0.5 * hidden);
  EXPECT_LE(simgrid, 1.05 * hidden);
}

}  // namespace
}  // namespace trainsim
