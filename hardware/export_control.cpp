#include "hardware/export_control.hpp"

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
  return m;
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
