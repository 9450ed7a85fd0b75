#pragma once
// Side by side: several scenarios (the export-control clusters, say) with their run cost,
// energy, export-control metrics and what limits each step. Every figure comes from the
// catalogs (TPP, classification, prices) or from the scenario's estimate or simulation.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cost/run_estimate.hpp"
#include "hardware/export_control.hpp"
#include "planner/bottleneck.hpp"

namespace trainsim {

struct ComparedScenario {
  Scenario scenario;
  RunEstimate estimate;
  BottleneckAnalysis bottleneck;
  ExportControlMetrics export_control;
};

std::string compare_text(const std::vector<ComparedScenario>& rows);
nlohmann::json compare_json(const std::vector<ComparedScenario>& rows);
std::string compare_markdown(const std::vector<ComparedScenario>& rows);
std::string compare_csv(const std::vector<ComparedScenario>& rows);
// "compute (2x: -38%; HBM -6%, NVLink -1%, fabric -9%, memory -0%)"
std::string bottleneck_text(const BottleneckAnalysis& analysis);

}  // namespace trainsim
