#pragma once
// The built-in accelerator catalog (hardware/catalog/gpus.json, compiled in).
#include <string_view>
#include <vector>

#include "hardware/gpu_spec.hpp"

namespace trainsim {

// Every catalog GPU, in catalog order.
const std::vector<GpuSpec>& gpu_catalog();
// The catalog GPU with this id, or nullptr.
const GpuSpec* find_gpu(std::string_view id);
// The catalog ids joined with ", " (for hints in error messages).
std::string gpu_catalog_ids();

}  // namespace trainsim
