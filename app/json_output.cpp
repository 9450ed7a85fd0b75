#include "app/json_output.hpp"

#include "core/version.hpp"

namespace trainsim::app {

std::string json_output(nlohmann::json document, std::string_view list_key) {
  const nlohmann::json header = {{"version", std::string(trainsim_version())}, {"scenario_schema_version", kScenarioSchemaVersion}};
  if (!document.is_object()) document = nlohmann::json{{std::string(list_key), std::move(document)}};
  document["trainsim"] = header;
  return document.dump(2) + "\n";
}

}  // namespace trainsim::app
