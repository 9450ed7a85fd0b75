// trainsim init: a scenario that reads, whose plan is the planner's best on that cluster, whose
// defaults are the ones it states; bad requests are bad command lines.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

namespace {

using namespace trainsim::testing;

std::filesystem::path temp(const std::string& name) { return std::filesystem::temp_directory_path() / name; }

TEST(Init, WritesTheScenarioWhosePlanThePlannerRanksFirst) {
  const auto path = temp("trainsim_init_mixtral.json");
  const auto r = run_trainsim("init --model mixtral-8x7b --gpu h200-sxm --gpus 64 --tokens 1T --sequence-length 4096 -o " +
                              path.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("best plan: "), std::string::npos) << r.err;
  const auto scenario = nlohmann::json::parse(slurp(path));
  EXPECT_EQ(scenario["model"], "mixtral-8x7b");
  EXPECT_EQ(scenario["cluster"]["gpu"], "h200-sxm");
  EXPECT_EQ(scenario["cluster"]["gpu_count"], 64);
  EXPECT_EQ(scenario["training"]["phases"][0]["tokens"], 1e12);
  EXPECT_EQ(scenario["training"]["phases"][0]["sequence_length"], 4096);
  // 4M tokens of 4,096-token sequences: 1,024 per batch.
  EXPECT_EQ(scenario["training"]["phases"][0]["global_batch_size"], 1024);

  // The planner, asked about the written scenario, finds that same plan best by closed form.
  const auto plan = run_trainsim("plan " + path.string() + " --engine analytic --top-k 1 --format json");
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  const auto j = nlohmann::json::parse(plan.out);
  EXPECT_EQ(j["baseline_rank"], 1) << plan.out.substr(0, 2000);

  // It runs as every scenario does.
  const auto estimate = run_trainsim("estimate " + path.string() + " --format json");
  ASSERT_EQ(estimate.exit_code, 0) << estimate.err;
  EXPECT_TRUE(nlohmann::json::parse(estimate.out)["feasible"].get<bool>());
}

TEST(Init, DefaultsAreTheStatedOnes) {
  const auto r = run_trainsim("init --no-search");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto scenario = nlohmann::json::parse(r.out);
  EXPECT_EQ(scenario["model"], "llama-3.1-8b");
  EXPECT_EQ(scenario["cluster"]["gpu"], "h100-sxm");
  EXPECT_EQ(scenario["cluster"]["gpu_count"], 8);
  const auto& phase = scenario["training"]["phases"][0];
  // 20 tokens per parameter (Chinchilla) of Llama 3.1 8B's 8.03B parameters (trainsim models,
  // to +-0.005B), rounded to whole billions (+-0.5B).
  EXPECT_NEAR(phase["tokens"].get<double>(), 20 * 8.03e9, 20 * 0.005e9 + 0.5e9);
  EXPECT_EQ(std::fmod(phase["tokens"].get<double>(), 1e9), 0.0);
  EXPECT_EQ(phase["sequence_length"], 8192);
  EXPECT_EQ(phase["global_batch_size"], 512);
  // Not searched: the widest tensor parallelism inside a server that the rules allow.
  EXPECT_EQ(scenario["parallel"]["tensor_parallel"], 8);
  EXPECT_EQ(scenario["parallel"]["pipeline_parallel"], 1);
  EXPECT_EQ(scenario["prices"]["rental_usd_per_gpu_hour"], 2.2);  // the catalog's estimate for h100-sxm
  EXPECT_NE(scenario["description"].get<std::string>().find("Chinchilla"), std::string::npos);
  EXPECT_NE(r.err.find("not searched"), std::string::npos) << r.err;
  // The same request writes the same bytes.
  EXPECT_EQ(run_trainsim("init --no-search").out, r.out);
}

TEST(Init, TensorParallelismStaysInsideAServer) {
  const auto r = run_trainsim("init --no-search --gpus 16 --gpus-per-node 4");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto scenario = nlohmann::json::parse(r.out);
  EXPECT_EQ(scenario["parallel"]["tensor_parallel"], 4);
  EXPECT_EQ(scenario["parallel"]["data_parallel"], 4);
  EXPECT_EQ(scenario["cluster"]["network"]["nics_per_node"], 4);  // one NIC per GPU
}

TEST(Init, BadRequestsAreBadCommandLines) {
  const auto model = run_trainsim("init --model llama-4");
  EXPECT_EQ(model.exit_code, 2);
  EXPECT_NE(model.err.find("unknown model \"llama-4\""), std::string::npos) << model.err;
  EXPECT_NE(model.err.find("llama-3.1-70b"), std::string::npos) << model.err;  // the catalog is listed
  const auto gpu = run_trainsim("init --gpu h300");
  EXPECT_EQ(gpu.exit_code, 2);
  EXPECT_NE(gpu.err.find("unknown GPU \"h300\""), std::string::npos) << gpu.err;
  const auto tokens = run_trainsim("init --tokens 15X");
  EXPECT_EQ(tokens.exit_code, 2);
  EXPECT_NE(tokens.err.find("unknown suffix"), std::string::npos) << tokens.err;
  // A cluster no plan divides is bad input naming the plan: 37 single-GPU servers leave only
  // DP37 (Llama 3.1 8B has 32 layers to pipeline), which does not divide a 512-sequence batch.
  const auto odd = run_trainsim("init --no-search --gpus 37 --gpus-per-node 1");
  EXPECT_EQ(odd.exit_code, 3) << odd.err;
  EXPECT_NE(odd.err.find("/parallel"), std::string::npos) << odd.err;
}

}  // namespace
