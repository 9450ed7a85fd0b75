// --set POINTER=VALUE on the commands that read a scenario: the same answer as editing the file,
// and bad pointers or values are bad input (exit 3) naming the pointer.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

namespace {

using namespace trainsim::testing;

const std::string kScenario = "scenarios/deepseek-v3-h800.json";

nlohmann::json scenario_json() {
  std::ifstream in(std::string(TRAINSIM_SOURCE_DIR) + "/" + kScenario);
  return nlohmann::json::parse(in);
}

TEST(SetOption, GivesTheAnswerOfTheEditedFile) {
  auto doc = scenario_json();
  doc["prices"]["rental_usd_per_gpu_hour"] = 4.0;
  doc["parallel"]["memory_overhead"] = "3GiB";
  const auto edited = write_temp("trainsim_set_edited.json", doc.dump(2));
  const auto by_file = run_trainsim("estimate " + edited.string() + " --format json");
  // Options before and after the scenario; a value that is JSON (4.0) and one that is not.
  const auto by_set = run_trainsim("estimate --set /prices/rental_usd_per_gpu_hour=4.0 " + kScenario +
                                   " --set /parallel/memory_overhead=3GiB --format json");
  ASSERT_EQ(by_set.exit_code, 0) << by_set.err;
  EXPECT_EQ(by_set.out, by_file.out);
  const auto base = nlohmann::json::parse(run_trainsim("estimate " + kScenario + " --format json").out);
  // Twice the price per GPU-hour: twice the dollars (the same plan, the same hours).
  const auto priced = nlohmann::json::parse(
      run_trainsim("estimate " + kScenario + " --set /prices/rental_usd_per_gpu_hour=4 --format json").out);
  EXPECT_NEAR(priced["cost_usd"].get<double>(), 2.0 * base["cost_usd"].get<double>(), 1e-9 * base["cost_usd"].get<double>());
}

TEST(SetOption, ACatalogGpuAndAFieldOfACatalogModel) {
  const auto r = run_trainsim("estimate " + kScenario + " --set /cluster/gpu=h20 --set /model/mtp_depth=0 --format json");
  ASSERT_EQ(r.exit_code == 0 || r.exit_code == 4, true) << r.err;  // an H20 may not fit the plan; it is still a result
  const auto base = nlohmann::json::parse(run_trainsim("estimate " + kScenario + " --format json").out);
  const auto j = nlohmann::json::parse(r.out);
  // Without the MTP module there are no MTP parameters (DeepSeek-V3: 671B + 14B MTP).
  EXPECT_GT(base["mtp_params"].get<double>(), 10e9);
  EXPECT_EQ(j["mtp_params"].get<double>(), 0.0);
}

TEST(SetOption, BadValuesAndPointersAreBadInputNamingThePointer) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/parallel/pipeline_parallel=sixteen", "/parallel/pipeline_parallel: expected an integer"},
      {"/cluster/gpu=h2000", "/cluster/gpu"},
      {"/cluster/nosuch/x=1", "/cluster/nosuch/x: there is no field /cluster/nosuch"},
      {"/parallel/tensor_paralel=2", "/parallel/tensor_paralel"},
  };
  for (const auto& [set, message] : cases) {
    const auto r = run_trainsim("estimate " + kScenario + " --set '" + set + "'");
    EXPECT_EQ(r.exit_code, 3) << set << "\n" << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << set << "\n" << r.err;
  }
}

TEST(SetOption, TextThatIsNotPointerEqualsValueIsAUsageError) {
  for (const auto& [set, message] : std::vector<std::pair<std::string, std::string>>{
           {"parallel/tensor_parallel=2", "the pointer must start with '/'"}, {"/parallel/tensor_parallel", "no '='"}}) {
    const auto r = run_trainsim("estimate " + kScenario + " --set '" + set + "'");
    EXPECT_EQ(r.exit_code, 2) << set << "\n" << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << set << "\n" << r.err;
  }
}

