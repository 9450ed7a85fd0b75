#pragma once
// Renderers of a run estimate: a text report for people and JSON for programs. Every JSON
// field names its unit.
#include <string>

#include <nlohmann/json.hpp>

#include "models/run_estimate.hpp"
#include "models/scenario.hpp"

namespace trainsim {

std::string estimate_text(const Scenario& scenario, const RunEstimate& estimate);
nlohmann::json estimate_json(const Scenario& scenario, const RunEstimate& estimate);

}  // namespace trainsim
