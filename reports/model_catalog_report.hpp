#pragma once
// `trainsim models`: the model catalog with parameter counts (ours and the published ones).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/model_spec.hpp"
#include "reports/table_format.hpp"

namespace trainsim {

std::string model_catalog_text(const std::vector<ModelSpec>& models);
nlohmann::json model_catalog_json(const std::vector<ModelSpec>& models);
// One row per model for csv and md.
Table model_catalog_table(const std::vector<ModelSpec>& models);

}  // namespace trainsim
