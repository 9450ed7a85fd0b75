#pragma once
// What the JSON harnesses share: the fuzzer's bytes as a document, handed to `read`. Invalid
// JSON and a ConfigError are the expected outcomes of bad input; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/json_parse.hpp"

namespace trainsim::fuzz {

template <class Read>
int read_json_input(const std::uint8_t* data, std::size_t size, Read read) {
  Diagnostics diag("fuzz.json");
  const auto doc = parse_json_text(std::string_view(reinterpret_cast<const char*>(data), size), diag);
  if (!doc) return 0;
  try {
    read(*doc);
  } catch (const ConfigError&) {
  }
  return 0;
}

}  // namespace trainsim::fuzz
