// Collective times against published nccl-tests measurements of H100 clusters
// (validation/collectives/nccl-tests-h100.csv, each row with its source): the closed form's
// choice of algorithm and protocol, NCCL's latencies and H100's calibrated link rates, never
// fitted to these rows.
//
// What the bars are made of. nccl-tests times a loop of launches, so no call comes out faster
// than the host can launch one (the run's smallest sizes, about 35 us on one node); a step of
// a training run does not pay that, so the model leaves it out and the comparison takes the
// larger of the two. Beyond it, two reporters' 2-node H100 runs of one configuration differ by
// 17-30% at 1-4 MiB (issue #309), and H100's NIC rate is DeepEP's all-to-all rate (0.86 of
// 400 Gb/s, borrowed from H800) where rings reach 0.96-0.98 (#290, #309): a bandwidth-bound
// row across nodes may be 15% slow for that alone. Hence: inside a node every size within 25%,
// the median within 10%; across nodes the bandwidth-bound sizes (256 MiB and up) within 25%.
// Not held, and said here so that nobody mistakes it for fitting: across nodes at 1-64 MiB the
// 64-GPU run is 30-60% slower than NCCL's latencies make it (NCCL's own tuner is as
// optimistic there), and NVLS / NVLS-tree (the 2-node default runs) are not modelled.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "hardware/calibration.hpp"
#include "hardware/gpu_catalog.hpp"
#include "models/collective_time.hpp"

