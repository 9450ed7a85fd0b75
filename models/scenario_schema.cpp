#include "models/scenario_schema.hpp"

#include <string_view>

namespace trainsim {

namespace embedded {
extern const std::string_view scenario_schema_json;
}  // namespace embedded

const nlohmann::ordered_json& scenario_schema() {
  static const nlohmann::ordered_json schema = nlohmann::ordered_json::parse(embedded::scenario_schema_json);
  return schema;
}

}  // namespace trainsim
