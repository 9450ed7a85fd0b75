#include "reports/hardware_report.hpp"

#include <fmt/format.h>

#include "hardware/export_control.hpp"

namespace trainsim {
namespace {
std::string peak_text(const GpuSpec& g, Precision p) {
  const auto peak = g.peak(p);
  return peak ? fmt::format("{:.0f}", to_tflops(*peak)) : "-";
}

// The memory as the vendor writes it ("80 GB"), else the capacity in GiB.
std::string marketed_memory(const GpuSpec& g) {
  if (g.memory_capacity_marketed.empty()) return fmt::format("{:.0f} GiB", to_gib(g.memory_capacity));
  return g.memory_capacity_marketed.substr(0, g.memory_capacity_marketed.size() - 2) + " GB";
}
}  // namespace

std::string hardware_text(const std::vector<GpuSpec>& gpus) {
  constexpr auto columns = "{:<13} {:>6} {:>6} {:>7} {:>6} {:>7} {:>9} {:>6} {:>7} {:>6}  {:<20} {:<22} {:<25} {}\n";
  std::string out = fmt::format(columns, "gpu", "BF16", "FP8", "memory", "usable", "HBM", "scale-up", "TPP", "PD", "conf.",
                                "Oct 2022 rule", "Oct 2023 rule", "China (2026)", "unverified");
  out += fmt::format(columns, "", "TFLOPS", "TFLOPS", "", "GiB", "TB/s", "GB/s/dir", "", "/mm2", "", "", "", "", "");
  for (const auto& g : gpus) {
    const auto e = export_control_metrics(g);
    std::string unverified;
    for (const auto& u : g.unverified) unverified += (unverified.empty() ? "" : "; ") + u;
    out += fmt::format(columns, g.id, peak_text(g, Precision::bf16), peak_text(g, Precision::fp8), marketed_memory(g),
                       fmt::format("{:.1f}", to_gib(g.memory_capacity)), fmt::format("{:.2f}", g.memory_bandwidth.si() / 1e12),
                       fmt::format("{:.0f}", to_gbps(g.scale_up.bandwidth_per_direction)), fmt::format("{:.0f}", e.tpp),
                       e.performance_density ? fmt::format("{:.2f}", *e.performance_density) : "?",
                       std::string(1, g.confidence), to_string(e.oct_2022), to_string(e.oct_2023), to_string(e.china),
                       unverified);
  }
  out += "\nPeaks are dense (no sparsity). TPP = max over precisions of dense TOPS x bit length; PD = TPP / die area "
         "(88 FR 73458). Oct 2022: controlled when TPP >= 4800 and I/O >= 600 GB/s. Oct 2023: 3A090.a when TPP >= "
         "4800, or TPP >= 1600 and PD >= 5.92; 3A090.b in the notify band. Memory: as the vendor's datasheet writes it "
         "(its GB is 2^30 bytes for HBM); usable: what the memory model counts. Confidence: V vendor, S secondary, U "
         "unverified. Sources: hardware/catalog/gpus.json.\n" + china_rules_note() + "\n";
  return out;
}

nlohmann::json hardware_json(const std::vector<GpuSpec>& gpus) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& g : gpus) {
    const auto e = export_control_metrics(g);
    nlohmann::json peaks = nlohmann::json::object();
    for (const auto& [p, rate] : g.dense_peak) peaks[std::string(to_string(p)) + "_tflops"] = to_tflops(rate);
    nlohmann::json item{{"id", g.id},
                        {"name", g.name},
                        {"confidence", std::string(1, g.confidence)},
                        {"dense_peak", peaks},
                        {"memory_capacity_bytes", g.memory_capacity.count()},
                        {"memory_capacity_marketed", g.memory_capacity_marketed},
                        {"memory_bandwidth_bytes_per_s", g.memory_bandwidth.si()},
                        {"scale_up_bandwidth_bytes_per_s_per_direction", g.scale_up.bandwidth_per_direction.si()},
                        {"tpp", e.tpp},
                        {"oct_2022_rule", to_string(e.oct_2022)},
                        {"oct_2022_reason", e.oct_2022_reason},
                        {"oct_2023_rule", to_string(e.oct_2023)},
                        {"oct_2023_reason", e.oct_2023_reason},
                        {"china_2026", {{"access", to_string(e.china)}, {"reason", e.china_reason}, {"h20_class", e.h20_class}}},
                        {"unverified", g.unverified},
                        {"sources", g.sources}};
    if (e.performance_density) item["performance_density_tpp_per_mm2"] = *e.performance_density;
    list.push_back(item);
  }
  return list;
}

Table hardware_table(const std::vector<GpuSpec>& gpus) {
  Table t{{"gpu", "name", "bf16_tflops", "fp8_tflops", "memory", "usable_gib", "hbm_tb_per_s", "scale_up_gb_per_s_per_direction",
           "tpp", "performance_density", "confidence", "oct_2022", "oct_2023", "china_2026"},
          {}};
  for (const auto& g : gpus) {
    const auto e = export_control_metrics(g);
    t.rows.push_back({g.id, g.name, peak_text(g, Precision::bf16), peak_text(g, Precision::fp8), marketed_memory(g),
                      fmt::format("{:.1f}", to_gib(g.memory_capacity)), fmt::format("{:.2f}", g.memory_bandwidth.si() / 1e12),
                      fmt::format("{:.0f}", to_gbps(g.scale_up.bandwidth_per_direction)), fmt::format("{:.0f}", e.tpp),
                      e.performance_density ? fmt::format("{:.2f}", *e.performance_density) : "", std::string(1, g.confidence),
                      to_string(e.oct_2022), to_string(e.oct_2023), to_string(e.china)});
  }
  return t;
}

}  // namespace trainsim
