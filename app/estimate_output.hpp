#pragma once
// The outputs `estimate` and `simulate` share: the report in a format, to stdout or a file,
// and an HTML page beside it.
#include <string>

#include <CLI/CLI.hpp>

#include "app/format_option.hpp"
#include "cost/run_estimate.hpp"
#include "sim/step_simulation.hpp"

namespace trainsim::app {

struct EstimateOutput {
  FormatChoice format;
  std::string output;
  std::string report;  // HTML page, when given
};

void add_estimate_output_options(CLI::App* command, EstimateOutput& options);
// Settles the format from --format or -o's extension; call from the command's parse callback.
void resolve_estimate_format(EstimateOutput& options);
// Writes the outputs and returns the exit code (infeasible headline plans exit with 4).
int write_estimate(const EstimateOutput& options, const Scenario& scenario, const RunEstimate& estimate,
                   const StepSimulation* simulation);

}  // namespace trainsim::app
