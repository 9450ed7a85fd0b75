// Every class of bad scenario input gets an issue naming the JSON pointer of the field and
// what was expected; nothing throws anything else.
#include <gtest/gtest.h>

#include "scenario_fixture.hpp"

namespace trainsim {
namespace {
using namespace testing;

nlohmann::json base() { return scenario_json("scenarios/deepseek-v3-h800.json"); }

TEST(ScenarioErrors, TheDefaultScenarioIsValid) { EXPECT_TRUE(issues(base()).empty()); }

TEST(ScenarioErrors, UnknownKeysAreRejectedWithASuggestion) {
  auto doc = base();
  doc["parallel"]["pipline_parallel"] = 16;
  const auto found = issues(doc);
  ASSERT_EQ(found.size(), 1U);
  EXPECT_TRUE(has_issue(found, "/parallel/pipline_parallel", "pipeline_parallel"));
}

TEST(ScenarioErrors, RingAttentionNeedsFusedAttention) {
  auto doc = base();
  doc["training"]["phases"] = nlohmann::json::array({doc["training"]["phases"][0]});  // the others use CP
  doc["parallel"]["attention_kernel"] = "unfused";
  EXPECT_TRUE(issues(doc).empty());
  doc["parallel"]["data_parallel"] = 64;
  doc["parallel"]["context_parallel"] = 2;
  const auto found = issues(doc);
  ASSERT_EQ(found.size(), 1U);
  EXPECT_TRUE(has_issue(found, "/parallel/attention_kernel", "ring attention"));
}

TEST(ScenarioErrors, EveryMissingKeyIsReported) {
  auto doc = base();
  doc["parallel"].erase("tensor_parallel");
  doc["parallel"].erase("schedule");
  doc["cluster"].erase("gpu_count");
  doc.erase("prices");
  const auto found = issues(doc);
  EXPECT_TRUE(has_issue(found, "/parallel/tensor_parallel", "missing required key"));
  EXPECT_TRUE(has_issue(found, "/parallel/schedule", "missing required key"));
  EXPECT_TRUE(has_issue(found, "/cluster/gpu_count", "missing required key"));
  EXPECT_TRUE(has_issue(found, "/prices", "missing required key"));
}

TEST(ScenarioErrors, WrongTypesAndUnits) {
  auto doc = base();
  doc["cluster"]["gpu_count"] = "2048";
  doc["cluster"]["network"]["nic_bandwidth"] = 400;
  doc["cluster"]["network"]["scale_out_latency"] = "3.7 parsecs";
  doc["parallel"]["zero_stage"] = 4;
  doc["parallel"]["attention_kernel"] = "flash_attention_4";
  const auto found = issues(doc);
  EXPECT_TRUE(has_issue(found, "/cluster/gpu_count", "integer"));
  EXPECT_TRUE(has_issue(found, "/cluster/network/nic_bandwidth", "unit"));
  EXPECT_TRUE(has_issue(found, "/cluster/network/scale_out_latency", "unknown time unit"));
  EXPECT_TRUE(has_issue(found, "/parallel/zero_stage", "[0, 3]"));
  EXPECT_TRUE(has_issue(found, "/parallel/attention_kernel", "flash_attention_2"));
}

TEST(ScenarioErrors, DegreesMustMultiplyToTheGpuCount) {
  auto doc = base();
  doc["parallel"]["data_parallel"] = 64;
  EXPECT_TRUE(has_issue(issues(doc), "/parallel", "must multiply to cluster.gpu_count"));
}

TEST(ScenarioErrors, AutoDataParallelTakesTheGpusTheOtherDegreesLeave) {
  auto doc = base();  // TP1 PP16 CP1 on 2,048 GPUs: DP128
  doc["parallel"]["data_parallel"] = "auto";
  EXPECT_EQ(parse(doc).plan.data, 128);
  doc["cluster"]["gpu_count"] = 4096;
  doc["training"]["phases"] = nlohmann::json::array({doc["training"]["phases"][0]});  // the others give their own DP
  EXPECT_EQ(parse(doc).plan.data, 256);
  doc["cluster"]["gpu_count"] = 2056;  // not a multiple of PP16
  EXPECT_TRUE(has_issue(issues(doc), "/parallel/data_parallel", "multiple of tensor x pipeline x context = 16"));
  doc["parallel"]["data_parallel"] = "all";
  EXPECT_TRUE(has_issue(issues(doc), "/parallel/data_parallel", "expected an integer"));
}

TEST(ScenarioErrors, DivisibilityRules) {
  auto doc = base();
  doc["parallel"]["tensor_parallel"] = 3;  // 128 heads
  doc["parallel"]["data_parallel"] = 128;
  auto found = issues(doc);
  EXPECT_TRUE(has_issue(found, "/parallel/tensor_parallel", "num_heads"));

  doc = base();
  doc["parallel"]["expert_parallel"] = 48;  // 256 experts
  EXPECT_TRUE(has_issue(issues(doc), "/parallel/expert_parallel", "num_routed_experts"));

  doc = base();
  doc["model"] = "llama-3.1-8b";
  doc["parallel"]["expert_parallel"] = 8;
  EXPECT_TRUE(has_issue(issues(doc), "/parallel/expert_parallel", "mixture-of-experts"));
}

TEST(ScenarioErrors, BatchAndScheduleRules) {
  auto doc = base();
  doc["training"]["phases"][0]["global_batch_size"] = 15000;  // not a multiple of 128
  EXPECT_TRUE(has_issue(issues(doc), "/training/phases/0", "not a multiple of data_parallel"));

  doc = base();
  doc["training"]["phases"][0]["global_batch_size"] = 3072;  // 24 micro-batches < 2 x 16
  doc["training"]["phases"][0].erase("batch_ramp");
  EXPECT_TRUE(has_issue(issues(doc), "/training/phases/0", "DualPipe needs"));

  doc = base();
  doc["parallel"]["pipeline_parallel"] = 15;
  doc["parallel"]["data_parallel"] = 2048 / 15;  // also breaks the product; the odd PP is what we check
  EXPECT_TRUE(has_issue(issues(doc), "/parallel/pipeline_parallel", "even number of pipeline ranks"));

  doc = base();  // 16 x 4 = 64 chunks: more than 61 layers, the embedding and the head can fill
  doc["parallel"]["schedule"] = "interleaved_1f1b";
  doc["parallel"]["virtual_stages"] = 4;
  EXPECT_TRUE(has_issue(issues(doc), "/parallel/pipeline_parallel", "plus the embedding and the head"));

  doc = base();
  doc["parallel"]["layers_per_chunk"] = {4, 4};
  EXPECT_TRUE(has_issue(issues(doc), "/parallel/layers_per_chunk", "16 counts"));
}

TEST(ScenarioErrors, HardwareRules) {
  auto doc = base();
  doc["cluster"]["gpu"] = "a100-sxm";
  doc["cluster"]["calibration"] = "a100-published";
  EXPECT_TRUE(has_issue(issues(doc), "/parallel/precision", "no FP8"));

  doc = base();
  doc["parallel"]["communication_sms"] = 132;
  EXPECT_TRUE(has_issue(issues(doc), "/parallel/communication_sms", "132"));

  doc = base();
  doc["cluster"]["gpu"] = "h9000";
  EXPECT_TRUE(has_issue(issues(doc), "/cluster/gpu", "catalog GPUs"));

  doc = base();
  doc["model"] = "gpt-5";
  EXPECT_TRUE(has_issue(issues(doc), "/model", "catalog models"));

  doc = base();
  doc["cluster"]["calibration"] = "calibrations/missing.json";
  EXPECT_FALSE(issues(doc).empty());
}

TEST(ScenarioErrors, PhaseShapes) {
  auto doc = base();
  doc["training"]["phases"][0]["steps"] = 100;  // tokens and steps both
  EXPECT_TRUE(has_issue(issues(doc), "/training/phases/0", "not both"));

  doc = base();
  doc["training"]["phases"][1]["segments"][0]["parallel"]["context_parallel"] = 3;
  EXPECT_FALSE(issues(doc).empty());

  doc = base();
  doc["training"]["phases"][2].erase("given");
  EXPECT_TRUE(has_issue(issues(doc), "/training/phases/2", "needs a shape"));

  doc = base();
  doc["training"]["phases"][0]["batch_ramp"]["start_global_batch_size"] = 20000;
  EXPECT_TRUE(has_issue(issues(doc), "/training/phases/0/batch_ramp", "must start below"));
}

TEST(ScenarioErrors, LearnedPositionsBoundTheSequence) {
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  doc["model"] = "gpt-3-175b";
  doc["parallel"] = {{"tensor_parallel", 8}, {"pipeline_parallel", 16}, {"data_parallel", 16},
                     {"schedule", "1f1b"}, {"micro_batch_size", 1}, {"zero_stage", 1},
                     {"recomputation", "full"}, {"precision", "bf16"}};
  doc["training"]["phases"] = nlohmann::json::array(
      {{{"name", "long"}, {"steps", 10}, {"sequence_length", 4096}, {"global_batch_size", 256}}});
  EXPECT_TRUE(has_issue(issues(doc), "/training/phases/0", "learned positions"));
}

TEST(ScenarioErrors, InlineModelsAreCheckedToo) {
  auto doc = base();
  doc["model"] = {{"id", "tiny"}, {"name", "tiny"}, {"sources", {"test"}}, {"vocab_size", 1000},
                  {"hidden_size", 64}, {"num_layers", 2}, {"max_sequence_length", 128},
                  {"attention", {{"kind", "gqa"}, {"num_heads", 4}, {"num_kv_heads", 3}}},
                  {"ffn", {{"activation", "swiglu"}, {"intermediate_size", 128}}},
                  {"norm", "rmsnorm"}, {"position_embedding", "rope"}, {"tied_embeddings", false}};
  EXPECT_TRUE(has_issue(issues(doc), "/model/attention/num_kv_heads", "multiple of num_kv_heads"));
  doc["model"]["attention_dropout"] = 1.5;  // a probability
  doc["model"]["hidden_dropout"] = "0.1";
  const auto found = issues(doc);
  EXPECT_TRUE(has_issue(found, "/model/attention_dropout", "expected a number in [0, 0.99], got 1.5"));
  EXPECT_TRUE(has_issue(found, "/model/hidden_dropout", "got \"0.1\" (string)"));
}

}  // namespace
}  // namespace trainsim
