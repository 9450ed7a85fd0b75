// The bar: against every published measured run of validation/runs, trainsim's mean
// absolute error stays under 15% and no row is off by 30% or more, with one calibration per GPU
// type and no per-row factor. The whole suite runs here (about 25 s on SimGrid, 3 s analytic);
// `trainsim validate` prints the same rows.
#include <gtest/gtest.h>

#include <cmath>

#include "validation/validation_suite.hpp"

namespace trainsim {
namespace {

void expect_within_bar(EngineKind engine) {
  const auto summary = validate(validation_files(std::string(TRAINSIM_SOURCE_DIR) + "/validation/runs", false), engine);
  ASSERT_GE(summary.rows.size(), 19U);
  for (const auto& r : summary.rows) {
    EXPECT_TRUE(r.feasible) << r.target.row << ": " << r.infeasible_reason;
    EXPECT_LT(std::abs(r.error()), kRowErrorBar) << r.target.row << ": predicted " << r.predicted << ", measured "
                                                 << r.target.measured;
  }
  EXPECT_LT(summary.mean_absolute_error, kMeanErrorBar);
  EXPECT_TRUE(meets_bar(summary));
}

TEST(ValidationBar, SimGridEngine) { expect_within_bar(EngineKind::simgrid); }
TEST(ValidationBar, AnalyticEngine) { expect_within_bar(EngineKind::analytic); }

TEST(ValidationBar, OneRowOutsideFailsIt) {
  ValidationSummary s;
  s.rows.resize(2);
  for (auto& r : s.rows) r.target.measured = 100.0;
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
}

}  // namespace
}  // namespace trainsim
