#include "hardware/cluster_spec.hpp"

#include <gtest/gtest.h>

namespace trainsim {
namespace {

ClusterSpec parse(const std::string& text, Diagnostics& diag) {
  const auto doc = nlohmann::json::parse(text);
  ObjectReader r(doc, "/cluster", diag);
  return parse_cluster_spec(r, ".");
}

TEST(ClusterSpec, ResolvesCatalogGpuAndDefaultCalibration) {
  Diagnostics diag("s.json");
  const auto c = parse(R"({"gpu": "h100-sxm", "gpu_count": 16, "gpus_per_node": 8,
      "network": {"topology": "rail_optimized_fat_tree", "nic_bandwidth": "400Gbps"}})", diag);
  EXPECT_FALSE(diag.has_errors());
  EXPECT_EQ(c.calibration_label, "h100-published");
  EXPECT_EQ(c.nodes(), 2);
  EXPECT_DOUBLE_EQ(c.nic_bandwidth_per_gpu().si(), 50e9);
  EXPECT_DOUBLE_EQ(c.scale_up_bandwidth().si(), 450e9);
}

TEST(ClusterSpec, ReportsBadFields) {
  Diagnostics diag("s.json");
  parse(R"({"gpu": "h900", "gpu_count": 12, "gpus_per_node": 8, "calibration": "nope",
      "network": {"topology": "torus", "nic_bandwidth": "400"}})", diag);
  try {
    diag.throw_if_any();
    FAIL();
  } catch (const ConfigError& e) {
    std::set<std::string> pointers;
    for (const auto& i : e.issues()) pointers.insert(i.pointer);
    EXPECT_TRUE(pointers.contains("/cluster/gpu"));
    EXPECT_TRUE(pointers.contains("/cluster/gpu_count"));  // 12 is not a multiple of 8
    EXPECT_TRUE(pointers.contains("/cluster/network/topology"));
    EXPECT_TRUE(pointers.contains("/cluster/network/nic_bandwidth"));
    EXPECT_TRUE(pointers.contains("/cluster/calibration"));
  }
}

TEST(ClusterSpec, FullMeshSplitsBandwidthOverPeers) {
  Diagnostics diag("s.json");
  const auto c = parse(R"({"gpu": "mi300x", "gpu_count": 8, "gpus_per_node": 8,
      "network": {"topology": "fat_tree", "nic_bandwidth": "400Gbps"}})", diag);
  EXPECT_NEAR(to_gbps(c.scale_up_bandwidth_to_one_peer()), 448.0 / 7.0, 1e-9);
}

}  // namespace
}  // namespace trainsim
