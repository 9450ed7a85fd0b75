#pragma once
// US export-control metrics of an accelerator, its classification under the October 2022
// (87 FR 62186) and October 2023 (88 FR 73458) rules, and what a buyer in China can get under
// the rules since, as summarised with quotes in ../shared/reference/hardware.md sec.3.2: the
// December 2024 HBM rule (89 FR 96790, 3A090.c: HBM stacks; co-packaged HBM is not caught, so
// it binds the PRC's own accelerators, which import their HBM), the April 2025 licence
// requirement for the H20 "and any other circuits achieving the H20's memory bandwidth,
// interconnect bandwidth, or combination thereof" (NVIDIA 8-K of 15 April 2025), and the
// January 2026 rule (91 FR 1684) that reviews China licences case by case below TPP 21,000 and
// 6,500 GB/s of DRAM bandwidth. The January 2025 diffusion rule was rescinded in May 2025 and
// changed nothing for China (tier 3, already presumption of denial).
#include <optional>
#include <string>

#include "hardware/gpu_spec.hpp"

namespace trainsim {

enum class Oct2022Class { controlled_3a090, not_controlled };
enum class Oct2023Class { controlled_3a090_a1, controlled_3a090_a2, controlled_3a090_b, not_controlled, undetermined };
// A buyer in China under the rules in force since January 2026.
enum class ChinaAccess {
  domestic,          // a PRC design: no US licence for the chip; its imported HBM stacks are 3A090.c
  no_licence,        // under every US threshold
  case_by_case,      // a licence, reviewed case by case (Jan 2026; the H20 class since Aug 2025)
  presumed_denied,   // a licence, presumption of denial
  undetermined,      // the October 2023 class is undetermined
};

struct ExportControlMetrics {
  double tpp = 0.0;                  // "total processing performance": dense TOPS x bit length, max over precisions
  Precision tpp_precision = Precision::bf16;
  std::optional<double> performance_density;  // TPP per mm^2 of applicable die area
  Oct2022Class oct_2022 = Oct2022Class::not_controlled;
  Oct2023Class oct_2023 = Oct2023Class::not_controlled;
  std::string oct_2022_reason;
  std::string oct_2023_reason;
  bool h20_class = false;  // April 2025: at least the H20's memory or interconnect bandwidth, outside 3A090
  ChinaAccess china = ChinaAccess::no_licence;
  std::string china_reason;  // the rules that decide it, with the numbers
};

ExportControlMetrics export_control_metrics(const GpuSpec& gpu);
std::string to_string(Oct2022Class c);
std::string to_string(Oct2023Class c);
std::string to_string(ChinaAccess a);
// The rules behind ChinaAccess, one line each with its citation, for report footnotes.
std::string china_rules_note();

}  // namespace trainsim
