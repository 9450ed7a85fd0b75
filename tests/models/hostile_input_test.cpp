// Scenarios a hostile or unlucky user might write: each class found by hand or by fuzzing gets
// an issue at the field's pointer, never an overflow, a NaN or a "feasible" answer.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>

#include "scenario_fixture.hpp"

namespace trainsim::testing {
namespace {

nlohmann::json deepseek() { return scenario_json("scenarios/deepseek-v3-h800.json"); }

// The scenario with the catalog's `id` model written inline, to edit its hyper-parameters.
nlohmann::json with_inline_model(const std::string& id) {
  std::ifstream in(std::string(TRAINSIM_SOURCE_DIR) + "/models/catalog/models.json");
  const auto catalog = nlohmann::json::parse(in);
  auto doc = deepseek();
  for (const auto& m : catalog["models"]) {
    if (m["id"] == id) doc["model"] = m;
  }
  return doc;
}

constexpr std::int64_t k2to(int power) { return std::int64_t{1} << power; }

TEST(HostileInput, DegreesWhoseProductWrapsAreRejectedAtTheirField) {
  auto doc = deepseek();
  doc["parallel"]["data_parallel"] = k2to(32);
  doc["parallel"]["micro_batch_size"] = k2to(32);
  const auto found = issues(doc);
  EXPECT_TRUE(has_issue(found, "/parallel/data_parallel", "[1, 16777216]"));

  // Within each bound, the four degrees still multiply past int64: a mismatch, not a wrap.
  doc = deepseek();
  for (const char* key : {"tensor_parallel", "pipeline_parallel", "data_parallel", "context_parallel"}) {
    doc["parallel"][key] = k2to(24);
  }
  EXPECT_TRUE(has_issue(issues(doc), "/parallel", "more than 2^63"));
}

TEST(HostileInput, ModelSizesBeyondTheLimitsAreRejectedAtTheirField) {
  auto doc = with_inline_model("deepseek-v3");
  doc["model"]["hidden_size"] = k2to(31);
  EXPECT_TRUE(has_issue(issues(doc), "/model/hidden_size", "[1, 262144]"));

  doc = with_inline_model("deepseek-v3");
  doc["model"]["moe"]["expert_intermediate_size"] = k2to(40);
  EXPECT_TRUE(has_issue(issues(doc), "/model/moe/expert_intermediate_size", "[1, 262144]"));

  // Each field in range, their product beyond the expert-width cap.
  doc = with_inline_model("deepseek-v3");
  doc["model"]["moe"]["num_routed_experts"] = k2to(14);
  doc["model"]["moe"]["expert_intermediate_size"] = k2to(18);
  EXPECT_TRUE(has_issue(issues(doc), "/model/moe/expert_intermediate_size", "experts x expert_intermediate_size"));

  // Widths at their bounds and experts at the expert-width cap: about 2^53.6 parameters,
  // beyond the parameter cap and counted without overflow.
  doc = with_inline_model("deepseek-v3");
  doc["model"]["hidden_size"] = k2to(18);
  doc["model"]["moe"]["num_routed_experts"] = k2to(10) - 1;
  doc["model"]["moe"]["num_shared_experts"] = 1;
  doc["model"]["moe"]["expert_intermediate_size"] = k2to(18);
  EXPECT_TRUE(has_issue(issues(doc), "/model/num_layers", "parameters; at most 1e+15"));

  doc = with_inline_model("deepseek-v3");
  doc["model"]["num_layers"] = 1e20;
  EXPECT_TRUE(has_issue(issues(doc), "/model/num_layers", "[1, 4096]"));
}

TEST(HostileInput, HeadsWiderThanTheModelNeedAHeadDim) {
  auto doc = with_inline_model("llama-3.1-8b");
  auto& attention = doc["model"]["attention"];
  attention.erase("head_dim");
  attention["num_heads"] = doc["model"]["hidden_size"].get<std::int64_t>() * 2;
  attention["num_kv_heads"] = attention["num_heads"];
  EXPECT_TRUE(has_issue(issues(doc), "/model/attention/num_heads", "no width per head"));
}

TEST(HostileInput, ZeroAndInfiniteRatesAreRejected) {
  for (const char* rate : {"0Gbps", "1e308EBps"}) {
    auto doc = deepseek();
    doc["cluster"]["network"]["nic_bandwidth"] = rate;
    const auto found = issues(doc);
    EXPECT_TRUE(has_issue(found, "/cluster/network/nic_bandwidth", rate)) << rate;
  }
}

TEST(HostileInput, MicroBatchesBeyondTheTokenLimitAreNotFeasible) {
  auto doc = deepseek();
  doc["parallel"]["micro_batch_size"] = k2to(31);
  EXPECT_TRUE(has_issue(issues(doc), "/training/phases/0", "micro_batch_size 2147483648 x sequence_length 4096"));
}

TEST(HostileInput, LayerCountsBeyondTheLimitAreRejected) {
  auto doc = deepseek();
  doc["parallel"]["layers_per_chunk"] = nlohmann::json::array();
  for (int i = 0; i < 32; ++i) doc["parallel"]["layers_per_chunk"].push_back(k2to(62));
  EXPECT_TRUE(has_issue(issues(doc), "/parallel/layers_per_chunk", "[0, 4096]"));
}

TEST(HostileInput, CalibrationsThatNeverEndOrAchieveNothingAreRejected) {
  auto doc = deepseek();
  doc["cluster"]["calibration"] = "/dev/zero";
  EXPECT_TRUE(has_issue(issues(doc), "", "not a regular file"));

  const auto path = std::filesystem::temp_directory_path() / "trainsim_zero_calibration.json";
  std::ofstream(path) << R"({"schema_version": 1, "name": "zero", "gpu": "h800-sxm", "kind": "published_benchmarks",
    "description": "a row that achieves nothing", "rows": [
    {"class": "gemm_bf16", "m": 4096, "n": 4096, "k": 4096, "achieved": "0TFLOPS", "source": "test"},
    {"class": "gemm_bf16", "m": 268435456, "n": 268435456, "k": 268435456, "groups": 16384, "achieved": "1TFLOPS", "source": "test"}]})";
  doc["cluster"]["calibration"] = path.string();
  const auto found = issues(doc);
  EXPECT_TRUE(has_issue(found, "/rows/0/achieved", "not a positive rate"));
  EXPECT_TRUE(has_issue(found, "/rows/1", "beyond 2^63 bytes"));
  std::filesystem::remove(path);

  // Found by fuzz_calibration: an FP8 row on a GPU without FP8 tensor cores was an internal error.
  std::ofstream(path) << R"({"schema_version": 1, "name": "a800", "gpu": "a800-sxm", "kind": "published_benchmarks",
    "description": "FP8 on an A800", "rows": [
    {"class": "gemm_fp8", "m": 4096, "n": 4096, "k": 4096, "achieved": "500TFLOPS", "source": "test"}]})";
  EXPECT_TRUE(has_issue(issues(doc), "/rows/0/class", "GPU a800-sxm has no fp8 peak"));
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace trainsim::testing
