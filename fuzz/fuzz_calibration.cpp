// libFuzzer harness: any bytes as a calibration file. Reading must end in a fitted calibration
// or a ConfigError; every fitted kernel time must be finite.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hardware/calibration.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace trainsim;
  Diagnostics diag("fuzz.json");
  const auto doc = parse_json_text(std::string_view(reinterpret_cast<const char*>(data), size), diag);
  if (!doc) return 0;
  try {
    parse_calibration(*doc, "fuzz.json");
  } catch (const ConfigError&) {
  }
  return 0;
}
