#pragma once
// README's "Scenario format" reference, generated from the published JSON Schema so that it
// cannot drift from it: one table per part, every key with its type, whether it is required,
// its default and its allowed values, nested objects flattened to dotted keys.
#include <string>

#include <nlohmann/json.hpp>

namespace trainsim {

// `schema` keeps its keys in the order written (ordered_json), the order a reader meets them.
std::string schema_markdown(const nlohmann::ordered_json& schema);

}  // namespace trainsim
