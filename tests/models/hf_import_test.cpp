// import-hf: a Hugging Face config.json becomes the model trainsim's catalog holds for the same
// architecture (the same parameters, to the last one), and what trainsim does not model is an
// issue at its key.
#include <gtest/gtest.h>

#include <fstream>

#include "core/json_reader.hpp"
#include "models/hf_import.hpp"
#include "models/model_catalog.hpp"
#include "models/parameter_count.hpp"

namespace trainsim {
namespace {

nlohmann::json fixture(const std::string& name) {
  std::ifstream in(std::string(TRAINSIM_SOURCE_DIR) + "/tests/models/hf/" + name);
  return nlohmann::json::parse(in);
}

ModelSpec imported(const nlohmann::json& config) {
  Diagnostics diag("config.json");
  const auto m = import_hf_config(config, "imported", "config.json", diag);
  EXPECT_FALSE(diag.has_errors()) << (diag.has_errors() ? format_issue(diag.issues().front()) : "");
  ObjectReader reader(m, "", diag);
  return parse_model_spec(reader);
}

void expect_same_parameters(const ModelSpec& model, const std::string& catalog_id) {
  const auto* expected = find_model(catalog_id);
  ASSERT_NE(expected, nullptr) << catalog_id;
  const auto a = count_parameters(model);
  const auto b = count_parameters(*expected);
  EXPECT_EQ(a.total, b.total) << catalog_id;
  EXPECT_EQ(a.active, b.active) << catalog_id;
  EXPECT_EQ(a.mtp_total, b.mtp_total) << catalog_id;
}

TEST(HfImport, LlamaIsTheCatalogsLlama) {
  const auto m = imported(fixture("llama-3.1-70b.json"));
  EXPECT_EQ(m.attention.kind, AttentionKind::gqa);
  EXPECT_EQ(m.attention.num_kv_heads, 8);
  expect_same_parameters(m, "llama-3.1-70b");
}

TEST(HfImport, DeepSeekV3IsTheCatalogsDeepSeekV3) {
  const auto m = imported(fixture("deepseek-v3.json"));
  EXPECT_EQ(m.attention.kind, AttentionKind::mla);
  ASSERT_TRUE(m.moe.has_value());
  EXPECT_EQ(m.moe->first_dense_layers, 3);
  EXPECT_EQ(m.moe->max_nodes_per_token, 4);  // topk_group, one expert group per node
  EXPECT_EQ(m.mtp_depth, 1);
  expect_same_parameters(m, "deepseek-v3");
}

TEST(HfImport, Qwen3MoeIsTheCatalogsQwen3) {
  const auto m = imported(fixture("qwen3-30b-a3b.json"));
  EXPECT_TRUE(m.attention.qk_norm);
  ASSERT_TRUE(m.moe.has_value());
  EXPECT_EQ(m.moe->num_routed_experts, 128);
  expect_same_parameters(m, "qwen3-30b-a3b");
}

TEST(HfImport, MixtralFromTheValuesTheCatalogCites) {
  // The catalog's mixtral-8x7b sources list its config.json's layer keys; here in HF's names.
  const auto config = nlohmann::json::parse(R"({"model_type": "mixtral", "hidden_act": "silu", "hidden_size": 4096,
      "intermediate_size": 14336, "max_position_embeddings": 32768, "num_attention_heads": 32, "num_hidden_layers": 32,
      "num_key_value_heads": 8, "num_local_experts": 8, "num_experts_per_tok": 2, "tie_word_embeddings": false,
      "vocab_size": 32000})");
  expect_same_parameters(imported(config), "mixtral-8x7b");
}

TEST(HfImport, MistralsSlidingWindowIsKept) {
  auto config = fixture("llama-3.1-70b.json");
  config["model_type"] = "mistral";
  config["sliding_window"] = 4096;  // Mistral-7B-v0.1's window, on every layer
  const auto m = imported(config);
  ASSERT_TRUE(m.attention.sliding_window.has_value());
  EXPECT_EQ(m.attention.sliding_window->window, 4096);
  config["sliding_window"] = nullptr;  // Mixtral and later Mistrals: none
  EXPECT_FALSE(imported(config).attention.sliding_window.has_value());
}

TEST(HfImport, WhatIsNotModelledIsAnIssueAtItsKey) {
  const auto issues_of = [](nlohmann::json config) {
    Diagnostics diag("config.json");
    (void)import_hf_config(config, "x", "config.json", diag);
    return diag.issues();
  };
  auto qwen = fixture("qwen3-30b-a3b.json");
  qwen["decoder_sparse_step"] = 2;
  qwen["mlp_only_layers"] = {0};
  auto found = issues_of(qwen);
  ASSERT_EQ(found.size(), 2U);
  EXPECT_EQ(found[0].pointer, "/decoder_sparse_step");
  EXPECT_EQ(found[1].pointer, "/mlp_only_layers");
  auto llama = fixture("llama-3.1-70b.json");
  llama["hidden_act"] = "gelu";
  llama.erase("hidden_size");
  found = issues_of(llama);
  ASSERT_EQ(found.size(), 2U);
  EXPECT_EQ(found[0].pointer, "/hidden_size");
  EXPECT_EQ(found[1].pointer, "/hidden_act");
  llama = fixture("llama-3.1-70b.json");
  llama["model_type"] = "gpt2";
  found = issues_of(llama);
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found[0].pointer, "/model_type");
  EXPECT_NE(found[0].hint.find("deepseek_v3"), std::string::npos);
}

}  // namespace
}  // namespace trainsim
