#pragma once
// The outputs `estimate` and `simulate` share: the report in a format, to stdout or a file,
// and an HTML page beside it.
#include <string>

#include <CLI/CLI.hpp>

#include "cost/run_estimate.hpp"
#include "sim/step_simulation.hpp"

namespace trainsim::app {

struct EstimateOutput {
  std::string format = "text";
  std::string output;
  std::string report;  // HTML page, when given
};

void add_estimate_output_options(CLI::App* command, EstimateOutput& options);
// Writes the outputs and returns the exit code (infeasible headline plans exit with 4).
int write_estimate(const EstimateOutput& options, const Scenario& scenario, const RunEstimate& estimate,
                   const StepSimulation* simulation);

}  // namespace trainsim::app
