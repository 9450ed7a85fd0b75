// libFuzzer harness: any bytes as a trainsim-probe run, calibrated as `trainsim calibrate`
// does. It must end in a calibration or a ConfigError.
#include "hardware/probe_calibration.hpp"
#include "json_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return trainsim::fuzz::read_json_input(data, size, [](const nlohmann::json& doc) {
    trainsim::ProbeCalibrationOptions options;
    options.name = "fuzz";
    trainsim::calibrate_probe(doc, "fuzz.json", options);
  });
}
