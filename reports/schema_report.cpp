#include "reports/schema_report.hpp"

#include <set>
#include <vector>

#include <fmt/format.h>

namespace trainsim {
namespace {

using json = nlohmann::ordered_json;

std::string cell(std::string text) {
  std::string out;
  for (const char c : text) {
    if (c == '|') {
      out += "\\|";
    } else {
      out += c == '\n' ? ' ' : c;
    }
  }
  return out;
}

// Appends `item` to `list`, after `separator` unless the list is empty.
void append(std::string& list, std::string_view separator, const std::string& item) {
  if (!list.empty()) list += separator;
  list += item;
}

class Writer {
 public:
  explicit Writer(const json& root) : root_(root) {}

  // The def a node refers to, or the node.
  [[nodiscard]] const json& target(const json& node) const {
    if (!node.contains("$ref")) return node;
    const auto ref = node["$ref"].get<std::string>();
    return root_["$defs"][ref.substr(ref.rfind('/') + 1)];
  }
  static std::string ref_name(const json& node) {
    const auto ref = node["$ref"].get<std::string>();
    return ref.substr(ref.rfind('/') + 1);
  }
  // The branch of a node that describes objects by their properties, or null.
  [[nodiscard]] const json* object_branch(const json& node) const {
    const auto& t = target(node);
    if (t.contains("properties")) return &t;
    for (const char* combinator : {"anyOf", "oneOf"}) {
      if (!t.contains(combinator)) continue;
      for (const auto& branch : t[combinator]) {
        if (const auto* inner = object_branch(branch)) return inner;
      }
    }
    return nullptr;
  }

  [[nodiscard]] std::string type_text(const json& node) const {
    if (node.contains("$ref")) {
      const auto& def = target(node);
      if (def.contains("pattern")) {
        return def.contains("examples") ? fmt::format("{} ({})", ref_name(node), def["examples"][0].dump()) : ref_name(node);
      }
      return type_text(def);
    }
    for (const char* combinator : {"anyOf", "oneOf"}) {
      if (!node.contains(combinator)) continue;
      std::string out;
      std::set<std::string> seen;  // "string or object", not "string or object or object"
      for (const auto& branch : node[combinator]) {
        if (const auto text = type_text(branch); seen.insert(text).second) append(out, " or ", text);
      }
      return out;
    }
    if (node.contains("const")) return node["const"].dump();
    if (!node.contains("type")) return "any";
    const auto& type = node["type"];
    if (type.is_array()) {
      std::string out;
      for (const auto& t : type) append(out, " or ", t.get<std::string>());
      return out;
    }
    if (type == "array" && node.contains("items")) return fmt::format("array of {}", type_text(node["items"]));
    return type.get<std::string>();
  }

  static std::string values_text(const json& node, const json& shown) {
    std::vector<std::string> parts;
    if (shown.contains("enum")) {
      std::string values;
      for (const auto& v : shown["enum"]) append(values, ", ", fmt::format("`{}`", v.dump()));
      parts.push_back(fmt::format("one of {}", values));
    }
    if (shown.contains("items") && shown["items"].contains("enum")) {
      std::string values;
      for (const auto& v : shown["items"]["enum"]) append(values, ", ", fmt::format("`{}`", v.dump()));
      parts.push_back(fmt::format("each one of {}", values));
    }
    if (shown.contains("minimum")) parts.push_back(fmt::format(">= {}", shown["minimum"].dump()));
    if (shown.contains("maximum")) parts.push_back(fmt::format("<= {}", shown["maximum"].dump()));
    const auto& described = node.contains("description") ? node : shown;
    if (described.contains("description")) parts.push_back(described["description"].get<std::string>());
    std::string out;
    for (const auto& p : parts) append(out, "; ", p);
    return out;
  }

  // Rows for the properties of `object` under `prefix`, nested objects flattened after their row.
  void rows(const json& object, const std::string& prefix, std::string& out) {
    std::set<std::string> required;
    if (object.contains("required")) {
      for (const auto& r : object["required"]) required.insert(r.get<std::string>());
    }
    for (const auto& [key, node] : object["properties"].items()) {
      const auto name = prefix + key;
      const auto& shown = target(node);
      const auto default_text = node.contains("default") ? node["default"].dump() : shown.contains("default") ? shown["default"].dump() : "";
      out += fmt::format("| `{}` | {} | {} | {} | {} |\n", name, cell(type_text(node)), required.contains(key) ? "yes" : "",
                         cell(default_text.empty() ? "" : fmt::format("`{}`", default_text)), cell(values_text(node, shown)));
      expand(node, name, out);
    }
  }

  // The keys of a nested object (or of an array's objects) after its row, once per def.
  void expand(const json& node, const std::string& name, std::string& out) {
    const json* inner = &node;
    std::string path = name;
    if (target(node).contains("items")) {
      inner = &target(node)["items"];
      path += "[]";
    }
    if (inner->contains("$ref")) {
      if (expanded_.contains(ref_name(*inner)) && object_branch(*inner) != nullptr) return;  // keys listed where first met
      expanded_.insert(ref_name(*inner));
    }
    if (const auto* object = object_branch(*inner)) rows(*object, path + ".", out);
  }

  std::string document() {
    std::string out;
    out += fmt::format("{}\n\n", root_.value("description", ""));
    out += "| key | type | required | default | values and meaning |\n|---|---|---|---|---|\n";
    std::set<std::string> required;
    for (const auto& r : root_["required"]) required.insert(r.get<std::string>());
    for (const auto& [key, node] : root_["properties"].items()) {
      out += fmt::format("| `{}` | {} | {} | | {} |\n", key, cell(type_text(node)), required.contains(key) ? "yes" : "",
                         cell(values_text(node, target(node))));
    }
    for (const auto& [key, node] : root_["properties"].items()) {
      const json* inner = &node;
      if (target(node).contains("items")) inner = &target(node)["items"];
      if (object_branch(*inner) == nullptr) continue;
      out += fmt::format("\n### `{}`\n\n| key | type | required | default | values and meaning |\n|---|---|---|---|---|\n", key);
      expand(node, key, out);
    }
    return out;
  }

 private:
  const json& root_;
  std::set<std::string> expanded_;
};

}  // namespace

std::string schema_markdown(const nlohmann::ordered_json& schema) { return Writer(schema).document(); }

}  // namespace trainsim
