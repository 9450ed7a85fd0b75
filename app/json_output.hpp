#pragma once
// Every JSON output says what wrote it: a "trainsim" key with {"version", "scenario_schema_version"}.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace trainsim::app {

// `document` as the text written: an object gains the "trainsim" key; an array (compare's
// scenarios, hardware's GPUs) becomes {"trainsim": ..., `list_key`: the array}.
std::string json_output(nlohmann::json document, std::string_view list_key = "items");

}  // namespace trainsim::app
