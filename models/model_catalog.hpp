#pragma once
// The built-in model catalog (models/catalog/models.json, compiled in).
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/model_spec.hpp"

namespace trainsim {

const std::vector<ModelSpec>& model_catalog();
const ModelSpec* find_model(std::string_view id);
// A catalog entry's JSON ("extends" resolved), for models that extend it; null if unknown.
const nlohmann::json* find_model_json(std::string_view id);
std::string model_catalog_ids();

}  // namespace trainsim
