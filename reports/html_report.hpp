#pragma once
// One self-contained HTML page per report (no scripts, no network): the estimate or
// simulation of a scenario with its step breakdown, a timeline excerpt when simulated, and the
// run's phases; or a comparison of scenarios with time, cost and energy bars.
#include <string>
#include <vector>

#include "planner/sweep.hpp"
#include "reports/compare_report.hpp"
#include "sim/step_simulation.hpp"

namespace trainsim {

std::string estimate_html(const Scenario& scenario, const RunEstimate& estimate, const StepSimulation* simulation = nullptr);
std::string compare_html(const std::vector<ComparedScenario>& rows);
// Step time, days and dollars against the sweep's first axis, one line per value of the second.
std::string sweep_html(const SweepResult& result);

}  // namespace trainsim
