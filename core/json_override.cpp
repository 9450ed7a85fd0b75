#include "core/json_override.hpp"

#include "core/json_parse.hpp"
#include "core/json_reader.hpp"

namespace trainsim {
namespace {

constexpr std::string_view kSyntax = "--set takes POINTER=VALUE, e.g. --set /cluster/gpu_count=4096";

nlohmann::json read_value(std::string_view text) {
  Diagnostics ignored("<--set>");
  if (auto parsed = parse_json_text(text, ignored); parsed && !ignored.has_errors()) return *parsed;
  return std::string(text);
}

// The array index a token names, or nullopt when it is not a plain decimal index.
std::optional<std::size_t> array_index(const std::string& token) {
  if (token.empty() || token.size() > 9 || (token.size() > 1 && token.front() == '0')) return std::nullopt;
  std::size_t index = 0;
  for (const char c : token) {
    if (c < '0' || c > '9') return std::nullopt;
    index = index * 10 + static_cast<std::size_t>(c - '0');
  }
  return index;
}

std::string where(const std::string& pointer) { return pointer.empty() ? "the document" : pointer; }

std::string kind_of(const nlohmann::json& node) {
  if (node.is_object()) return "an object";
  if (node.is_array()) return "an array";
  return "the value " + describe_json(node);
}

}  // namespace

JsonOverride parse_override(std::string_view text) {
  const auto eq = text.find('=');
  const auto fail = [&](const std::string& why) {
    std::string message = "\"";  // built by appending: GCC 12's -Wrestrict misfires on a chain of + here
    message.append(text).append("\": ").append(why);
    throw ConfigError({{"--set", "", message, std::string(kSyntax)}});
  };
  if (eq == std::string_view::npos) fail("no '=' between the pointer and the value");
  JsonOverride o{std::string(text.substr(0, eq)), read_value(text.substr(eq + 1))};
  if (o.pointer.empty() || o.pointer.front() != '/') fail("the pointer must start with '/' (a JSON pointer, RFC 6901)");
  try {
    (void)nlohmann::json::json_pointer(o.pointer);
  } catch (const nlohmann::json::exception&) {
    fail("not a JSON pointer: '~' must be followed by 0 ('~') or 1 ('/')");
  }
  return o;
}

void apply_overrides(nlohmann::json& doc, const std::vector<JsonOverride>& overrides, Diagnostics& diag) {
  for (const auto& o : overrides) {
    const auto tokens = nlohmann::json::json_pointer(o.pointer);
    std::vector<std::string> path;
    for (auto p = tokens; !p.empty(); p.pop_back()) path.insert(path.begin(), p.back());
    nlohmann::json* node = &doc;
    std::string at;  // the pointer walked so far
    bool ok = true;
    bool patch = false;  // inside a model given as a catalog entry plus a merge patch
    for (std::size_t i = 0; i < path.size() && ok; ++i) {
      const bool last = i + 1 == path.size();
      if (at == "/model" && node->is_string()) *node = nlohmann::json{{"extends", *node}};
      if (at == "/model" && node->is_object() && node->contains("extends")) patch = true;
      const auto& token = path[i];
      if (node->is_object()) {
        if (last) {
          (*node)[token] = o.value;
        } else if (!node->contains(token) && patch) {
          node = &((*node)[token] = nlohmann::json::object());  // a merge patch: objects it names are created
        } else if (!node->contains(token)) {
          diag.error(o.pointer, "there is no field " + child_pointer(at, token) + " to set a field inside",
                     "set the whole object instead: --set '" + child_pointer(at, token) + "={...}'");
          ok = false;
        } else {
          node = &(*node)[token];
        }
      } else if (node->is_array()) {
        const auto index = array_index(token);
        if (last && token == "-") {
          node->push_back(o.value);
        } else if (!index || *index >= node->size()) {
          diag.error(o.pointer, where(at) + " is an array of " +
                                    std::to_string(node->size()) + " elements; \"" + token + "\" is not one of its indices",
                     last ? "use an index from 0 to " + std::to_string(node->size()) + " exclusive, or \"-\" to append"
                          : "use an index from 0 to " + std::to_string(node->size()) + " exclusive");
          ok = false;
        } else if (last) {
          (*node)[*index] = o.value;
        } else {
          node = &(*node)[*index];
        }
      } else {
        diag.error(o.pointer, where(at) + " is " + kind_of(*node) + ", which has no fields",
                   "set " + where(at) + " itself");
        ok = false;
      }
      at = child_pointer(at, token);
    }
  }
}

}  // namespace trainsim
