// The validation suite's own machinery: its rows, their FLOP conventions and its errors. How
// far the predictions are from the measurements is what `trainsim validate` reports.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/config_error.hpp"
#include "scenario_fixture.hpp"
#include "validation/validation_suite.hpp"

namespace trainsim {
namespace {
using namespace testing;

const std::string kRuns = std::string(TRAINSIM_SOURCE_DIR) + "/validation/runs";

nlohmann::json run_json(const std::string& name) { return scenario_json("validation/runs/" + name + ".json"); }

// The ids of ../shared/reference/validation-public.csv: its first column.
std::set<std::string> published_rows() {
  std::ifstream csv(std::string(TRAINSIM_SOURCE_DIR) + "/../shared/reference/validation-public.csv");
  EXPECT_TRUE(csv.good()) << "../shared/reference/validation-public.csv beside the checkout";
  std::set<std::string> ids;
  std::string line;
  std::getline(csv, line);  // header
  while (std::getline(csv, line)) {
    if (!line.empty()) ids.insert(line.substr(0, line.find(',')));
  }
  return ids;
}

std::string row_of(const std::string& file) {
  std::ifstream in(file);
  return nlohmann::json::parse(in).at("validation").at("row").get<std::string>();
}

TEST(Validation, OneScenarioPerPublishedRow) {
  // Every measured row of the CSV, and DeepSeek-V3's measured step (ISCA'25 Table 4).
  auto expected = published_rows();
  EXPECT_EQ(expected.size(), 47U);
  expected.insert("DS-V3 (step)");
  std::set<std::string> rows;
  for (const auto& f : validation_files(kRuns, false)) EXPECT_TRUE(rows.insert(row_of(f)).second) << f << " twice";
  EXPECT_EQ(rows, expected);
}

// Every scenario loads (MB-6's EP32 over TP2 x DP16 through parallel folding) and carries its
// citation and convention.
TEST(Validation, EveryRowLoadsWithItsCitation) {
  for (const auto& f : validation_files(kRuns, false)) {
    const auto t = validation_target(load_scenario(f));
    EXPECT_FALSE(t.citation.empty()) << f;
    EXPECT_FALSE(t.convention.empty()) << f;
  }
}

// Runs beyond the CSV (validation/extra): Korthikanti et al. trained 22B, 175B, 530B and 1T
// models on A100s both ways (Table 5), so trainsim's memory model must let all eight plans fit
// in 80 GB.
TEST(Validation, ExtraRunsAreCitedAndFit) {
  const auto files = validation_files(std::string(TRAINSIM_SOURCE_DIR) + "/validation/extra", false);
  ASSERT_EQ(files.size(), 8U);
  for (const auto& f : files) {
    const auto row = validate_scenario(load_scenario(f), EngineKind::analytic);
    EXPECT_TRUE(row.feasible()) << f << ": " << row.reason;
    EXPECT_FALSE(row.target.citation.empty()) << f;
  }
}

TEST(Validation, CiSubsetIsTheMarkedRows) {
  const auto all = validation_files(kRuns, false);
  const auto ci = validation_files(kRuns, true);
  EXPECT_LT(ci.size(), all.size());
  EXPECT_GE(ci.size(), 4U);
  for (const auto& f : ci) EXPECT_TRUE(validation_target(load_scenario(f)).ci) << f;
}

TEST(Validation, HardwareFlopsFollowMegatronsFormula) {
  // SC'21 eq. (3): F = 96 B s l h^2 (1 + s / 6h + V / 16 l h) per step with full recomputation
  // and the full attention matrix; GPT 1.7B: l 24, h 2304, V 51200, s 2048.
  const auto s = parse(run_json("sc21-1"));
  const double B = 512, seq = 2048, l = 24, h = 2304, V = 51200;
  const double megatron = 96 * B * seq * l * h * h * (1 + seq / (6 * h) + V / (16 * l * h));
  const auto per_token =
      hardware_flops_per_token(s.model, 2048, AttentionConvention::non_causal, s.phases[0].segments[0].plan.recompute);
  // The formula leaves out biases, norms and position embeddings (under 1% at this size).
  EXPECT_NEAR(per_token.total().si() * B * seq, megatron, 0.01 * megatron);
}

TEST(Validation, SummaryTakesTheMeanOfAbsoluteErrorsAndNamesTheWorst) {
  const std::vector<std::string> files{kRuns + "/sc21-1.json", kRuns + "/sc21-4.json"};
  const auto summary = validate(files, EngineKind::analytic);
  ASSERT_EQ(summary.rows.size(), 2U);
  const double a = std::abs(summary.rows[0].error());
  const double b = std::abs(summary.rows[1].error());
  EXPECT_NEAR(summary.mean_absolute_error, (a + b) / 2, 1e-12);
  EXPECT_NEAR(summary.mean_signed_error, (summary.rows[0].error() + summary.rows[1].error()) / 2, 1e-12);
  EXPECT_EQ(summary.worst, a >= b ? 0U : 1U);
  ASSERT_EQ(summary.by_group.size(), 1U);
  EXPECT_EQ(summary.by_group[0].label, "SC21");
  EXPECT_EQ(summary.by_group[0].rows, 2U);
  EXPECT_NEAR(summary.by_group[0].mean_absolute, summary.mean_absolute_error, 1e-12);
  ASSERT_EQ(summary.by_gpu.size(), 1U);
  EXPECT_EQ(summary.by_gpu[0].label, "a100-sxm");
  ASSERT_EQ(summary.by_kind.size(), 1U);
  EXPECT_EQ(summary.by_kind[0].label, "dense");
  // Each row names its share of the step and the kernel classes its GPU times on defaults.
  EXPECT_GT(summary.rows[0].breakdown.compute.si(), 0.0);
  EXPECT_LT(summary.rows[0].default_classes.size(), summary.rows[0].kernel_classes);
}

// "+" means predicted faster than measured, whatever the metric: a step time or GPU-hours
// predicted 10% low is +10%, a throughput predicted 10% high is +10%.
TEST(Validation, ErrorSignMeansFasterForEveryMetric) {
  ValidationRow r;
  r.target.measured = 100.0;
  r.predicted = 90.0;
  for (const auto m : {ValidationMetric::step_time_s, ValidationMetric::gpu_hours,
                       ValidationMetric::gpu_hours_per_trillion_tokens}) {
    r.target.metric = m;
    EXPECT_NEAR(r.error(), 0.10, 1e-12) << to_string(m);
  }
  r.predicted = 110.0;
  for (const auto m : {ValidationMetric::tflops_per_gpu, ValidationMetric::tokens_per_s_per_gpu}) {
    r.target.metric = m;
    EXPECT_NEAR(r.error(), 0.10, 1e-12) << to_string(m);
  }
}

// A scenario that does not load is a failed row with its reason; the rows after it still run.
TEST(Validation, KeepsGoingPastAScenarioThatFailsToLoad) {
  const auto dir = std::filesystem::temp_directory_path() / "trainsim-validate-failed-row";
  std::filesystem::create_directories(dir);
  auto broken = run_json("sc21-1");
  broken["parallel"]["tensor_parallel"] = 3;
  broken["validation"]["row"] = "BROKEN-1";
  std::ofstream(dir / "a-broken.json") << broken.dump();
  std::ofstream(dir / "b-not-json.json") << "{";
  std::filesystem::copy_file(kRuns + "/sc21-1.json", dir / "c-good.json",
                             std::filesystem::copy_options::overwrite_existing);
  const auto summary = validate(validation_files(dir.string(), false), EngineKind::analytic);
  std::filesystem::remove_all(dir);
  ASSERT_EQ(summary.rows.size(), 3U);
  EXPECT_EQ(summary.failed, 2U);
  EXPECT_EQ(summary.rows[0].status, RowStatus::failed);
  EXPECT_EQ(summary.rows[0].target.row, "BROKEN-1");  // read from the file as far as it goes
  EXPECT_DOUBLE_EQ(summary.rows[0].target.measured, 137.0);
  EXPECT_NE(summary.rows[0].reason.find("/parallel"), std::string::npos) << summary.rows[0].reason;
  EXPECT_EQ(summary.rows[1].target.row, "b-not-json");  // nothing readable: the file's name
  EXPECT_EQ(summary.rows[2].status, RowStatus::predicted);
  EXPECT_NEAR(summary.mean_absolute_error, std::abs(summary.rows[2].error()), 1e-12);
  EXPECT_EQ(summary.worst, 2U);
  EXPECT_FALSE(meets_bar(summary));
}

ConfigIssue only_issue(const nlohmann::json& doc) {
  try {
    validation_target(parse(doc));
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.issues().size(), 1U);
    return e.issues().front();
  }
  ADD_FAILURE() << "no error";
  return {};
}

TEST(Validation, BadTargetsNameTheirField) {
  auto doc = run_json("sc21-1");
  doc.erase("validation");
  EXPECT_EQ(only_issue(doc).pointer, "/validation");

  doc = run_json("sc21-1");
  doc["validation"]["metric"] = "mfu";
  EXPECT_EQ(only_issue(doc).pointer, "/validation/metric");

  doc = run_json("sc21-1");
  doc["validation"].erase("attention");
  EXPECT_EQ(only_issue(doc).pointer, "/validation/attention");

  doc = run_json("ds-v3-gpu-hours");
  doc["validation"]["phase"] = "pretraining";
  const auto issue = only_issue(doc);
  EXPECT_EQ(issue.pointer, "/validation/phase");
  EXPECT_NE(issue.message.find("pretraining"), std::string::npos);

  doc = run_json("ds-v3-step");
  doc["validation"]["flops"] = "model";  // a step time has no FLOP convention
  EXPECT_EQ(only_issue(doc).pointer, "/validation/flops");

  // Read strictly with the scenario: a misspelt key is an error with the nearest known key.
  doc = run_json("sc21-1");
  doc["validation"]["measurd"] = doc["validation"]["measured"];
  doc["validation"].erase("measured");
  const auto found = issues(doc);
  EXPECT_TRUE(has_issue(found, "/validation/measured", "missing"));
  const auto misspelt = std::find_if(found.begin(), found.end(),
                                     [](const ConfigIssue& i) { return i.pointer == "/validation/measurd"; });
  ASSERT_NE(misspelt, found.end());
  EXPECT_NE(misspelt->hint.find("measured"), std::string::npos) << misspelt->hint;
}

}  // namespace
}  // namespace trainsim
