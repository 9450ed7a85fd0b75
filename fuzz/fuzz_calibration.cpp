// libFuzzer harness: any bytes as a calibration file. Reading must end in a fitted calibration
// or a ConfigError.
#include "hardware/calibration.hpp"
#include "json_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return trainsim::fuzz::read_json_input(data, size, [](const nlohmann::json& doc) {
    trainsim::parse_calibration(doc, "fuzz.json");
  });
}
