#include "hardware/gpu_spec.hpp"

#include <regex>

namespace trainsim {

std::optional<FlopsPerSecond> GpuSpec::peak(Precision p) const {
  const auto it = dense_peak.find(p);
  if (it == dense_peak.end()) return std::nullopt;
  return it->second;
}

namespace {
std::vector<std::string> string_list(ObjectReader& reader, std::string_view key) {
  std::vector<std::string> items;
  for (const auto& element : reader.array(key, false)) {
    if (element.node->is_string()) {
      items.push_back(element.node->get<std::string>());
    } else {
      reader.diagnostics().error(element.pointer, "expected a string, got " + describe_json(*element.node));
    }
  }
  return items;
}
}  // namespace

GpuSpec parse_gpu_spec(ObjectReader& reader) {
  GpuSpec gpu;
  gpu.id = reader.string("id");
  gpu.name = reader.string("name");
  gpu.vendor = reader.string("vendor");
  gpu.year = static_cast<int>(reader.integer("year", 1990, 2100));
  const auto confidence = reader.choice<char>("confidence", {{"V", 'V'}, {"S", 'S'}, {"U", 'U'}});
  gpu.confidence = confidence;
  {
    auto peaks = reader.object("dense_peak");
    for (const auto& [name, precision] :
         std::vector<std::pair<std::string_view, Precision>>{{"fp64", Precision::fp64},
                                                             {"tf32", Precision::tf32},
                                                             {"bf16", Precision::bf16},
                                                             {"fp8", Precision::fp8},
                                                             {"int8", Precision::int8}}) {
      if (auto rate = peaks.optional_flop_rate(name)) gpu.dense_peak[precision] = *rate;
    }
    if (!peaks.has("bf16")) {
      reader.diagnostics().error(peaks.pointer(), "a GPU needs at least a bf16 peak",
                                 "MFU is reported against the dense BF16 peak");
    }
    peaks.finish();
  }
  gpu.memory_capacity = reader.bytes("memory_capacity", Sign::positive);
  gpu.memory_capacity_marketed = reader.optional_string("memory_capacity_marketed").value_or("");
  if (!gpu.memory_capacity_marketed.empty() && !std::regex_match(gpu.memory_capacity_marketed, std::regex("[0-9]+(\\.[0-9]+)?GB"))) {
    reader.diagnostics().error(child_pointer(reader.pointer(), "memory_capacity_marketed"),
                               "expected the datasheet's figure, e.g. \"80GB\", got \"" + gpu.memory_capacity_marketed + "\"");
  }
  gpu.memory_bandwidth = reader.byte_rate("memory_bandwidth");
  {
    auto scale_up = reader.object("scale_up");
    gpu.scale_up.topology = scale_up.choice<ScaleUpTopology>(
        "topology", {{"switch", ScaleUpTopology::switched},
                     {"full_mesh", ScaleUpTopology::full_mesh},
                     {"pcie", ScaleUpTopology::pcie}});
    gpu.scale_up.domain_size = static_cast<int>(scale_up.integer("domain_size", 1, 1024));
    gpu.scale_up.bandwidth_per_direction = scale_up.byte_rate("bandwidth_per_direction");
    gpu.scale_up.technology = scale_up.optional_string("technology").value_or("");
    scale_up.finish();
  }
  gpu.io_bandwidth_bidirectional = reader.byte_rate("io_bandwidth_bidirectional");
  if (auto sms = reader.optional_integer("sm_count", 1, 100000)) gpu.sm_count = static_cast<int>(*sms);
  gpu.tdp = reader.optional_watts("tdp");
  gpu.die_area_mm2 = reader.optional_number("die_area_mm2", 1.0, 100000.0);
  if (auto prices = reader.optional_object("prices")) {
    gpu.prices.purchase_usd = prices->optional_number("purchase_usd");
    gpu.prices.rental_usd_per_gpu_hour = prices->optional_number("rental_usd_per_gpu_hour");
    prices->finish();
  }
  gpu.unverified = string_list(reader, "unverified");
  gpu.sources = string_list(reader, "sources");
  if (gpu.sources.empty()) {
    reader.diagnostics().error(child_pointer(reader.pointer(), "sources"),
                               "every GPU needs at least one source for its figures",
                               "cite the datasheet, paper or page the numbers come from");
  }
  gpu.notes = reader.optional_string("notes").value_or("");
  reader.finish();
  return gpu;
}

}  // namespace trainsim
