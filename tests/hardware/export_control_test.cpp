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

}  // namespace
}  // namespace trainsim
