#pragma once
// Parsing JSON documents from users: bounded in size and depth, strict about repeated keys and
// numbers beyond double, so that a hostile or broken file is an issue with its location rather
// than a crash, an endless read or a silently kept last value.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/config_error.hpp"

namespace trainsim {

// The largest document read: the biggest input we ship (a probe run) is under 100 KB.
inline constexpr std::int64_t kMaxJsonBytes = std::int64_t{64} << 20;
// The deepest nesting accepted: scenarios nest about 7 levels; a limit keeps a 100,000-deep
// document from exhausting the stack of whatever walks it afterwards.
inline constexpr int kMaxJsonDepth = 64;

// Parses `text` as JSON. Reports a syntax error with its line and column; a repeated key, a
// number beyond double and nesting beyond kMaxJsonDepth with their JSON pointer.
std::optional<nlohmann::json> parse_json_text(std::string_view text, Diagnostics& diag);

// Reads and parses a JSON file. Only a regular file of at most kMaxJsonBytes is read (a FIFO or
// /dev/zero would never end); a missing or unreadable path is reported as an issue; a read that
// fails once the file is open throws IoError.
std::optional<nlohmann::json> read_json_file(const std::string& path, Diagnostics& diag);

}  // namespace trainsim
