#pragma once
// Test helpers: the repository's scenarios as JSON to mutate, and parsing that returns issues.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/scenario.hpp"

namespace trainsim::testing {

nlohmann::json scenario_json(const std::string& relative_path);
Scenario parse(const nlohmann::json& doc);
// The issues parsing reports (empty when the document is valid).
std::vector<ConfigIssue> issues(const nlohmann::json& doc);
// True when some issue sits at `pointer` and its message contains `text`.
bool has_issue(const std::vector<ConfigIssue>& issues, const std::string& pointer, const std::string& text);

}  // namespace trainsim::testing
