#pragma once
// A model written as a catalog model plus changes: {"extends": "deepseek-v3", "mtp_depth": 0}.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/config_error.hpp"

namespace trainsim {

// The resolved JSON of a catalog model by id, or null when there is none.
using ModelJsonLookup = std::function<const nlohmann::json*(std::string_view id)>;

// The object to read as a model: `node` itself without "extends"; with it, the parent's JSON
// with `node`'s keys laid over it as an RFC 7396 merge patch (objects merge key by key, null
// removes a key, anything else replaces). "sources" add to the parent's; the parent's
// "published" figures are not inherited (they describe the parent); a missing "id" or "name"
// is the parent's, marked with the keys that changed. An unknown parent is reported at
// `pointer`/extends, and then there is nothing to read (nullopt): a model without its parent
// would only add missing-key noise to that one error.
std::optional<nlohmann::json> resolve_model_extends(const nlohmann::json& node, const std::string& pointer, Diagnostics& diag,
                                     const ModelJsonLookup& lookup);

}  // namespace trainsim
