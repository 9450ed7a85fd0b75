#pragma once
// The scenario format as a JSON Schema (draft 2020-12, models/schema/scenario.schema.json),
// published by `trainsim schema` for editors to validate with. The reader (scenario.cpp and
// the readers it calls) is the format; tests hold the schema to it: every shipped scenario
// conforms, and every key the reader asks for is in the schema where it asks.
#include <nlohmann/json.hpp>

namespace trainsim {

// In the order written (a person reads it top down).
const nlohmann::ordered_json& scenario_schema();

}  // namespace trainsim
