#include "hardware/gpu_catalog.hpp"

#include <set>

namespace trainsim {
namespace embedded {
extern const std::string_view gpus_json;
}

namespace {
std::vector<GpuSpec> load_catalog() {
  Diagnostics diag("hardware/catalog/gpus.json");
  std::vector<GpuSpec> gpus;
  if (auto doc = parse_json_text(embedded::gpus_json, diag)) {
    ObjectReader root(*doc, "", diag);
    root.integer("schema_version", 1, 1);
    root.optional_string("about");
    std::set<std::string> ids;
    for (const auto& entry : root.array("gpus")) {
      ObjectReader reader(*entry.node, entry.pointer, diag);
      gpus.push_back(parse_gpu_spec(reader));
      if (!ids.insert(gpus.back().id).second) diag.error(entry.pointer, "duplicate GPU id " + gpus.back().id);
    }
    root.finish();
  }
  diag.throw_if_any();  // the built-in catalog is tested; an error here is a build defect
  return gpus;
}
}  // namespace

const std::vector<GpuSpec>& gpu_catalog() {
  static const std::vector<GpuSpec> catalog = load_catalog();
  return catalog;
}

const GpuSpec* find_gpu(std::string_view id) {
  for (const auto& gpu : gpu_catalog()) {
    if (gpu.id == id) return &gpu;
  }
  return nullptr;
}

std::string gpu_catalog_ids() {
  std::string ids;
  for (const auto& gpu : gpu_catalog()) ids += (ids.empty() ? "" : ", ") + gpu.id;
  return ids;
}

}  // namespace trainsim
