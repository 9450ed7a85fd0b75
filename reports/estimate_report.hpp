#pragma once
// Renderers of a run estimate: a text report for people and JSON for programs. Every JSON
// field names its unit.
#include <string>

#include <nlohmann/json.hpp>

#include "cost/run_estimate.hpp"
#include "models/scenario.hpp"
#include "sim/step_simulation.hpp"

namespace trainsim {

// "TP1 PP16 DP128 EP64 CP1, dualpipe, micro-batch 1, ZeRO-1, fp8, recompute ..."
std::string plan_text(const ParallelPlan& plan);

// `simulation`: the simulated headline step, when the estimate came from the engine.
std::string estimate_text(const Scenario& scenario, const RunEstimate& estimate,
                          const StepSimulation* simulation = nullptr);
// The same report as Markdown tables, and as CSV (one row per phase, with the step of its first
// segment at full batch: time, causal MFU, tokens per day, memory of the fullest GPU).
std::string estimate_markdown(const Scenario& scenario, const RunEstimate& estimate);
std::string estimate_csv(const Scenario& scenario, const RunEstimate& estimate);

// The step by activity and by schedule phase, in seconds (`step_breakdown_s` of the JSON).
nlohmann::json step_breakdown_json(const StepBreakdown& breakdown);
nlohmann::json estimate_json(const Scenario& scenario, const RunEstimate& estimate,
                             const StepSimulation* simulation = nullptr);

}  // namespace trainsim
