#pragma once
// Changes to a document given on the command line, `POINTER=VALUE` (`--set`): a question
// asked without editing a file. The changed document is then read as strictly as the file, so
// a value is typed and checked exactly as if it had been written there.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config_error.hpp"

namespace trainsim {

struct JsonOverride {
  std::string pointer;   // RFC 6901, e.g. "/cluster/gpu_count"
  nlohmann::json value;  // VALUE read as JSON where it is JSON ("4096", "true", "[1,2]"), else as a string ("h20")
};

// Reads `POINTER=VALUE` (split at the first '='). Throws ConfigError, naming the text as given,
// when there is no '=' or the pointer is not an RFC 6901 pointer to a field ("/a/b").
JsonOverride parse_override(std::string_view text);

// Sets each override in `doc`, in order. The field's parent must exist and be an object (the
// key is added when absent: the reader then reports an unknown key with the nearest known one)
// or an array (an existing index, or "-" to append). A catalog model named by a string
// ("model": "llama-3.1-70b") is turned into {"extends": id} when a pointer goes into it, so that
// `/model/num_layers=4` changes one field of a catalog model; inside such a patch, objects on the
// way are created (`/model/moe/top_k=4`), as a merge patch names them. Problems are reported to `diag`
// with the override's pointer.
void apply_overrides(nlohmann::json& doc, const std::vector<JsonOverride>& overrides, Diagnostics& diag);

}  // namespace trainsim
