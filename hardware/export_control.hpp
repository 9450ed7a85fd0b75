#pragma once
// US export-control metrics of an accelerator and its classification under the October 2022
// (87 FR 62186) and October 2023 (88 FR 73458) rules, as summarised with quotes in
// ../shared/reference/hardware.md sec.3. Later rules (Dec 2024 HBM, Jan 2025 diffusion,
// Jan 2026 overlay) act on destinations and end users, not on these chip metrics alone.
#include <optional>
#include <string>

#include "hardware/gpu_spec.hpp"

namespace trainsim {

enum class Oct2022Class { controlled_3a090, not_controlled };
enum class Oct2023Class { controlled_3a090_a1, controlled_3a090_a2, controlled_3a090_b, not_controlled, undetermined };

struct ExportControlMetrics {
  double tpp = 0.0;                  // "total processing performance": dense TOPS x bit length, max over precisions
  Precision tpp_precision = Precision::bf16;
  std::optional<double> performance_density;  // TPP per mm^2 of applicable die area
  Oct2022Class oct_2022 = Oct2022Class::not_controlled;
  Oct2023Class oct_2023 = Oct2023Class::not_controlled;
  std::string oct_2022_reason;
  std::string oct_2023_reason;
};

ExportControlMetrics export_control_metrics(const GpuSpec& gpu);
std::string to_string(Oct2022Class c);
std::string to_string(Oct2023Class c);

}  // namespace trainsim
