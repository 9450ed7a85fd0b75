// What an FP8 recipe adds to a layer's kernels (LayerBuilder::scaled_cast): per-tensor current
// scaling reads each tensor once more for its amax before the cast, and all-reduces the amax of
// the tensors that travel in sequence shards over the tensor group; delayed and block scaling
// compute their scales inside the cast.
#include <gtest/gtest.h>

#include <map>

#include "hardware/kernel_time_model.hpp"
#include "models/layer_costs.hpp"
#include "scenario_fixture.hpp"

namespace trainsim {
namespace {
using namespace testing;

// Llama 3.1 8B at TP2 with sequence parallelism, FP8 GEMMs, 8,192 tokens per micro-batch.
LayerCosts dense_layer(Fp8Recipe recipe) {
  auto doc = scenario_json("validation/runs/mb-1.json");
  doc["parallel"]["tensor_parallel"] = 2;
  doc["parallel"]["data_parallel"] = 4;
  doc["parallel"]["sequence_parallel"] = true;
  doc["parallel"]["tp_comm_overlap"] = false;
  auto s = parse(doc);
  s.plan.fp8_recipe = recipe;
  const CommunicationModel comm(s.plan, s.cluster, link_rates(s.cluster, kernel_model(s.cluster)));
  return layer_costs(LayerKind::dense, s.model, s.plan, s.cluster, comm, {8192, 1});
}

const LayerStep* find(const LayerCosts& c, const std::string& name) {
  for (const auto& s : c.steps) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

TEST(Fp8Recipe, DelayedAndBlockScalingAddNothingToTheCasts) {
  const auto delayed = dense_layer(Fp8Recipe::delayed);
  for (const auto recipe : {Fp8Recipe::mxfp8, Fp8Recipe::blockwise}) {
    const auto other = dense_layer(recipe);
    ASSERT_EQ(other.steps.size(), delayed.steps.size()) << to_string(recipe);
    for (std::size_t i = 0; i < other.steps.size(); ++i) EXPECT_EQ(other.steps[i].name, delayed.steps[i].name);
  }
  for (const auto& s : delayed.steps) EXPECT_EQ(s.name.find("amax"), std::string::npos) << s.name;
}

TEST(Fp8Recipe, CurrentScalingReadsEachCastTensorOnceMoreAndReducesShardedAmaxes) {
  const auto layer = dense_layer(Fp8Recipe::tensorwise);
  int amaxes = 0;
  std::map<std::string, int> reduced;
  for (const auto& s : layer.steps) {
    if (s.name.ends_with(".amax")) {
      ++amaxes;
      // The amax reads what the cast after it reads, and writes nothing the size of a tensor.
      const auto* cast = find(layer, s.name.substr(0, s.name.size() - std::string(".amax").size()));
      ASSERT_NE(cast, nullptr) << s.name;
      EXPECT_EQ(s.kernel()->bytes_read.count(), cast->kernel()->bytes_read.count()) << s.name;
      EXPECT_EQ(s.kernel()->bytes_written.count(), 0) << s.name;
      // One quantize call issues the amax and scale kernels, then the cast: its operation is
      // counted on the first.
      EXPECT_EQ(s.operations, 1) << s.name;
      EXPECT_EQ(s.launches, 2) << s.name;
      EXPECT_EQ(cast->operations, 0) << cast->name;
      EXPECT_EQ(cast->launches, 1) << cast->name;
    }
    if (s.name.ends_with(".amax_reduce")) {
      const auto& c = std::get<CollectiveStep>(s.work);
      EXPECT_EQ(c.collective, Collective::all_reduce);
      EXPECT_EQ(c.payload.count(), 4);
      reduced[s.name] = 1;
    }
  }
  // Four linears, each casting its input in forward and its output gradient in backward.
  EXPECT_EQ(amaxes, 8);
  // Gathered inputs (qkv, fc1) in forward; scattered outputs' gradients (proj, fc2) in backward.
  const std::map<std::string, int> expected{{"attention.qkv.cast.amax_reduce", 1},
                                            {"mlp.up.cast.amax_reduce", 1},
                                            {"attention.out.cast_grad.amax_reduce", 1},
                                            {"mlp.down.cast_grad.amax_reduce", 1}};
  EXPECT_EQ(reduced, expected);
}

// Without userbuffers, Transformer Engine still quantizes a column-parallel linear's shard and
// gathers it quantized (module/linear.py, with_input_all_gather_nccl): the cast runs on 1/tp of
// the rows before the gather, which carries one byte per element.
TEST(Fp8Recipe, NcclGathersOfFp8InputsCarryTheQuantizedShard) {
  const auto layer = dense_layer(Fp8Recipe::delayed);
  std::size_t cast = 0, gather = 0;
  for (std::size_t i = 0; i < layer.steps.size(); ++i) {
    if (layer.steps[i].name == "attention.qkv.cast") cast = i;
    if (layer.steps[i].name == "attention.tp_gather") gather = i;
  }
  ASSERT_GT(gather, 0U);
  EXPECT_LT(cast, gather);
  const std::int64_t hidden = 4096, tokens = 8192, tp = 2;
  EXPECT_EQ(layer.steps[cast].kernel()->bytes_read.count(), tokens / tp * hidden * 2);
  EXPECT_EQ(std::get<CollectiveStep>(layer.steps[gather].work).payload.count(), tokens * hidden);
}

}  // namespace
}  // namespace trainsim
