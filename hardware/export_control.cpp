#include "hardware/export_control.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include <fmt/format.h>

namespace trainsim {
namespace {
// Thresholds quoted in ../shared/reference/hardware.md sec.3.2.
constexpr double kTppControlled = 4800.0;        // 2022 and 2023: 3A090.a(.1)
constexpr double kIoThresholdGBps = 600.0;        // 2022 only: aggregate bidirectional I/O
constexpr double kTppA2Floor = 1600.0;            // 2023 3A090.a.2 and .b.2
constexpr double kDensityA2 = 5.92;               // 2023 3A090.a.2
constexpr double kTppB1Floor = 2400.0;            // 2023 3A090.b.1
constexpr double kDensityB1Floor = 1.6;           // 2023 3A090.b.1
constexpr double kDensityB2Floor = 3.2;           // 2023 3A090.b.2
// The H20's own figures (hardware/catalog/gpus.json: 4.0 TB/s HBM3, NVLink 450 GB/s per
// direction), which the April 2025 requirement names as its bar.
constexpr double kH20MemoryBandwidthTBps = 4.0;
constexpr double kH20ScaleUpGBpsPerDirection = 450.0;
constexpr double kCaseByCaseTppBelow = 21000.0;             // Jan 2026, 91 FR 1684
constexpr double kCaseByCaseDramBandwidthGBpsBelow = 6500.0;  // Jan 2026, 91 FR 1684
// Designers of the PRC's own accelerators, which the December 2024 HBM rule targets
// (hardware.md sec.3.2: "the PRC domestic AI chips that rely on imported HBM (Huawei)").
constexpr std::array<std::string_view, 1> kPrcDesigners = {"Huawei"};

void classify_for_china(const GpuSpec& gpu, ExportControlMetrics& m) {
  const double memory_tbps = gpu.memory_bandwidth.si() / 1e12;
  const double scale_up_gbps = to_gbps(gpu.scale_up.bandwidth_per_direction);
  if (std::find(kPrcDesigners.begin(), kPrcDesigners.end(), gpu.vendor) != kPrcDesigners.end()) {
    m.china = ChinaAccess::domestic;
    m.china_reason = "a PRC design: no US licence for the chip, but its HBM stacks, imported, are 3A090.c since December 2024";
    return;
  }
  const bool controlled = m.oct_2023 == Oct2023Class::controlled_3a090_a1 || m.oct_2023 == Oct2023Class::controlled_3a090_a2;
  m.h20_class = !controlled && (memory_tbps >= kH20MemoryBandwidthTBps || scale_up_gbps >= kH20ScaleUpGBpsPerDirection);
  if (m.oct_2023 == Oct2023Class::undetermined && !m.h20_class) {
    m.china = ChinaAccess::undetermined;
    m.china_reason = m.oct_2023_reason;
    return;
  }
  if (!controlled && !m.h20_class) {
    m.china = ChinaAccess::no_licence;
    m.china_reason = fmt::format("{}; memory {:.2f} TB/s and scale-up {:.0f} GB/s per direction below the H20's", m.oct_2023_reason,
                                 memory_tbps, scale_up_gbps);
    return;
  }
  const double dram_gbps = memory_tbps * 1e3;
  const bool under = m.tpp < kCaseByCaseTppBelow && dram_gbps < kCaseByCaseDramBandwidthGBpsBelow;
  m.china = under ? ChinaAccess::case_by_case : ChinaAccess::presumed_denied;
  const auto why = m.h20_class ? fmt::format("H20 class (memory {:.2f} TB/s, scale-up {:.0f} GB/s per direction): a licence since April 2025",
                                             memory_tbps, scale_up_gbps)
                               : fmt::format("3A090.a ({})", m.oct_2023_reason);
  m.china_reason = fmt::format("{}; TPP {:.0f} {} 21,000 and DRAM {:.0f} GB/s {} 6,500: {} (January 2026)", why, m.tpp,
                               m.tpp < kCaseByCaseTppBelow ? "<" : ">=", dram_gbps,
                               dram_gbps < kCaseByCaseDramBandwidthGBpsBelow ? "<" : ">=",
                               under ? "reviewed case by case" : "presumption of denial");
}
}  // namespace

ExportControlMetrics export_control_metrics(const GpuSpec& gpu) {
  ExportControlMetrics m;
  for (const auto& [precision, rate] : gpu.dense_peak) {
    const double tpp = to_tflops(rate) * tpp_bit_length(precision);
    if (tpp > m.tpp) {
      m.tpp = tpp;
      m.tpp_precision = precision;
    }
  }
  if (gpu.die_area_mm2) m.performance_density = m.tpp / *gpu.die_area_mm2;

  const double io_gbps = to_gbps(gpu.io_bandwidth_bidirectional);
  if (m.tpp >= kTppControlled && io_gbps >= kIoThresholdGBps) {
    m.oct_2022 = Oct2022Class::controlled_3a090;
    m.oct_2022_reason = fmt::format("TPP {:.0f} >= 4800 and I/O {:.0f} GB/s >= 600", m.tpp, io_gbps);
  } else {
    m.oct_2022 = Oct2022Class::not_controlled;
    m.oct_2022_reason = m.tpp < kTppControlled
                            ? fmt::format("TPP {:.0f} < 4800", m.tpp)
                            : fmt::format("I/O {:.0f} GB/s < 600 (TPP {:.0f} alone does not control)", io_gbps, m.tpp);
  }

  const auto& pd = m.performance_density;
  if (m.tpp >= kTppControlled) {
    m.oct_2023 = Oct2023Class::controlled_3a090_a1;
    m.oct_2023_reason = fmt::format("TPP {:.0f} >= 4800", m.tpp);
  } else if (!pd) {
    m.oct_2023 = m.tpp < kTppA2Floor ? Oct2023Class::not_controlled : Oct2023Class::undetermined;
    m.oct_2023_reason = m.tpp < kTppA2Floor ? fmt::format("TPP {:.0f} < 1600", m.tpp)
                                            : "die area unknown, so performance density cannot be tested";
  } else if (m.tpp >= kTppA2Floor && *pd >= kDensityA2) {
    m.oct_2023 = Oct2023Class::controlled_3a090_a2;
    m.oct_2023_reason = fmt::format("TPP {:.0f} >= 1600 and PD {:.2f} >= 5.92", m.tpp, *pd);
  } else if ((m.tpp >= kTppB1Floor && *pd >= kDensityB1Floor) || (m.tpp >= kTppA2Floor && *pd >= kDensityB2Floor)) {
    m.oct_2023 = Oct2023Class::controlled_3a090_b;
    m.oct_2023_reason = fmt::format("TPP {:.0f} and PD {:.2f} fall in the 3A090.b (notify) band", m.tpp, *pd);
  } else {
    m.oct_2023 = Oct2023Class::not_controlled;
    m.oct_2023_reason = fmt::format("TPP {:.0f} and PD {:.2f} are under every 3A090 threshold", m.tpp, *pd);
  }
  classify_for_china(gpu, m);
  return m;
}

std::string to_string(ChinaAccess a) {
  switch (a) {
    case ChinaAccess::domestic: return "domestic (HBM 3A090.c)";
    case ChinaAccess::no_licence: return "no licence";
    case ChinaAccess::case_by_case: return "licence, case by case";
    case ChinaAccess::presumed_denied: return "licence, presumed denied";
    case ChinaAccess::undetermined: return "undetermined";
  }
  return "?";
}

std::string china_rules_note() {
  return "China since Jan 2026: 3A090.c (Dec 2024 HBM rule, 89 FR 96790) controls HBM stacks, not HBM co-packaged with "
         "logic, so it binds PRC designs that import HBM; a licence for the H20 and parts reaching its memory (4.0 TB/s) "
         "or interconnect (450 GB/s per direction) bandwidth since April 2025 (NVIDIA 8-K, 15 Apr 2025; licences granted "
         "from Aug 2025); licences for 3A090.a parts and that class reviewed case by case below TPP 21,000 and 6,500 GB/s "
         "of DRAM bandwidth, else presumption of denial (91 FR 1684, 15 Jan 2026). Sources quoted in "
         "../shared/reference/hardware.md sec.3.2.";
}

std::string to_string(Oct2022Class c) {
  return c == Oct2022Class::controlled_3a090 ? "3A090 (controlled)" : "not controlled";
}

std::string to_string(Oct2023Class c) {
  switch (c) {
    case Oct2023Class::controlled_3a090_a1: return "3A090.a.1";
    case Oct2023Class::controlled_3a090_a2: return "3A090.a.2";
    case Oct2023Class::controlled_3a090_b: return "3A090.b (NAC notify)";
    case Oct2023Class::not_controlled: return "not controlled";
    case Oct2023Class::undetermined: return "undetermined";
  }
  return "?";
}

}  // namespace trainsim
