#include "models/model_catalog.hpp"

#include <set>

namespace trainsim {
namespace embedded {
extern const std::string_view models_json;
}

namespace {
std::vector<ModelSpec> load_catalog() {
  Diagnostics diag("models/catalog/models.json");
  std::vector<ModelSpec> models;
  if (auto doc = parse_json_text(embedded::models_json, diag)) {
    ObjectReader root(*doc, "", diag);
    root.integer("schema_version", 1, 1);
    root.optional_string("about");
    std::set<std::string> ids;
    for (const auto& entry : root.array("models")) {
      ObjectReader reader(*entry.node, entry.pointer, diag);
      models.push_back(parse_model_spec(reader));
      if (!ids.insert(models.back().id).second) diag.error(entry.pointer, "duplicate model id " + models.back().id);
    }
    root.finish();
  }
  diag.throw_if_any();  // the built-in catalog is tested; an error here is a build defect
  return models;
}
}  // namespace

const std::vector<ModelSpec>& model_catalog() {
  static const std::vector<ModelSpec> catalog = load_catalog();
  return catalog;
}

const ModelSpec* find_model(std::string_view id) {
  for (const auto& m : model_catalog()) {
    if (m.id == id) return &m;
  }
  return nullptr;
}

std::string model_catalog_ids() {
  std::string ids;
  for (const auto& m : model_catalog()) ids += (ids.empty() ? "" : ", ") + m.id;
  return ids;
}

}  // namespace trainsim