namespace trainsim {
namespace {

struct Row {
  std::string run;
  std::int64_t gpus = 0;
  std::int64_t gpus_per_node = 0;
  Collective collective = Collective::all_reduce;
  std::string algorithm;
  std::int64_t size_bytes = 0;
  double time_us = 0.0;
};

Collective parse_collective(const std::string& name) {
  if (name == "all_gather") return Collective::all_gather;
  if (name == "reduce_scatter") return Collective::reduce_scatter;
  return Collective::all_reduce;
}

std::vector<Row> published_rows() {
  std::ifstream in(std::string(TRAINSIM_SOURCE_DIR) + "/validation/collectives/nccl-tests-h100.csv");
  std::string line;
  std::getline(in, line);  // header
  std::vector<Row> rows;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream fields(line);
    for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
    if (cells.size() < 8) continue;
    rows.push_back({cells[0], std::stoll(cells[1]), std::stoll(cells[2]), parse_collective(cells[3]), cells[4],
                    std::stoll(cells[5]), std::stod(cells[6])});
  }
  return rows;
}

ClusterSpec h100_cluster(std::int64_t gpus) {
  ClusterSpec c;
  c.gpu = *find_gpu("h100-sxm");
  c.gpu_count = gpus;
  c.gpus_per_node = 8;
  c.network.nics_per_node = 8;
  c.network.nic_bandwidth = BytesPerSecond(400e9 / 8.0);
  c.network.scale_out_latency = Seconds(3.7e-6);
  c.network.scale_up_latency = Seconds(3.33e-6);
  const auto* calibration = find_builtin_calibration(default_calibration_for("h100-sxm"));
  c.calibration = std::shared_ptr<const Calibration>(calibration, [](const Calibration*) {});
  return c;
}

// The model's time for a row. The runs that forced NCCL_ALGO=Ring span at most two nodes,
// where the model offers only the ring.
Seconds modelled(const Row& row) {
  const auto cluster = h100_cluster(row.gpus);
  const auto rates = link_rates(cluster, kernel_model(cluster));
  const GroupLayout layout{row.gpus, row.gpus_per_node, false};
  const CollectiveStep step = choose_collective(row.collective, CommGroup::data, Bytes(row.size_bytes), layout, rates);
  if (row.algorithm == "ring") {
    EXPECT_EQ(step.algorithm, CollectiveAlgorithm::ring) << row.run;
  }
  return collective_time(step, layout, rates);
}

struct Errors {
  std::vector<double> relative;
  double worst = 0.0;
  std::string worst_row;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

// Each run's rows between `from` and `to` bytes, against max(model, the run's launch floor).
std::map<std::string, Errors> errors_by_run(std::int64_t from, std::int64_t to) {
  const auto rows = published_rows();
  std::map<std::string, double> floor_us;
  for (const auto& r : rows) {
    if (r.size_bytes <= 1024) floor_us[r.run] = floor_us.contains(r.run) ? std::min(floor_us[r.run], r.time_us) : r.time_us;
  }
  std::map<std::string, Errors> out;
  for (const auto& r : rows) {
    if (r.size_bytes < from || r.size_bytes > to || r.algorithm == "nvls_tree") continue;
    const double floor = floor_us.contains(r.run) ? floor_us[r.run] : 0.0;
    const double predicted = std::max(modelled(r).si() * 1e6, floor);
    const double error = std::abs(predicted - r.time_us) / r.time_us;
    auto& e = out[r.run];
    e.relative.push_back(error);
    if (error > e.worst) {
      e.worst = error;
      e.worst_row = r.run + " at " + std::to_string(r.size_bytes) + " B";
    }
  }
  return out;
}

constexpr std::int64_t kMiB = 1 << 20;
constexpr std::int64_t kGiB = 1 << 30;

TEST(NcclTests, TheTableCarriesEveryRunItsTestsRead) {
  std::map<std::string, int> sizes;
  for (const auto& r : published_rows()) ++sizes[r.run];
  for (const auto* run : {"together-h100-8-ring-all_reduce", "together-h100-8-ring-all_gather",
                          "together-h100-8-ring-reduce_scatter", "gj-aion-h100-16-ring", "qoofyk-h100-32-vm",
                          "gj-aion-h100-64-tuned"}) {
    EXPECT_GE(sizes[run], 11) << run;
  }
}

TEST(NcclTests, OneNodeRingsFollowNcclTestsFromOneMebibyteToOneGibibyte) {
  for (const auto& [run, e] : errors_by_run(kMiB, kGiB)) {
    if (!run.starts_with("together-h100-8-ring")) continue;
    EXPECT_LT(e.worst, 0.25) << e.worst_row;
    EXPECT_LT(median(e.relative), 0.10) << run;
  }
}

TEST(NcclTests, AcrossNodesBandwidthBoundSizesFollowNcclTests) {
  int runs = 0;
  for (const auto& [run, e] : errors_by_run(256 * kMiB, kGiB)) {
    if (run.starts_with("together")) continue;
    ++runs;
    EXPECT_LT(e.worst, 0.25) << e.worst_row;
  }
  EXPECT_EQ(runs, 3);
}

TEST(NcclTests, SmallCollectivesTakeLowLatencyProtocolsAndLargeOnesSimple) {
  const auto cluster = h100_cluster(64);
  const auto rates = link_rates(cluster, kernel_model(cluster));
  const GroupLayout node{8, 8, false};
  EXPECT_EQ(choose_collective(Collective::all_gather, CommGroup::tensor, Bytes(64 * 1024), node, rates).protocol,
            Protocol::ll);
  EXPECT_EQ(choose_collective(Collective::all_gather, CommGroup::tensor, Bytes(kGiB), node, rates).protocol,
            Protocol::simple);
  // Across eight nodes a small all-reduce climbs the tree (2 x 3 levels) rather than walk the
  // ring's 2 x 63 steps; a large one takes the ring, whose bytes cross each NIC once.
  const GroupLayout nodes{64, 8, false};
  EXPECT_EQ(choose_collective(Collective::all_reduce, CommGroup::data, Bytes(kMiB), nodes, rates).algorithm,
            CollectiveAlgorithm::double_binary_tree);
  EXPECT_EQ(choose_collective(Collective::all_reduce, CommGroup::data, Bytes(kGiB), nodes, rates).algorithm,
            CollectiveAlgorithm::ring);
}

TEST(NcclTests, RingLatencyGrowsWithEveryRankItWalks) {
  // NCCL's ring: one hop latency per step, 2 (n - 1) steps for an all-reduce, so at 1 MiB a
  // 1,024-GPU ring costs far more than an 8-GPU one while its bandwidth share barely changes.
  const auto cluster = h100_cluster(1024);
  const auto rates = link_rates(cluster, kernel_model(cluster));
  const auto ring_time = [&](std::int64_t gpus) {
    const GroupLayout layout{gpus, 8, false};
    CollectiveStep s = choose_collective(Collective::all_gather, CommGroup::data, Bytes(kMiB), layout, rates);
    return s.latency.si();
  };
  // 127 network steps and 896 NVLink steps at LL's 2.7 us and 1 us (the proxy's floor).
  EXPECT_NEAR(ring_time(1024), (6.6 + 896 * 1.0 + 127 * 2.7) * 1e-6, 1e-9);
  EXPECT_GT(ring_time(1024), 100.0 * ring_time(8));
}

}  // namespace
}  // namespace trainsim
