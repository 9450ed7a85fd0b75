#include "models/model_catalog.hpp"

#include <set>

#include "models/model_extends.hpp"

namespace trainsim {
namespace embedded {
extern const std::string_view models_json;
}

namespace {
struct Catalog {
  std::vector<ModelSpec> models;
  std::vector<nlohmann::json> resolved;  // each entry's JSON, its "extends" resolved
};

// An entry may extend one listed before it.
Catalog load_catalog() {
  Diagnostics diag("models/catalog/models.json");
  Catalog catalog;
  const ModelJsonLookup earlier = [&catalog](std::string_view id) -> const nlohmann::json* {
    for (std::size_t i = 0; i < catalog.models.size(); ++i) {
      if (catalog.models[i].id == id) return &catalog.resolved[i];
    }
    return nullptr;
  };
  if (auto doc = parse_json_text(embedded::models_json, diag)) {
    ObjectReader root(*doc, "", diag);
    root.integer("schema_version", 1, 1);
    root.optional_string("about");
    std::set<std::string> ids;
    for (const auto& entry : root.array("models")) {
      auto resolved = resolve_model_extends(*entry.node, entry.pointer, diag, earlier);
      if (!resolved) continue;
      ObjectReader reader(*resolved, entry.pointer, diag);
      catalog.models.push_back(parse_model_spec(reader));
      catalog.resolved.push_back(std::move(*resolved));
      if (!ids.insert(catalog.models.back().id).second) {
        diag.error(entry.pointer, "duplicate model id " + catalog.models.back().id);
      }
    }
    root.finish();
  }
  diag.throw_if_any();  // the built-in catalog is tested; an error here is a build defect
  return catalog;
}

const Catalog& catalog() {
  static const Catalog loaded = load_catalog();
  return loaded;
}
}  // namespace

const std::vector<ModelSpec>& model_catalog() { return catalog().models; }

const ModelSpec* find_model(std::string_view id) {
  for (const auto& m : model_catalog()) {
    if (m.id == id) return &m;
  }
  return nullptr;
}

const nlohmann::json* find_model_json(std::string_view id) {
  const auto& c = catalog();
  for (std::size_t i = 0; i < c.models.size(); ++i) {
    if (c.models[i].id == id) return &c.resolved[i];
  }
  return nullptr;
}

std::string model_catalog_ids() {
  std::string ids;
  for (const auto& m : model_catalog()) ids += (ids.empty() ? "" : ", ") + m.id;
  return ids;
}

}  // namespace trainsim
