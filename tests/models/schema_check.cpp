#include "schema_check.hpp"

#include <algorithm>
#include <regex>
#include <set>

namespace trainsim::testing {
namespace {

using nlohmann::json;

const std::set<std::string> kAnnotations = {"$schema", "$id", "$defs", "$comment", "title", "description", "default",
                                            "examples", "deprecated"};

class Checker {
 public:
  explicit Checker(const json& root) : root_(root) {}

  void check(const json& s, const json& v, const std::string& at, std::vector<std::string>& out) const {
    for (const auto& [keyword, _] : s.items()) {
      if (!kAnnotations.contains(keyword) && !known(keyword)) out.push_back(at + ": the schema uses \"" + keyword + "\", unknown to this check");
    }
    if (s.contains("$ref")) check(resolve(s["$ref"].get<std::string>()), v, at, out);
    if (s.contains("type") && !type_matches(s["type"], v)) out.push_back(at + ": expected " + s["type"].dump() + ", got " + v.dump());
    if (s.contains("const") && v != s["const"]) out.push_back(at + ": expected " + s["const"].dump());
    if (s.contains("enum") && std::find(s["enum"].begin(), s["enum"].end(), v) == s["enum"].end()) {
      out.push_back(at + ": " + v.dump() + " not in " + s["enum"].dump());
    }
    if (v.is_number()) {
      if (s.contains("minimum") && v.get<double>() < s["minimum"].get<double>()) out.push_back(at + ": below the minimum");
      if (s.contains("maximum") && v.get<double>() > s["maximum"].get<double>()) out.push_back(at + ": above the maximum");
    }
    if (v.is_string() && s.contains("pattern") && !std::regex_search(v.get<std::string>(), std::regex(s["pattern"].get<std::string>()))) {
      out.push_back(at + ": " + v.dump() + " does not match " + s["pattern"].get<std::string>());
    }
    if (v.is_array()) {
      if (s.contains("minItems") && v.size() < s["minItems"].get<std::size_t>()) out.push_back(at + ": too few items");
      if (s.contains("items")) {
        for (std::size_t i = 0; i < v.size(); ++i) check(s["items"], v[i], at + "/" + std::to_string(i), out);
      }
    }
    if (v.is_object()) check_object(s, v, at, out);
    for (const char* combinator : {"anyOf", "oneOf"}) {
      if (!s.contains(combinator)) continue;
      int matches = 0;
      for (const auto& branch : s[combinator]) {
        std::vector<std::string> errors;
        check(branch, v, at, errors);
        if (errors.empty()) ++matches;
      }
      const bool ok = std::string(combinator) == "anyOf" ? matches > 0 : matches == 1;
      if (!ok) out.push_back(at + ": " + v.dump().substr(0, 80) + " matches " + std::to_string(matches) + " branches of " + combinator);
    }
  }

  [[nodiscard]] const json& resolve(const std::string& ref) const {
    static const std::string prefix = "#/$defs/";
    if (ref.rfind(prefix, 0) != 0 || !root_["$defs"].contains(ref.substr(prefix.size()))) {
      static const json nothing = json::object();
      return nothing;
    }
    return root_["$defs"][ref.substr(prefix.size())];
  }

 private:
  static bool known(const std::string& k) {
    static const std::set<std::string> keywords = {"$ref", "type", "const", "enum", "minimum", "maximum", "pattern", "items",
                                                   "minItems", "properties", "required", "additionalProperties", "anyOf", "oneOf"};
    return keywords.contains(k);
  }
  static bool type_matches(const json& type, const json& v) {
    if (type.is_array()) return std::any_of(type.begin(), type.end(), [&](const json& t) { return type_matches(t, v); });
    const auto t = type.get<std::string>();
    if (t == "object") return v.is_object();
    if (t == "array") return v.is_array();
    if (t == "string") return v.is_string();
    if (t == "boolean") return v.is_boolean();
    if (t == "integer") return v.is_number_integer() || (v.is_number_float() && v.get<double>() == static_cast<double>(static_cast<long long>(v.get<double>())));
    if (t == "number") return v.is_number();
    if (t == "null") return v.is_null();
    return false;
  }
  void check_object(const json& s, const json& v, const std::string& at, std::vector<std::string>& out) const {
    const json empty = json::object();
    const auto& properties = s.contains("properties") ? s["properties"] : empty;
    if (s.contains("required")) {
      for (const auto& key : s["required"]) {
        if (!v.contains(key.get<std::string>())) out.push_back(at + ": missing required " + key.dump());
      }
    }
    for (const auto& [key, value] : v.items()) {
      if (properties.contains(key)) {
        check(properties[key], value, at + "/" + key, out);
      } else if (s.contains("additionalProperties") && s["additionalProperties"] == false) {
        out.push_back(at + ": unknown key \"" + key + "\"");
      }
    }
  }

  const json& root_;
};

// The node (following $ref, then the branch of an anyOf/oneOf that `value` matches and that
// describes objects) whose properties describe `value`.
const json* object_schema(const Checker& c, const json& s, const json& value) {
  const json* node = &s;
  while (node->contains("$ref")) node = &c.resolve((*node)["$ref"].get<std::string>());
  for (const char* combinator : {"anyOf", "oneOf"}) {
    if (!node->contains(combinator)) continue;
    for (const auto& branch : (*node)[combinator]) {
      std::vector<std::string> errors;
      c.check(branch, value, "", errors);
      if (errors.empty()) {
        if (const auto* inner = object_schema(c, branch, value); inner != nullptr && inner->contains("properties")) return inner;
      }
    }
  }
  return node;
}

}  // namespace

std::vector<std::string> schema_violations(const json& schema, const json& instance) {
  std::vector<std::string> out;
  Checker(schema).check(schema, instance, "", out);
  return out;
}

const json* schema_at(const json& schema, const json& document, const std::string& pointer) {
  const Checker c(schema);
  const json* node = object_schema(c, schema, document);
  const json* value = &document;
  const json::json_pointer path(pointer);
  std::vector<std::string> tokens;
  for (auto p = path; !p.empty(); p = p.parent_pointer()) tokens.insert(tokens.begin(), p.back());
  for (const auto& token : tokens) {
    if (value->is_array()) {
      value = &(*value)[std::stoul(token)];
      if (!node->contains("items")) return nullptr;
      node = object_schema(c, (*node)["items"], *value);
    } else {
      if (!value->contains(token) || !node->contains("properties") || !(*node)["properties"].contains(token)) return nullptr;
      value = &(*value)[token];
      node = object_schema(c, (*node)["properties"][token], *value);
    }
  }
  return node;
}

}  // namespace trainsim::testing
