// libFuzzer harness: any bytes as a trainsim-probe run, calibrated as `trainsim calibrate`
// does. It must end in a calibration or a ConfigError.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hardware/probe_calibration.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace trainsim;
  Diagnostics diag("fuzz.json");
  const auto doc = parse_json_text(std::string_view(reinterpret_cast<const char*>(data), size), diag);
  if (!doc) return 0;
  try {
    ProbeCalibrationOptions options;
    options.name = "fuzz";
    calibrate_probe(*doc, "fuzz.json", options);
  } catch (const ConfigError&) {
  }
  return 0;
}
