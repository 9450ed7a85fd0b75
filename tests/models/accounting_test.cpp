#include <gtest/gtest.h>

#include "models/flop_count.hpp"
#include "models/model_catalog.hpp"
#include "models/parameter_count.hpp"

namespace trainsim {
namespace {

const ModelSpec& model(const char* id) {
  const auto* m = find_model(id);
  if (m == nullptr) throw std::runtime_error(std::string("no model ") + id);
  return *m;
}

// Checks from ../shared/reference/deepseek-v3.md sec.9.1-9.2 (the tolerances).
TEST(Accounting, DeepSeekV3Parameters) {
  const auto p = count_parameters(model("deepseek-v3"));
  EXPECT_NEAR(static_cast<double>(p.total), 671.0e9, 671.0e9 * 0.003);
  EXPECT_NEAR(static_cast<double>(p.active), 37.5e9, 37.5e9 * 0.01);  // embedding and head included
  EXPECT_NEAR(static_cast<double>(p.mtp_total), 11.6e9, 11.6e9 * 0.01);
  // sec.9.1: GEMM-active weights without the embedding lookup are 36.62B.
  EXPECT_NEAR(static_cast<double>(p.matmul_active), 36.62e9, 36.62e9 * 0.002);
}

TEST(Accounting, DeepSeekV3FlopsPerTokenAt4K) {
  const auto& m = model("deepseek-v3");
  EXPECT_NEAR(model_flops_per_token(m, 4096, AttentionConvention::causal).total().si(), 250.4e9, 250.4e9 * 0.01);
  EXPECT_NEAR(model_flops_per_token(m, 4096, AttentionConvention::non_causal).total().si(), 281.2e9, 281.2e9 * 0.01);
  // ISCA'25 Table 2 lists 250 GFLOPs/token for V3 and 155 for V2 at 4K; those are causal.
  EXPECT_NEAR(model_flops_per_token(model("deepseek-v2"), 4096, AttentionConvention::causal).total().si(), 155e9, 155e9 * 0.02);
}

// Published counts printed to a few digits: the tolerance is the larger of 1% and half a unit
// of the last printed digit (1.7B can mean anything in [1.65, 1.75)).
void expect_published(const char* id, double published, double last_digit) {
  const double ours = static_cast<double>(count_parameters(model(id)).total);
  EXPECT_NEAR(ours, published, std::max(0.01 * published, last_digit / 2.0)) << id;
}

TEST(Accounting, MegatronSc21TableOne) {
  expect_published("megatron-gpt-1.7b", 1.7e9, 0.1e9);
  expect_published("megatron-gpt-3.6b", 3.6e9, 0.1e9);
  expect_published("megatron-gpt-7.5b", 7.5e9, 0.1e9);
  expect_published("megatron-gpt-18.4b", 18.4e9, 0.1e9);
  expect_published("megatron-gpt-22b", 22e9, 1e9);
  expect_published("megatron-gpt-39.1b", 39.1e9, 0.1e9);
  expect_published("megatron-gpt-76.1b", 76.1e9, 0.1e9);
  expect_published("megatron-gpt-145.6b", 145.6e9, 0.1e9);
  expect_published("megatron-gpt-310.1b", 310.1e9, 0.1e9);
  expect_published("megatron-gpt-529.6b", 529.6e9, 0.1e9);
  expect_published("megatron-gpt-1008b", 1008.0e9, 0.1e9);
}

TEST(Accounting, OtherCatalogModels) {
  expect_published("llama-3.1-405b", 405e9, 1e9);
  expect_published("llama-3.1-70b", 70e9, 1e9);
  expect_published("llama-3.1-8b", 8e9, 1e9);
  expect_published("gpt-3-175b", 175e9, 1e9);
  expect_published("mixtral-8x7b", 46.7e9, 0.1e9);
  expect_published("qwen3-235b-a22b", 235e9, 1e9);
  expect_published("deepseek-v2", 236e9, 1e9);
  // The validation suite's models (their sources in models/catalog/models.json).
  expect_published("nemotron-4-340b", 341.0e9, 0.1e9);
  expect_published("grok-1-314b", 314e9, 1e9);
  expect_published("qwen3-30b-a3b", 30.5e9, 0.1e9);
  expect_published("bloom-176b", 176e9, 1e9);
  expect_published("megatron-gpt-174.6b", 174.6e9, 0.1e9);
  expect_published("megatron-core-gpt-32b", 32e9, 1e9);
  expect_published("megatron-core-gpt-314b", 314e9, 1e9);
  EXPECT_NEAR(static_cast<double>(count_parameters(model("mixtral-8x7b")).active), 12.9e9, 0.129e9);
  EXPECT_NEAR(static_cast<double>(count_parameters(model("qwen3-235b-a22b")).active), 22e9, 0.5e9);
  EXPECT_NEAR(static_cast<double>(count_parameters(model("deepseek-v2")).active), 21e9, 0.5e9);
}

// Narayanan et al. (SC'21) eq. 3: FLOPs per iteration with full recomputation and full
// attention = 96 B s l h^2 (1 + s/(6h) + V/(16 l h)). Our hardware FLOPs must equal it, up to
// the bias and norm terms the formula leaves out.
TEST(Accounting, MatchesMegatronFormulaWithFullRecomputation) {
  for (const char* id : {"megatron-gpt-1.7b", "megatron-gpt-145.6b", "megatron-gpt-1008b"}) {
    const auto& m = model(id);
    const double s = 2048;
    const double l = static_cast<double>(m.num_layers);
    const double h = static_cast<double>(m.hidden_size);
    const double v = static_cast<double>(m.vocab_size);
    const double formula = 96.0 * l * h * h * (1.0 + s / (6.0 * h) + v / (16.0 * l * h));
    const auto ours = hardware_flops_per_token(m, 2048, AttentionConvention::non_causal,
                                               RecomputeSet(static_cast<unsigned>(RecomputePart::full_layer)));
    EXPECT_NEAR(ours.total().si(), formula, formula * 1e-9) << id;
  }
}

TEST(Accounting, CausalAttentionHalvesTheScores) {
  const auto& m = model("llama-3.1-405b");
  const auto causal = model_flops_per_token(m, 8192, AttentionConvention::causal);
  const auto full = model_flops_per_token(m, 8192, AttentionConvention::non_causal);
  EXPECT_DOUBLE_EQ(causal.matmul.si(), full.matmul.si());
  EXPECT_DOUBLE_EQ(causal.attention.si() * 2.0, full.attention.si());
}

}  // namespace
}  // namespace trainsim
