#pragma once
// A sweep: one scenario asked the same question at every combination of one or two fields'
// values (`trainsim sweep SCENARIO --vary POINTER=v1,v2,...`), each case a whole-run estimate
// run in its own worker process. A case whose document does not read (a value of the wrong
// type, a plan that does not divide) or whose plan does not fit is a result with its reason,
// not a failure of the sweep.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/json_override.hpp"
#include "core/progress.hpp"
#include "sim/step_simulation.hpp"

namespace trainsim {

struct SweepAxis {
  std::string pointer;
  std::vector<std::string> labels;  // each value as given
  std::vector<JsonOverride> values;
};

// Reads `POINTER=v1,v2,...`; values are split at commas outside brackets, braces and quotes (so
// `[1,2]` and `{"a":1,"b":2}` are one value each) and read as --set reads a value. Throws
// ConfigError naming the text when it is not that.
SweepAxis parse_sweep_axis(std::string_view text);

enum class SweepStatus { ok, infeasible, invalid, failed };
std::string_view to_string(SweepStatus status);

struct SweepCase {
  std::vector<std::string> labels;     // one per axis, as given
  std::vector<nlohmann::json> values;  // one per axis, as --set reads it (8192, "h20", [1, 2])
  SweepStatus status = SweepStatus::failed;
  std::string detail;  // why it is infeasible, invalid or failed
  // The headline step and the whole run (absent for invalid and failed cases, and for a run
  // whose phases are all given).
  std::optional<double> step_time_s, mfu_causal, tokens_per_day, memory_gib, memory_capacity_gib;
  std::optional<double> gpu_hours, days, cost_usd;
};

struct SweepResult {
  std::string scenario;  // its name
  std::string engine;
  std::vector<std::string> pointers;
  std::vector<SweepCase> cases;  // the first axis outermost, in the order the values were given
};

// The most cases one sweep runs: a 100 x 100 grid.
inline constexpr std::size_t kMaxSweepCases = 10'000;

struct SweepOptions {
  std::optional<EngineKind> engine;  // nullopt: the closed form
  int jobs = 1;                      // cases at once
  ProgressFn progress;               // cases ended; may be empty
};

// Runs every case of `axes` (one or two) over the scenario at `path` with `overrides` applied
// first; under mpirun the cases are spread over the ranks (sim/mpi_jobs) and only rank 0's
// result has them (mpi_world().rank says which this is). Throws ConfigError when the scenario does not read with `overrides` alone, when an
// axis's pointer leads nowhere in it, or when there are more than kMaxSweepCases cases.
SweepResult run_sweep(const std::string& path, const std::vector<JsonOverride>& overrides,
                      const std::vector<SweepAxis>& axes, const SweepOptions& options);

}  // namespace trainsim
