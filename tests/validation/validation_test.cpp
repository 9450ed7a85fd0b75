// The validation suite's own machinery: its rows, their FLOP conventions and its errors. How
// far the predictions are from the measurements is what `trainsim validate` reports.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "core/config_error.hpp"
#include "scenario_fixture.hpp"
#include "validation/validation_suite.hpp"

namespace trainsim {
namespace {
using namespace testing;

const std::string kRuns = std::string(TRAINSIM_SOURCE_DIR) + "/validation/runs";

nlohmann::json run_json(const std::string& name) { return scenario_json("validation/runs/" + name + ".json"); }

TEST(Validation, OneScenarioPerPublishedRow) {
  // The measured rows of ../shared/reference/validation-public.csv, and DeepSeek-V3's
  // measured step (ISCA'25 Table 4).
  const std::set<std::string> expected{"L3-1",   "L3-2",   "L3-3",   "MC-8",   "SC21-1", "SC21-2",      "SC21-3",
                                       "SC21-4", "SC21-5", "SC21-6", "SC21-7", "SC21-8", "SC21-9",      "SC21-10",
                                       "MB-3",   "MB-7",   "DS-V3",  "DS-V2",  "DS-V3 (step)"};
  std::set<std::string> rows;
  for (const auto& f : validation_files(kRuns, false)) {
    const auto t = validation_target(load_scenario(f));
    EXPECT_TRUE(rows.insert(t.row).second) << "row " << t.row << " twice";
    EXPECT_FALSE(t.citation.empty()) << f;
    EXPECT_FALSE(t.convention.empty()) << f;
  }
  EXPECT_EQ(rows, expected);
}

// Runs beyond the CSV (validation/extra): Korthikanti et al. trained the 22B model on one DGX
// A100 both ways, so trainsim's memory model must let both plans fit in 80 GB.
TEST(Validation, ExtraRunsAreCitedAndFit) {
  const auto files = validation_files(std::string(TRAINSIM_SOURCE_DIR) + "/validation/extra", false);
  ASSERT_EQ(files.size(), 2U);
  for (const auto& f : files) {
    const auto row = validate_scenario(load_scenario(f), EngineKind::analytic);
    EXPECT_TRUE(row.feasible) << f << ": " << row.infeasible_reason;
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
  EXPECT_EQ(summary.worst, a >= b ? 0U : 1U);
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
