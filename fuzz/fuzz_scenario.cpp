// libFuzzer harness: any bytes as a scenario. Parsing must end in a scenario or a ConfigError;
// a parsed scenario's segments are priced by the closed form, which must not overflow, crash
// or produce a non-finite step time.
#include <cmath>
#include <cstdlib>

#include "hardware/kernel_time_model.hpp"
#include "json_input.hpp"
#include "models/scenario.hpp"
#include "models/step_estimate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace trainsim;
  return fuzz::read_json_input(data, size, [](const nlohmann::json& doc) {
    const auto scenario = parse_scenario(doc, "fuzz.json", TRAINSIM_SOURCE_DIR "/scenarios");
    const auto kernels = kernel_model(scenario.cluster);
    for (const auto& phase : scenario.phases) {
      for (const auto& segment : phase.segments) {
        const auto estimate = estimate_step(scenario.model, scenario.cluster, segment.plan, kernels,
                                            {segment.sequence_length, segment.global_batch_size});
        if (estimate.feasible() && !std::isfinite(estimate.step_time.si())) std::abort();
      }
    }
  });
}
