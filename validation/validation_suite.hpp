#pragma once
// Runs validation scenarios and sets trainsim's prediction beside each published measurement,
// computed under the measurement's own convention. No per-row factor: every row runs on its
// GPU's calibration and the scenario's engine, as `trainsim simulate` would.
#include <string>
#include <vector>

#include "sim/step_simulation.hpp"
#include "models/scenario.hpp"
#include "models/validation_target.hpp"

namespace trainsim {

struct ValidationRow {
  std::string file;
  std::string scenario;
  std::string gpu;
  ValidationTarget target;
  bool feasible = true;
  std::string infeasible_reason;
  double predicted = 0.0;  // in the metric's unit
  [[nodiscard]] double error() const { return (predicted - target.measured) / target.measured; }
};

struct ValidationSummary {
  std::string engine;
  std::vector<ValidationRow> rows;
  double mean_absolute_error = 0.0;  // over feasible rows (a fraction, not percent)
  std::size_t worst = 0;             // index of the row with the largest |error|
  std::size_t infeasible = 0;
};

// The bar for the whole suite, with one calibration per GPU type and no per-row factor:
// mean absolute error under 15%, every row under 30%, and every published plan fitting.
inline constexpr double kMeanErrorBar = 0.15;
inline constexpr double kRowErrorBar = 0.30;
[[nodiscard]] bool meets_bar(const ValidationSummary& summary);

// The measured run `scenario` is compared with; throws ConfigError naming the file when the
// scenario has no "validation" object.
const ValidationTarget& validation_target(const Scenario& scenario);

// The prediction for one validation scenario.
ValidationRow validate_scenario(const Scenario& scenario, EngineKind engine);
// Every validation scenario in `files`, in order.
ValidationSummary validate(const std::vector<std::string>& files, EngineKind engine);
// The .json files of `directory`, in natural order of their names; `ci_only` keeps the rows marked "ci".
std::vector<std::string> validation_files(const std::string& directory, bool ci_only);

}  // namespace trainsim
