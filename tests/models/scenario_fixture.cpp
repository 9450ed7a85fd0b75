#include "scenario_fixture.hpp"

#include <fstream>

namespace trainsim::testing {

nlohmann::json scenario_json(const std::string& relative_path) {
  std::ifstream in(std::string(TRAINSIM_SOURCE_DIR) + "/" + relative_path);
  return nlohmann::json::parse(in);
}

Scenario parse(const nlohmann::json& doc) {
  return parse_scenario(doc, "test.json", std::string(TRAINSIM_SOURCE_DIR) + "/scenarios");
}

std::vector<ConfigIssue> issues(const nlohmann::json& doc) {
  try {
    parse(doc);
  } catch (const ConfigError& e) {
    return e.issues();
  }
  return {};
}

bool has_issue(const std::vector<ConfigIssue>& list, const std::string& pointer, const std::string& text) {
  for (const auto& i : list) {
    if (i.pointer == pointer && (i.message + " " + i.hint).find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace trainsim::testing