TEST(SetOption, EveryCommandThatReadsAScenarioTakesIt) {
  const std::string bad = " --set /parallel/pipeline_parallel=0";
  for (const auto& command : std::vector<std::string>{"estimate " + kScenario, "simulate " + kScenario, "plan " + kScenario,
                                    "compare " + kScenario + " " + kScenario}) {
    const auto r = run_trainsim(command + bad);
    EXPECT_EQ(r.exit_code, 3) << command << "\n" << r.err;
    EXPECT_NE(r.err.find("/parallel/pipeline_parallel"), std::string::npos) << command << "\n" << r.err;
  }
  // validate reports each row that does not load and exits 3 after its table.
  const auto v = run_trainsim("validate validation/runs/ds-v2.json" + bad);
  EXPECT_EQ(v.exit_code, 3) << v.err;
  EXPECT_NE(v.out.find("/parallel/pipeline_parallel"), std::string::npos) << v.out;
}

}  // namespace

namespace {

// import-hf writes a model object that a scenario takes as it is (here through --set).
TEST(ImportHf, ItsModelDropsIntoAScenario) {
  const auto model = std::filesystem::temp_directory_path() / "trainsim_imported_model.json";
  const auto r = run_trainsim("import-hf tests/models/hf/deepseek-v3.json -o " + model.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto object = nlohmann::json::parse(slurp(model));
  EXPECT_EQ(object["id"], "deepseek-v3");  // the file's stem
  const auto with = run_trainsim("estimate " + kScenario + " --format json --set '/model=" + object.dump() + "'");
  ASSERT_EQ(with.exit_code, 0) << with.err;
  const auto base = nlohmann::json::parse(run_trainsim("estimate " + kScenario + " --format json").out);
  const auto j = nlohmann::json::parse(with.out);
  EXPECT_EQ(j["total_params"], base["total_params"]);
  EXPECT_EQ(j["step_time_s"], base["step_time_s"]);
  // Not a config.json of a family trainsim reads: bad input naming the key.
  const auto bad = run_trainsim("import-hf " + write_temp("trainsim_gpt2.json", R"({"model_type": "gpt2"})").string());
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_NE(bad.err.find("/model_type"), std::string::npos) << bad.err;
}

}  // namespace

namespace {

// plan --write-scenario: the scenario with the best simulated plan in it, which reads back and
// whose estimate is that plan's closed-form step.
TEST(PlanWriteScenario, TheWrittenScenarioRunsTheBestPlan) {
  const auto written = std::filesystem::temp_directory_path() / "trainsim_best_plan.json";
  const auto r = run_trainsim("plan " + kScenario + " --engine analytic --top-k 1 --format json --write-scenario " +
                              written.string() + " --set /planner/pipeline_parallel=[8,16] --set /planner/expert_parallel=[64]");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto plans = nlohmann::json::parse(r.out)["plans"];
  const auto best = std::find_if(plans.begin(), plans.end(), [](const nlohmann::json& p) { return p.contains("simulated_step_time_s"); });
  ASSERT_NE(best, plans.end());
  const auto doc = nlohmann::json::parse(slurp(written));
  // DeepSeek-V3's later phases change parts of the scenario's plan, so the best plan went into
  // the planned (first) phase's own parallel object, and the other phases keep theirs.
  const auto& parallel = doc["training"]["phases"][0]["parallel"];
  for (const char* key : {"tensor_parallel", "pipeline_parallel", "data_parallel", "expert_parallel", "schedule",
                          "micro_batch_size", "zero_stage", "precision"}) {
    EXPECT_EQ(parallel[key], (*best)["plan"][key]) << key;
  }
  EXPECT_EQ(doc["training"]["phases"][1], nlohmann::json::parse(slurp(std::string(TRAINSIM_SOURCE_DIR) + "/" + kScenario))["training"]["phases"][1]);
  // The estimate of the written scenario is the plan's closed-form step.
  const auto e = run_trainsim("estimate " + written.string() + " --format json");
  ASSERT_TRUE(e.exit_code == 0 || e.exit_code == 4) << e.err;
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(e.out)["step_time_s"].get<double>(), (*best)["closed_form_step_time_s"].get<double>());
}

}  // namespace
