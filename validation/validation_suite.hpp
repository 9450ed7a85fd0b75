#pragma once
// Runs validation scenarios and sets trainsim's prediction beside each published measurement,
// computed under the measurement's own convention. No per-row factor: every row runs on its
// GPU's calibration and the scenario's engine, as `trainsim simulate` would.
#include <string>
#include <string_view>
#include <vector>

#include "core/progress.hpp"
#include "sim/step_simulation.hpp"
#include "models/scenario.hpp"
#include "models/validation_target.hpp"

namespace trainsim {

enum class RowStatus {
  predicted,   // the scenario ran: predicted beside measured
  infeasible,  // it loaded, but trainsim says the published plan cannot run (it does not fit)
  failed,      // it did not load (bad input, or a plan trainsim cannot express yet)
};
std::string_view to_string(RowStatus s);

struct ValidationRow {
  std::string file;
  std::string scenario;
  std::string gpu;
  // The row's source group: its id up to the first '-' ("SC21", "DGXC", "MB", "NEMO24").
  std::string group;
  bool moe = false;
  ValidationTarget target;  // of a failed row: its "validation" row and measured value if readable
  RowStatus status = RowStatus::predicted;
  std::string reason;       // why it is infeasible, or why it failed to load
  double predicted = 0.0;   // in the metric's unit
  StepBreakdown breakdown;  // the headline step's
  std::vector<std::string> default_classes;  // kernel classes this row's GPU times on defaults
  std::size_t kernel_classes = 0;            // of how many
  // Every kernel class with where its curve came from: calibrated, derived, borrowed, default.
  std::vector<std::pair<std::string, std::string>> class_origins;

  [[nodiscard]] bool feasible() const { return status == RowStatus::predicted; }
  // Relative error, signed so that + means trainsim predicts the run faster than measured,
  // whatever the metric: (predicted - measured) / measured for rates, the opposite for times
  // and GPU-hours. Its magnitude is |predicted - measured| / measured either way.
  [[nodiscard]] double error() const;
};

// Mean errors over the predicted rows of one slice of the suite.
struct ErrorStats {
  std::string label;
  std::size_t rows = 0;
  double mean_absolute = 0.0;  // fractions, not percent
  double mean_signed = 0.0;    // + too fast on average
};

struct ValidationSummary {
  std::string engine;
  std::vector<ValidationRow> rows;
  double mean_absolute_error = 0.0;  // over predicted rows (a fraction, not percent)
  double mean_signed_error = 0.0;
  std::size_t worst = 0;             // index of the row with the largest |error|
  std::size_t infeasible = 0;
  std::size_t failed = 0;
  std::vector<ErrorStats> by_group;  // by source group, GPU type, dense or MoE: sorted labels
  std::vector<ErrorStats> by_gpu;
  std::vector<ErrorStats> by_kind;
};

// The bar for the whole suite, with one calibration per GPU type and no per-row factor:
// mean absolute error under 15%, every row under 30%, and every published plan loading and
// fitting.
inline constexpr double kMeanErrorBar = 0.15;
inline constexpr double kRowErrorBar = 0.30;
[[nodiscard]] bool meets_bar(const ValidationSummary& summary);

// The summary's means, worst row and slices, from its rows.
void summarize(ValidationSummary& summary);

// The measured run `scenario` is compared with; throws ConfigError naming the file when the
// scenario has no "validation" object.
const ValidationTarget& validation_target(const Scenario& scenario);

// The prediction for one validation scenario.
ValidationRow validate_scenario(const Scenario& scenario, EngineKind engine);
// Every validation scenario in `files`, in order, each with `overrides` applied; one that fails
// to load is a failed row.
// `progress` hears each row done.
ValidationSummary validate(const std::vector<std::string>& files, EngineKind engine,
                           const std::vector<JsonOverride>& overrides = {}, const ProgressFn& progress = {});
// The .json files of `directory`, in natural order of their names; `ci_only` keeps the rows marked "ci".
std::vector<std::string> validation_files(const std::string& directory, bool ci_only);

}  // namespace trainsim
