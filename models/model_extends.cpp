#include "models/model_extends.hpp"

#include "core/json_reader.hpp"

namespace trainsim {

namespace {
// "key=value" for each changed leaf, nested keys dotted: "ffn.activation=\"geglu\"".
void list_changes(const nlohmann::json& patch, const std::string& prefix, std::string& out) {
  for (const auto& [key, value] : patch.items()) {
    if (prefix.empty() && (key == "id" || key == "name" || key == "sources" || key == "published")) continue;
    const auto path = prefix + key;
    if (value.is_object() && !value.empty()) {
      list_changes(value, path + ".", out);
      continue;
    }
    if (!out.empty()) out.append(", ");
    out.append(path);
    if (value.is_primitive()) out.append("=").append(value.dump());
  }
}
}  // namespace

std::optional<nlohmann::json> resolve_model_extends(const nlohmann::json& node, const std::string& pointer, Diagnostics& diag,
                                     const ModelJsonLookup& lookup) {
  if (!node.is_object() || !node.contains("extends")) return node;
  const auto at = child_pointer(pointer, "extends");
  const auto& parent_id = node.at("extends");
  if (!parent_id.is_string()) {
    diag.error(at, "expected a string, got " + describe_json(parent_id), "the id of a catalog model (trainsim models)");
    return std::nullopt;
  }
  const auto* parent = lookup(parent_id.get<std::string>());
  if (parent == nullptr) {
    diag.error(at, "unknown model \"" + parent_id.get<std::string>() + "\"",
               "\"extends\" names a catalog model (trainsim models)");
    return std::nullopt;
  }
  nlohmann::json patch = node;
  patch.erase("extends");
  std::string changed;
  list_changes(patch, "", changed);
  nlohmann::json merged = *parent;
  merged.erase("published");
  const auto parent_sources = merged.value("sources", nlohmann::json::array());
  merged.merge_patch(patch);
  if (const auto own = node.find("sources"); own != node.end() && own->is_array()) {
    auto sources = parent_sources;
    sources.insert(sources.end(), own->begin(), own->end());
    merged["sources"] = sources;
  } else if (own == node.end()) {
    merged["sources"] = parent_sources;
  }
  const auto suffix = changed.empty() ? std::string() : " [" + changed + "]";
  if (!node.contains("id")) merged["id"] = parent->value("id", "") + (changed.empty() ? "" : "-variant");
  if (!node.contains("name")) merged["name"] = parent->value("name", "") + suffix;
  return merged;
}

}  // namespace trainsim
