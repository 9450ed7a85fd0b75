#pragma once
// The accelerator catalog as a table: peaks, memory, links, and export-control metrics.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hardware/gpu_spec.hpp"

namespace trainsim {

std::string hardware_text(const std::vector<GpuSpec>& gpus);
nlohmann::json hardware_json(const std::vector<GpuSpec>& gpus);

}  // namespace trainsim
