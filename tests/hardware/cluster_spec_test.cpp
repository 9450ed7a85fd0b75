#include "hardware/cluster_spec.hpp"

#include <gtest/gtest.h>

#include <set>

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

// GB200 NVL72: 18 trays of 4 GPUs on one NVLink domain, one 400 Gb/s NIC per GPU (NVIDIA's
// GB200 NVL72 reference: four ConnectX-7 per compute tray).
TEST(ClusterSpec, NvlinkDomainsSpanServers) {
  Diagnostics diag("s.json");
  const auto c = parse(R"({"gpu": "gb200", "gpu_count": 144, "gpus_per_node": 4, "gpus_per_nvlink_domain": 72,
      "network": {"topology": "rail_optimized_fat_tree", "nics_per_node": 4, "nic_bandwidth": "400Gbps"}})", diag);
  EXPECT_FALSE(diag.has_errors());
  EXPECT_EQ(c.nodes(), 2);  // scale-up domains, what the communication model calls nodes
  EXPECT_EQ(c.gpus_per_node, 72);
  EXPECT_EQ(c.server_size(), 4);
  EXPECT_EQ(c.network.nics_per_node, 72);
  EXPECT_EQ(c.nics_per_server(), 4);
  EXPECT_DOUBLE_EQ(c.nic_bandwidth_per_gpu().si(), 50e9);
}

TEST(ClusterSpec, NvlinkDomainMustBeWholeServersAndFitTheGpu) {
  Diagnostics diag("s.json");
  parse(R"({"gpu": "gb200", "gpu_count": 140, "gpus_per_node": 4, "gpus_per_nvlink_domain": 70,
      "network": {"topology": "fat_tree", "nic_bandwidth": "400Gbps"}})", diag);
  std::set<std::string> pointers;
  for (const auto& i : diag.issues()) pointers.insert(i.pointer);
  EXPECT_TRUE(pointers.contains("/cluster/gpus_per_nvlink_domain"));  // 70 is not whole trays of 4
  Diagnostics h100("s.json");
  parse(R"({"gpu": "h100-sxm", "gpu_count": 32, "gpus_per_node": 8, "gpus_per_nvlink_domain": 16,
      "network": {"topology": "fat_tree", "nic_bandwidth": "400Gbps"}})", h100);
  ASSERT_EQ(h100.issues().size(), 1U);  // an H100's NVLink reaches 8 GPUs
  EXPECT_EQ(h100.issues()[0].pointer, "/cluster/gpus_per_nvlink_domain");
}

}  // namespace
}  // namespace trainsim
