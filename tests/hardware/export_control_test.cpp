#include "hardware/export_control.hpp"

#include <gtest/gtest.h>

#include "hardware/gpu_catalog.hpp"

namespace trainsim {
namespace {

struct Expected {
  const char* id;
  double tpp;
  Oct2022Class oct_2022;
  Oct2023Class oct_2023;
};

// ../shared/reference/hardware.md sec.3.3: TPP and the rule columns.
TEST(ExportControl, MatchesTheReferenceTable) {
  const Expected rows[] = {
      {"a100-sxm", 4992, Oct2022Class::controlled_3a090, Oct2023Class::controlled_3a090_a1},
      {"a800-sxm", 4992, Oct2022Class::not_controlled, Oct2023Class::controlled_3a090_a1},
      {"h100-sxm", 15831, Oct2022Class::controlled_3a090, Oct2023Class::controlled_3a090_a1},
      {"h800-sxm", 15831, Oct2022Class::not_controlled, Oct2023Class::controlled_3a090_a1},
      {"h20", 2368, Oct2022Class::not_controlled, Oct2023Class::not_controlled},
      {"l20", 1914, Oct2022Class::not_controlled, Oct2023Class::not_controlled},
      {"l40s", 5864, Oct2022Class::not_controlled, Oct2023Class::controlled_3a090_a1},
      {"b200", 36000, Oct2022Class::controlled_3a090, Oct2023Class::controlled_3a090_a1},
      {"ascend-910b", 6016, Oct2022Class::not_controlled, Oct2023Class::controlled_3a090_a1},
      {"mi300x", 20919, Oct2022Class::controlled_3a090, Oct2023Class::controlled_3a090_a1},
  };
  for (const auto& row : rows) {
    const auto m = export_control_metrics(*find_gpu(row.id));
    EXPECT_NEAR(m.tpp, row.tpp, 1.0) << row.id;  // the table rounds to whole TPP
    EXPECT_EQ(m.oct_2022, row.oct_2022) << row.id << ": " << m.oct_2022_reason;
    EXPECT_EQ(m.oct_2023, row.oct_2023) << row.id << ": " << m.oct_2023_reason;
  }
  EXPECT_NEAR(*export_control_metrics(*find_gpu("h20")).performance_density, 2.91, 0.005);
}

GpuSpec synthetic(double int8_tops, std::optional<double> area, double io_gbps) {
  GpuSpec g;
  g.id = "synthetic";
  g.dense_peak[Precision::int8] = FlopsPerSecond(int8_tops * 1e12);
  g.die_area_mm2 = area;
  g.io_bandwidth_bidirectional = BytesPerSecond(io_gbps * 1e9);
  return g;
}

TEST(ExportControl, ThresholdEdges) {
  // TPP exactly 4800 is controlled ("4800 or more"); one below is not, under the 2022 test.
  EXPECT_EQ(export_control_metrics(synthetic(600, 800, 600)).oct_2022, Oct2022Class::controlled_3a090);
  EXPECT_EQ(export_control_metrics(synthetic(599.9, 800, 600)).oct_2022, Oct2022Class::not_controlled);
  EXPECT_EQ(export_control_metrics(synthetic(600, 800, 599)).oct_2022, Oct2022Class::not_controlled);
  // 2023: TPP 2000 (>= 1600) with density 6.0 (>= 5.92) is 3A090.a.2; density 4.0 is 3A090.b.
  EXPECT_EQ(export_control_metrics(synthetic(250, 2000.0 / 6.0, 0)).oct_2023, Oct2023Class::controlled_3a090_a2);
  EXPECT_EQ(export_control_metrics(synthetic(250, 500, 0)).oct_2023, Oct2023Class::controlled_3a090_b);
  EXPECT_EQ(export_control_metrics(synthetic(250, 1000, 0)).oct_2023, Oct2023Class::not_controlled);
  // Without a die area, density cannot be tested between the thresholds.
  EXPECT_EQ(export_control_metrics(synthetic(250, std::nullopt, 0)).oct_2023, Oct2023Class::undetermined);
}

// ../shared/reference/hardware.md sec.3.2: what a buyer in China can get since January 2026.
TEST(ExportControl, ChinaUnderTheRulesSinceOctober2023) {
  const std::pair<const char*, ChinaAccess> rows[] = {
      {"h20", ChinaAccess::case_by_case},         // a licence since April 2025 (H20 class), case by case
      {"h800-sxm", ChinaAccess::case_by_case},    // 3A090.a, TPP 15,831 < 21,000 and 3,350 < 6,500 GB/s
      {"h200-sxm", ChinaAccess::case_by_case},    // the January 2026 rule's own example
      {"mi300x", ChinaAccess::case_by_case},      // TPP 20,919 just under 21,000; 5,300 GB/s
      {"b200", ChinaAccess::presumed_denied},     // TPP 36,000 and 7,700 GB/s, over both
      {"gb200", ChinaAccess::presumed_denied},
      {"l20", ChinaAccess::no_licence},           // under 3A090 and under the H20's bandwidths
      {"ascend-910b", ChinaAccess::domestic},     // a PRC design; its imported HBM is 3A090.c
      {"ascend-910c", ChinaAccess::domestic},
  };
  for (const auto& [id, access] : rows) {
    const auto m = export_control_metrics(*find_gpu(id));
    EXPECT_EQ(m.china, access) << id << ": " << m.china_reason;
  }
  EXPECT_TRUE(export_control_metrics(*find_gpu("h20")).h20_class);
  EXPECT_FALSE(export_control_metrics(*find_gpu("h800-sxm")).h20_class);  // already 3A090.a
  EXPECT_FALSE(export_control_metrics(*find_gpu("l20")).h20_class);
}

TEST(ExportControl, ChinaThresholdEdges) {
  // Under every 3A090 threshold (TPP 1,600 with no die area is undetermined; 1,000 is not).
  auto g = synthetic(125, 800, 0);  // TPP 1,000
  g.memory_bandwidth = BytesPerSecond(3.99e12);
  g.scale_up.bandwidth_per_direction = BytesPerSecond(449e9);
  EXPECT_EQ(export_control_metrics(g).china, ChinaAccess::no_licence);
  // The H20's memory bandwidth (4.0 TB/s) or its interconnect (450 GB/s per direction) alone
  // makes a part H20 class.
  g.memory_bandwidth = BytesPerSecond(4.0e12);
  EXPECT_TRUE(export_control_metrics(g).h20_class);
  EXPECT_EQ(export_control_metrics(g).china, ChinaAccess::case_by_case);
  g.memory_bandwidth = BytesPerSecond(3.99e12);
  g.scale_up.bandwidth_per_direction = BytesPerSecond(450e9);
  EXPECT_TRUE(export_control_metrics(g).h20_class);
  // 3A090.a: case by case strictly below TPP 21,000 and 6,500 GB/s; at either, presumption of denial.
  auto a = synthetic(2624, 800, 0);  // TPP 20,992
  a.memory_bandwidth = BytesPerSecond(6.499e12);
  EXPECT_EQ(export_control_metrics(a).china, ChinaAccess::case_by_case);
  a.memory_bandwidth = BytesPerSecond(6.5e12);
  EXPECT_EQ(export_control_metrics(a).china, ChinaAccess::presumed_denied);
  auto b = synthetic(2625, 800, 0);  // TPP 21,000
  EXPECT_EQ(export_control_metrics(b).china, ChinaAccess::presumed_denied);
  // A PRC designer's part is domestic whatever its metrics.
  b.vendor = "Huawei";
  EXPECT_EQ(export_control_metrics(b).china, ChinaAccess::domestic);
}

}  // namespace
}  // namespace trainsim
