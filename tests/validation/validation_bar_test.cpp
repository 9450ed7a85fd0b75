// The bar, over every published measured run of validation/runs, with one calibration per GPU
// type and no per-row factor:
// - every row loads and its published plan fits (MB-6 through Megatron-Core's parallel folding);
// - the rows not awaiting a named fidelity issue keep the original bar: mean absolute error
//   under 15%, every row under 30%;
// - the rows awaiting one are listed with what limits them; one that comes clearly inside the
//   bar (by more than the 2.5 points the engines may differ by, the engine property test's
//   tolerance) must leave the list, so the bar rises as the issues land;
// - over all predicted rows the mean stays under 27% (24.5% on SimGrid, 24.6% analytic on
//   2026-12-02): it falls with them.
// The whole suite runs here (about 2 minutes on SimGrid, 11 s analytic); `trainsim validate`
// prints the same rows.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "validation/validation_suite.hpp"

namespace trainsim {
namespace {

// Outside the original bar until the named issue lands, with what limits each.
const std::map<std::string, std::string>& awaiting() {
  static const std::map<std::string, std::string> rows{
      {"MB-5", "fine-grained MoE (128 experts of 768): router, permute and grouped-GEMM costs (issue 18)"},
      {"MB-10", "B200 attention, memory-bound kernels and links on defaults (issue 17); MoE kernels (issue 18)"},
      {"MB-18", "GB200 attention, memory-bound kernels and links on defaults (issue 17); MoE kernels (issue 18)"},
      {"NEMO25-3", "B200 attention, memory-bound kernels and links on defaults (issue 17): at the bar's edge"},
      {"NEMO25-6", "B200 defaults (issue 17) and MoE kernels (issue 18): at the bar's edge"},
      {"SC21T2-1", "ZeRO-3 gathers per parameter bucket and its ring latencies (issue 19)"},
      {"SC21T2-5", "ZeRO-3 over 1,120 ranks (issue 19)"},
  };
  return rows;
}
constexpr double kEngineSpread = 0.025;
constexpr double kAllRowsMeanCeiling = 0.27;

void expect_within_bar(EngineKind engine) {
  const auto summary = validate(validation_files(std::string(TRAINSIM_SOURCE_DIR) + "/validation/runs", false), engine);
  ASSERT_EQ(summary.rows.size(), 48U);  // 47 CSV rows and DeepSeek-V3's measured step
  ValidationSummary held;
  held.engine = summary.engine;
  for (const auto& r : summary.rows) {
    const auto& row = r.target.row;
    EXPECT_EQ(r.status, RowStatus::predicted) << row << ": " << r.reason;
    if (awaiting().contains(row)) {
      EXPECT_GE(std::abs(r.error()), kRowErrorBar - kEngineSpread)
          << row << " is inside the bar now: remove it from awaiting()";
      continue;
    }
    EXPECT_LT(std::abs(r.error()), kRowErrorBar) << row << ": predicted " << r.predicted << ", measured "
                                                 << r.target.measured;
    held.rows.push_back(r);
  }
  summarize(held);
  EXPECT_EQ(held.rows.size(), 41U);
  EXPECT_LT(held.mean_absolute_error, kMeanErrorBar);
  EXPECT_TRUE(meets_bar(held));
  EXPECT_LT(summary.mean_absolute_error, kAllRowsMeanCeiling);
}

TEST(ValidationBar, SimGridEngine) { expect_within_bar(EngineKind::simgrid); }
TEST(ValidationBar, AnalyticEngine) { expect_within_bar(EngineKind::analytic); }

TEST(ValidationBar, OneRowOutsideFailsIt) {
  ValidationSummary s;
  s.rows.resize(2);
  for (auto& r : s.rows) {
    r.target.measured = 100.0;
    r.target.metric = ValidationMetric::tokens_per_s_per_gpu;
  }
  s.rows[0].predicted = 100.0;
  s.rows[1].predicted = 129.0;
  s.mean_absolute_error = 0.145;
  EXPECT_TRUE(meets_bar(s));
  s.rows[1].predicted = 130.0;  // exactly 30% off is outside, whatever the mean
  EXPECT_FALSE(meets_bar(s));
  s.rows[1].predicted = 71.0;
  EXPECT_TRUE(meets_bar(s));
  s.mean_absolute_error = 0.15;  // exactly 15% on average is outside
  EXPECT_FALSE(meets_bar(s));
  s.mean_absolute_error = 0.145;
  s.infeasible = 1;  // a published plan that trainsim says cannot run
  EXPECT_FALSE(meets_bar(s));
  s.infeasible = 0;
  s.failed = 1;  // a scenario that did not load
  EXPECT_FALSE(meets_bar(s));
}

}  // namespace
}  // namespace trainsim
