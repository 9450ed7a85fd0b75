#pragma once
// The accelerator catalog as a table: peaks, memory, links, and export-control metrics.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/table_format.hpp"

#include "hardware/gpu_spec.hpp"

namespace trainsim {

std::string hardware_text(const std::vector<GpuSpec>& gpus);
nlohmann::json hardware_json(const std::vector<GpuSpec>& gpus);
// One row per GPU for csv and md, units in the column names.
Table hardware_table(const std::vector<GpuSpec>& gpus);

}  // namespace trainsim
