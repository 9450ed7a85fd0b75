#pragma once
// A small JSON Schema (draft 2020-12) checker for the tests that hold the published scenario
// schema to the reader: the keywords the schema uses (type, properties, required,
// additionalProperties, items, enum, const, anyOf, oneOf, $ref into $defs, minimum, maximum,
// pattern, minItems). An unknown keyword is an error, so the schema cannot use one that this
// check would silently skip.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace trainsim::testing {

// Where `instance` breaks `schema`, each as "POINTER: what"; empty when it conforms.
std::vector<std::string> schema_violations(const nlohmann::json& schema, const nlohmann::json& instance);

// The schema node that describes the object at `pointer` of a conforming document (following
// $ref, and the anyOf/oneOf branch that has properties), or null when none does.
const nlohmann::json* schema_at(const nlohmann::json& schema, const nlohmann::json& document, const std::string& pointer);

}  // namespace trainsim::testing
