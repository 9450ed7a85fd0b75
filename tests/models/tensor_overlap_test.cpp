// Megatron-Core's --tp-comm-overlap as Transformer Engine's userbuffers run it
// (models/tensor_overlap.hpp), on the GPT 32B of MCORE-4: TP8 with sequence parallelism on H100
// SXM (132 SMs), micro-batch 1 of 4,096 tokens.
#include <gtest/gtest.h>

#include "hardware/kernel_time_model.hpp"
#include "models/layer_program.hpp"
#include "models/plan_rules.hpp"
#include "models/tensor_overlap.hpp"
#include "scenario_fixture.hpp"

namespace trainsim {
namespace {
using namespace testing;

struct Layer {
  Scenario scenario;
  ParallelPlan plan;
  LayerCosts costs;
};

Layer gpt_32b_layer(bool overlap, std::int64_t tensor = 8) {
  auto doc = scenario_json("validation/runs/mcore-4.json");
  doc["parallel"]["tp_comm_overlap"] = overlap;
  doc["parallel"]["tensor_parallel"] = tensor;
  doc["parallel"]["data_parallel"] = 384 / tensor;
  doc["training"]["phases"][0]["global_batch_size"] = 384;  // a multiple of every data-parallel degree here
  Layer l{parse(doc), {}, {}};
  l.plan = l.scenario.phases[0].segments[0].plan;
  const CommunicationModel comm(l.plan, l.scenario.cluster, link_rates(l.scenario.cluster, kernel_model(l.scenario.cluster)));
  l.costs = layer_costs(LayerKind::dense, l.scenario.model, l.plan, l.scenario.cluster, comm, {4096, 1});
  return l;
}

std::size_t find(const LayerCosts& c, const std::string& name, Pass pass) {
  for (std::size_t i = 0; i < c.steps.size(); ++i) {
    if (c.steps[i].name == name && c.steps[i].pass == pass) return i;
  }
  ADD_FAILURE() << "no step " << name << " in pass " << to_string(pass);
  return 0;
}

const KernelStep& kernel_step(const LayerStep& s) { return std::get<KernelStep>(s.work); }

Flops gemm_flops(const LayerCosts& c) {
  Flops total;
  for (const auto& s : c.steps) {
    if (const auto* k = s.kernel(); k != nullptr && is_gemm(k->kind)) total += k->flops;
  }
  return total;
}

TEST(TensorOverlap, SplitsTheGemmsWithoutChangingTheirWork) {
  EXPECT_DOUBLE_EQ(gemm_flops(gpt_32b_layer(true).costs).si(), gemm_flops(gpt_32b_layer(false).costs).si());
}

TEST(TensorOverlap, RingExchangesTheGatherIntoTheGemmAfterIt) {
  const auto l = gpt_32b_layer(true);
  const auto& steps = l.costs.steps;
  const std::size_t gather = find(l.costs, "attention.tp_gather", Pass::forward);
  EXPECT_TRUE(steps[gather].overlaps_next);
  // Seven chunks of 4,096 / 8 tokens beside the seven point-to-point steps, the eighth after.
  const auto& rest = steps[gather + 1];
  EXPECT_EQ(rest.name, "attention.qkv.chunks");
  EXPECT_EQ(rest.kernel()->kind, KernelClass::gemm_bf16);
  EXPECT_EQ(rest.kernel()->gemm.m, 512);
  EXPECT_EQ(rest.kernel()->gemm.groups, 7);
  EXPECT_EQ(steps[gather + 2].name, "attention.qkv.chunk");
  EXPECT_EQ(steps[gather + 2].kernel()->gemm.m, 512);
  // Copy engines carry the exchange: the GEMM keeps every SM.
  EXPECT_EQ(kernel_step(rest).sm_share, 1.0);
  // Backward, the output gradient's gather runs the same way into the data gradient.
  const std::size_t grad_gather = find(l.costs, "mlp.tp_scatter.grad", Pass::backward_input);
  EXPECT_TRUE(steps[grad_gather].overlaps_next);
  EXPECT_EQ(steps[grad_gather + 1].name, "mlp.down.dgrad.chunks");
}

TEST(TensorOverlap, PipelinesTheScatterOutOfTheGemmBeforeIt) {
  const auto l = gpt_32b_layer(true);
  const auto& steps = l.costs.steps;
  const std::size_t last = find(l.costs, "mlp.tp_scatter.last_chunk", Pass::forward);
  // down chunk, 3/4 of the reduce-scatter beside the other three chunks, the last quarter.
  ASSERT_GE(last, 3U);
  EXPECT_EQ(steps[last - 3].name, "mlp.down.chunk");
  EXPECT_EQ(steps[last - 2].name, "mlp.tp_scatter");
  EXPECT_TRUE(steps[last - 2].overlaps_next);
  EXPECT_EQ(steps[last - 1].name, "mlp.down.chunks");
  EXPECT_EQ(steps[last - 1].kernel()->gemm.groups, 3);
  const auto& hidden = std::get<CollectiveStep>(steps[last - 2].work);
  const auto& exposed = std::get<CollectiveStep>(steps[last].work);
  EXPECT_NEAR(exposed.payload.as_double() * 3.0, hidden.payload.as_double(), 3.0);
  EXPECT_EQ((hidden.payload + exposed.payload).count(), 4096 * 7168 * 2);  // the whole BF16 output
  // 16 of H100's 132 SMs run the reduce-scatter.
  EXPECT_DOUBLE_EQ(kernel_step(steps[last - 1]).sm_share, 116.0 / 132.0);
  EXPECT_DOUBLE_EQ(kernel_step(steps[last - 3]).sm_share, 116.0 / 132.0);
}

TEST(TensorOverlap, RunsTheBulkScatterBesideTheWeightGradient) {
  const auto l = gpt_32b_layer(true);
  const auto& steps = l.costs.steps;
  const std::size_t scatter = find(l.costs, "attention.tp_gather.grad", Pass::backward_input);
  EXPECT_TRUE(steps[scatter].overlaps_next);
  EXPECT_EQ(steps[scatter - 1].name, "attention.qkv.dgrad");
  EXPECT_EQ(steps[scatter + 1].name, "attention.qkv.wgrad");
  EXPECT_EQ(steps[scatter + 1].pass, Pass::backward_input);
  EXPECT_DOUBLE_EQ(kernel_step(steps[scatter + 1]).sm_share, 116.0 / 132.0);
  // The data gradient runs beside the bulk all-gather of its input.
  EXPECT_DOUBLE_EQ(kernel_step(steps[scatter - 1]).sm_share, 116.0 / 132.0);
  for (const auto& s : steps) EXPECT_FALSE(s.name == "attention.qkv.wgrad" && s.pass == Pass::backward_weight);
}

// The forward pass on one compute and one communication stream: what overlap saves can be no
// more than the tensor-parallel communication it starts from, and here is most of it. Both
// all-gathers (58.7 MB over NVLink, about 0.15 ms) hide whole under the first seven chunks of
// their GEMMs (0.2-0.3 ms of them); each reduce-scatter hides all but its last quarter where its
// GEMM outlasts it (fc2) and less where it does not (proj: 0.07 ms against 0.15), so over 40% is
// hidden, less the 12% the pipelined GEMMs lose to the scatter's SMs.
TEST(TensorOverlap, HidesMostOfTheForwardCommunication) {
  const auto on = gpt_32b_layer(true);
  const auto off = gpt_32b_layer(false);
  const auto kernels = kernel_model(on.scenario.cluster);
  const auto time = [&](const Layer& l, Seconds* communication) {
    const CommunicationModel comm(l.plan, l.scenario.cluster, link_rates(l.scenario.cluster, kernels));
    const auto program = layer_program(l.costs, kernels, 1.0, comm, HostIssue{});
    if (communication != nullptr) {
      for (const auto& s : program.forward) {
        if (s.is_communication) *communication += s.duration;
      }
    }
    return two_stream_time(forward_units({&program}));
  };
  Seconds communication(0);
  const Seconds exposed = time(off, &communication);
  const Seconds saved = exposed - time(on, nullptr);
  EXPECT_GT(saved.si(), 0.4 * communication.si());
  EXPECT_LT(saved.si(), communication.si());
}

TEST(TensorOverlap, OneCallIssuesAnExchangeAndItsGemmChunks) {
  // Under userbuffers Transformer Engine's linear call launches the exchange and every chunk
  // from C++: the host issues no more operations than without overlap, and a ring exchange
  // (tp - 1 peer copies) carries the call, its GEMM chunks none.
  const auto plain = gpt_32b_layer(false);
  const auto overlapped = gpt_32b_layer(true);
  const auto operations = [](const LayerCosts& c) {
    int total = 0;
    for (const auto& s : c.steps) total += s.operations;
    return total;
  };
  EXPECT_LT(operations(overlapped.costs), operations(plain.costs));
  int rings = 0;
  const auto& steps = overlapped.costs.steps;
  for (std::size_t i = 0; i + 2 < steps.size(); ++i) {
    if (!steps[i].is_communication() || !steps[i + 1].name.ends_with(".chunks") || !steps[i + 2].name.ends_with(".chunk")) continue;
    ++rings;
    EXPECT_EQ(steps[i].operations, 1) << steps[i].name;
    EXPECT_EQ(steps[i].launches, 7) << steps[i].name;
    EXPECT_EQ(steps[i + 1].operations, 0) << steps[i + 1].name;
    EXPECT_EQ(steps[i + 2].operations, 0) << steps[i + 2].name;
  }
  EXPECT_EQ(rings, 4);  // qkv and fc1 forward, proj and fc2 data gradients
}

TEST(TensorOverlap, NeedsSequenceParallelismAndIsIdleWithoutTensorParallelism) {
  auto doc = scenario_json("validation/runs/mcore-4.json");
  doc["parallel"]["tp_comm_overlap"] = true;
  doc["parallel"]["sequence_parallel"] = false;
  EXPECT_TRUE(has_issue(issues(doc), "/parallel/tp_comm_overlap", "needs sequence parallelism"));
  // At TP1 there is no tensor-parallel collective to overlap: the layer is the same.
  const auto one = gpt_32b_layer(true, 1);
  const auto plain = gpt_32b_layer(false, 1);
  ASSERT_EQ(one.costs.steps.size(), plain.costs.steps.size());
  for (std::size_t i = 0; i < one.costs.steps.size(); ++i) EXPECT_EQ(one.costs.steps[i].name, plain.costs.steps[i].name);
}

}  // namespace
}  // namespace trainsim
