// The architecture features of the validation suite's models (Nemotron-4's squared ReLU, Grok's
// GeGLU, MegaScale's parallel block, BLOOM's ALiBi and embedding norm, expert biases) and models
// written as a catalog entry plus changes ("extends"). Each changes the layer program that both
// engines run, so the checks are on layer costs and parameter counts.
#include <gtest/gtest.h>

#include <algorithm>

#include "hardware/kernel_time_model.hpp"
#include "models/flop_count.hpp"
#include "models/layer_costs.hpp"
#include "models/model_catalog.hpp"
#include "models/parameter_count.hpp"
#include "scenario_fixture.hpp"

namespace trainsim {
namespace {
using namespace testing;

// Nemotron-4 15B, BF16, TP8 with sequence parallelism on two H100 nodes, its model edited.
nlohmann::json scenario_with(const nlohmann::json& model_changes = nlohmann::json::object()) {
  auto doc = scenario_json("validation/runs/mb-3.json");
  doc["model"] = nlohmann::json{{"extends", "nemotron-4-15b"}};
  doc["model"].merge_patch(model_changes);
  doc["cluster"]["gpu_count"] = 16;
  doc["parallel"] = {{"tensor_parallel", 8}, {"pipeline_parallel", 1}, {"data_parallel", 2},
                     {"schedule", "1f1b"},   {"micro_batch_size", 1},  {"zero_stage", 1},
                     {"recomputation", "none"}, {"precision", "bf16"}, {"sequence_parallel", true}};
  return doc;
}

LayerCosts dense_layer(const Scenario& s) {
  const CommunicationModel comm(s.plan, s.cluster, link_rates(s.cluster, kernel_model(s.cluster)));
  return layer_costs(LayerKind::dense, s.model, s.plan, s.cluster, comm, MicroBatchShape{4096, 1});
}

const LayerStep* find_step(const LayerCosts& c, const std::string& name) {
  const auto it = std::find_if(c.steps.begin(), c.steps.end(), [&](const LayerStep& s) { return s.name == name; });
  return it == c.steps.end() ? nullptr : &*it;
}

std::size_t count_collectives(const LayerCosts& c, Pass pass, Collective kind) {
  return static_cast<std::size_t>(std::count_if(c.steps.begin(), c.steps.end(), [&](const LayerStep& s) {
    const auto* coll = std::get_if<CollectiveStep>(&s.work);
    return s.pass == pass && coll != nullptr && coll->collective == kind && coll->group == CommGroup::tensor;
  }));
}

TEST(ModelFeatures, SquaredReluIsOneProjectionWideAndGegluTwo) {
  // Nemotron-4 15B: FFN 24576 at TP8, 3,072 columns per rank; hidden 6144; 4,096 tokens.
  const auto relu = parse(scenario_with());
  const auto geglu = parse(scenario_with({{"ffn", {{"activation", "geglu"}}}}));
  const auto relu_layer = dense_layer(relu);
  const auto geglu_layer = dense_layer(geglu);
  const auto* up = find_step(relu_layer, "mlp.up")->kernel();
  const auto* gated_up = find_step(geglu_layer, "mlp.up")->kernel();
  EXPECT_DOUBLE_EQ(up->flops.si(), 2.0 * 4096 * 3072 * 6144);
  EXPECT_DOUBLE_EQ(gated_up->flops.si(), 2.0 * up->flops.si());
  // Two matrices of 6144 x 24576 per layer against three.
  const auto p = count_parameters(relu.model);
  const auto q = count_parameters(geglu.model);
  EXPECT_EQ(p.dense_ffn_per_layer, 2 * 6144 * 24576);
  EXPECT_EQ(q.dense_ffn_per_layer, 3 * 6144 * 24576);
}

TEST(ModelFeatures, NemotronCountsMatchTheirReports) {
  // arXiv:2406.11704 Table 1: 9.4B embedding + 331.6B non-embedding; arXiv:2402.16819 Table 1:
  // 3.2B embedding + 12.5B non-embedding. Printed to one decimal: half a unit of tolerance.
  EXPECT_NEAR(static_cast<double>(count_parameters(*find_model("nemotron-4-340b")).total), 341.0e9, 0.1e9);
  EXPECT_NEAR(static_cast<double>(count_parameters(*find_model("nemotron-4-15b")).total), 15.7e9, 0.1e9);
}

TEST(ModelFeatures, ParallelBlockSharesOneNormAndOneExchangePerSide) {
  const auto sequential = parse(scenario_with());
  const auto parallel = parse(scenario_with({{"parallel_block", true}}));
  const auto a = dense_layer(sequential);
  const auto b = dense_layer(parallel);
  // Sequence parallelism at TP8: gather before and reduce-scatter after each block, twice per
  // layer sequentially, once in the parallel block; the backward mirrors it.
  EXPECT_EQ(count_collectives(a, Pass::forward, Collective::all_gather), 2U);
  EXPECT_EQ(count_collectives(a, Pass::forward, Collective::reduce_scatter), 2U);
  EXPECT_EQ(count_collectives(b, Pass::forward, Collective::all_gather), 1U);
  EXPECT_EQ(count_collectives(b, Pass::forward, Collective::reduce_scatter), 1U);
  EXPECT_EQ(find_step(b, "mlp.norm"), nullptr);
  ASSERT_NE(find_step(b, "block.norm"), nullptr);
  // The same GEMM work; one LayerNorm (gamma and beta of 6144) fewer per layer.
  EXPECT_DOUBLE_EQ(find_step(a, "mlp.up")->kernel()->flops.si(), find_step(b, "mlp.up")->kernel()->flops.si());
  EXPECT_EQ(a.parameters - b.parameters, 2 * 6144);
  EXPECT_EQ(count_parameters(sequential.model).total - count_parameters(parallel.model).total, 32 * 2 * 6144);
  // The MLP reads the attention projections' saved input: one norm output (and its residual
  // of the fused norm) fewer kept, a 4096 x 6144 BF16 shard at TP8 each.
  const std::int64_t shard = 4096 * 6144 * 2 / 8;
  EXPECT_EQ(a.saved_activations.count() - b.saved_activations.count(), 2 * shard);
}

TEST(ModelFeatures, ParallelBlockIsRejectedOnMixtureOfExperts) {
  auto doc = scenario_json("validation/runs/mb-7.json");
  doc["model"] = {{"extends", "deepseek-v3"}, {"parallel_block", true}};
  EXPECT_TRUE(has_issue(issues(doc), "/model/parallel_block", "dense layers only"));
}

TEST(ModelFeatures, AlibiHasNoRopeKernelAndNoPositionWeights) {
  const auto rope = parse(scenario_with());
  const auto alibi = parse(scenario_with({{"position_embedding", "alibi"}}));
  const auto rope_layer = dense_layer(rope);
  const auto alibi_layer = dense_layer(alibi);
  EXPECT_NE(find_step(rope_layer, "attention.rope"), nullptr);
  EXPECT_EQ(find_step(alibi_layer, "attention.rope"), nullptr);
  EXPECT_EQ(count_parameters(alibi.model).position_embedding, 0);
  EXPECT_EQ(count_parameters(alibi.model).total, count_parameters(rope.model).total);
}

TEST(ModelFeatures, EmbeddingNormIsAKernelAndTwoVectors) {
  const auto plain = parse(scenario_with());
  const auto normed = parse(scenario_with({{"embedding_norm", true}}));
  EXPECT_EQ(count_parameters(normed.model).total - count_parameters(plain.model).total, 2 * 6144);  // LayerNorm
  const CommunicationModel comm(normed.plan, normed.cluster, link_rates(normed.cluster, kernel_model(normed.cluster)));
  const auto embedding =
      layer_costs(LayerKind::embedding, normed.model, normed.plan, normed.cluster, comm, MicroBatchShape{4096, 1});
  const auto* norm = find_step(embedding, "embedding.norm");
  ASSERT_NE(norm, nullptr);
  // Reads and writes this rank's sequence shard once (no residual to add).
  const double shard = 4096.0 * 6144.0 * 2.0 / 8.0;
  EXPECT_DOUBLE_EQ(norm->kernel()->bytes_read.as_double(), shard);
  EXPECT_DOUBLE_EQ(norm->kernel()->bytes_written.as_double(), shard);
}

TEST(ModelFeatures, ExpertBiasesAreCountedPerExpert) {
  const auto& grok = *find_model("grok-1-314b");
  auto biased = grok;
  biased.moe->expert_bias = true;
  // A GeGLU expert of 32768: both halves of the up projection and the down projection's 6144.
  const std::int64_t per_expert = 2 * 32768 + 6144;
  EXPECT_EQ(count_parameters(biased).total - count_parameters(grok).total, 64 * 8 * per_expert);
  EXPECT_EQ(count_parameters(biased).active - count_parameters(grok).active, 64 * 2 * per_expert);
  EXPECT_EQ(count_parameters(biased).matmul_active, count_parameters(grok).matmul_active);  // biases are not 6N
}

TEST(ModelFeatures, ExtendsLaysChangesOverACatalogModel) {
  auto doc = scenario_json("validation/runs/mb-7.json");
  doc["model"] = {{"extends", "deepseek-v3"}, {"mtp_depth", 0}, {"sources", {"a test"}}};
  const auto s = parse(doc);
  const auto& parent = *find_model("deepseek-v3");
  EXPECT_EQ(s.model.mtp_depth, 0);
  EXPECT_EQ(s.model.hidden_size, parent.hidden_size);
  EXPECT_EQ(s.model.moe->num_routed_experts, parent.moe->num_routed_experts);
  EXPECT_EQ(s.model.id, "deepseek-v3-variant");
  EXPECT_NE(s.model.name.find("[mtp_depth=0]"), std::string::npos) << s.model.name;
  EXPECT_NE(parse(scenario_with({{"ffn", {{"activation", "geglu"}}}})).model.name.find("[ffn.activation=\"geglu\"]"),
            std::string::npos);
  ASSERT_EQ(s.model.sources.size(), parent.sources.size() + 1);
  EXPECT_EQ(s.model.sources.back(), "a test");
  EXPECT_FALSE(s.model.published.total_params.has_value());  // the parent's figure is not this model's
  // Nested objects merge key by key; null removes a key (here: the experts).
  doc["model"] = {{"extends", "deepseek-v3"}, {"attention", {{"num_heads", 64}}}, {"moe", nullptr}};
  doc["parallel"]["expert_parallel"] = 1;
  const auto dense = parse(doc);
  EXPECT_EQ(dense.model.attention.num_heads, 64);
  EXPECT_EQ(dense.model.attention.mla.kv_lora_rank, parent.attention.mla.kv_lora_rank);
  EXPECT_FALSE(dense.model.moe.has_value());
}

TEST(ModelFeatures, ExtendsReportsAnUnknownParentAndBadKeys) {
  auto doc = scenario_json("validation/runs/mb-7.json");
  doc["model"] = {{"extends", "deepseek-v9"}};
  const auto unknown = issues(doc);
  EXPECT_TRUE(has_issue(unknown, "/model/extends", "unknown model \"deepseek-v9\""));
  for (const auto& i : unknown) EXPECT_EQ(i.pointer.rfind("/model/", 0) == 0, i.pointer == "/model/extends") << i.pointer;
  doc["model"] = {{"extends", 3}};
  EXPECT_TRUE(has_issue(issues(doc), "/model/extends", "expected a string"));
  doc["model"] = {{"extends", "deepseek-v3"}, {"mtp_dept", 0}};  // a misspelt override is not ignored
  EXPECT_TRUE(has_issue(issues(doc), "/model/mtp_dept", ""));
}

TEST(ModelFeatures, CatalogEntriesExtendEarlierOnes) {
  const auto& nemo = *find_model("gpt-3-175b-nemo");
  const auto& gpt3 = *find_model("gpt-3-175b");
  EXPECT_EQ(nemo.vocab_size, 50688);  // padded to a multiple of 128 x TP4 (NeMo)
  EXPECT_EQ(nemo.hidden_size, gpt3.hidden_size);
  EXPECT_TRUE(find_model("megascale-gpt-175b-ptb")->parallel_block);
  EXPECT_EQ(find_model("megascale-gpt-175b-ptb")->vocab_size, 64000);  // two levels: ptb <- megascale <- gpt-3
}

// GPT-OSS: a 128-token window on even layers, full attention on odd ones (its config's
// layer_types), a sink logit per head.
TEST(ModelFeatures, SlidingWindowPairsAndLayerKinds) {
  const AttentionShape full{.seq_q = 4096, .seq_kv = 4096};
  AttentionShape windowed = full;
  windowed.window = 128;
  EXPECT_DOUBLE_EQ(attention_pairs_per_head(full), 4096.0 * 4096.0 / 2.0);
  EXPECT_DOUBLE_EQ(attention_pairs_per_head(windowed), 4096.0 * 128.0 - 128.0 * 128.0 / 2.0);
  windowed.window = 8192;  // wider than the sequence: no effect
  EXPECT_DOUBLE_EQ(attention_pairs_per_head(windowed), attention_pairs_per_head(full));
  const auto& oss = *find_model("gpt-oss-120b");
  EXPECT_EQ(transformer_layer_kind(oss, 0), LayerKind::moe_sliding);
  EXPECT_EQ(transformer_layer_kind(oss, 1), LayerKind::moe);
  EXPECT_EQ(transformer_layer_kind(oss, 34), LayerKind::moe_sliding);
  EXPECT_EQ(oss.sliding_layers(), 18);
  // OpenAI's model card: 116.8B parameters.
  EXPECT_NEAR(static_cast<double>(count_parameters(oss).total), 116.8e9, 0.1e9);
}

TEST(ModelFeatures, SlidingWindowShortensOnlyTheAttentionCore) {
  const auto full = parse(scenario_with());
  const auto windowed = parse(scenario_with({{"attention", {{"sliding_window", {{"window", 512}}}}}}));
  const CommunicationModel comm(windowed.plan, windowed.cluster,
                                link_rates(windowed.cluster, kernel_model(windowed.cluster)));
  const MicroBatchShape mb{4096, 1};
  const auto a = layer_costs(LayerKind::dense, full.model, full.plan, full.cluster, comm, mb);
  const auto b = layer_costs(LayerKind::dense_sliding, windowed.model, windowed.plan, windowed.cluster, comm, mb);
  ASSERT_EQ(a.steps.size(), b.steps.size());
  for (std::size_t i = 0; i < a.steps.size(); ++i) {
    const auto* x = a.steps[i].kernel();
    const auto* y = b.steps[i].kernel();
    if (x == nullptr) continue;
    const bool core = a.steps[i].name.rfind("attention.core", 0) == 0;
    const double ratio = core ? (4096.0 * 512 - 512.0 * 512 / 2) / (4096.0 * 4096 / 2) : 1.0;
    EXPECT_NEAR(y->flops.si(), x->flops.si() * ratio, 1e-9 * x->flops.si()) << a.steps[i].name;
  }
  // Every layer of this model slides (the default pattern), so its attention FLOPs per token
  // shrink by the same ratio.
  const auto f = model_flops_per_token(full.model, 4096, AttentionConvention::causal);
  const auto g = model_flops_per_token(windowed.model, 4096, AttentionConvention::causal);
  EXPECT_NEAR(g.attention.si(), f.attention.si() * (4096.0 * 512 - 512.0 * 512 / 2) / (4096.0 * 4096 / 2),
              1e-9 * f.attention.si());
  EXPECT_DOUBLE_EQ(g.matmul.si(), f.matmul.si());
}

TEST(ModelFeatures, SlidingWindowRulesAndSinks) {
  auto doc = scenario_with({{"attention", {{"sliding_window", {{"window", 128}, {"pattern", {"sliding", "ful"}}}}}}});
  EXPECT_TRUE(has_issue(issues(doc), "/model/attention/sliding_window/pattern/1", "\"full\""));
  doc = scenario_with({{"attention", {{"sliding_window", {{"window", 128}}}}}});
  doc["parallel"]["context_parallel"] = 2;
  doc["parallel"]["data_parallel"] = 1;
  EXPECT_TRUE(has_issue(issues(doc), "/parallel/context_parallel", "sliding window"));
  const auto plain = parse(scenario_with());
  const auto sinks = parse(scenario_with({{"attention", {{"sinks", true}}}}));
  EXPECT_EQ(count_parameters(sinks.model).total - count_parameters(plain.model).total, 32 * 48);  // a logit per head
}

}  // namespace
}  // namespace trainsim
