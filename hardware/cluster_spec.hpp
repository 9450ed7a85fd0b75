#pragma once
// A training cluster: its GPUs, how they are grouped into servers and NVLink domains, the
// scale-out network and the kernel-time calibration to use. A "node" below is a scale-up
// domain: the GPUs that reach each other without the scale-out network (a server, or a GB200
// NVL72 rack of 18 trays of 4 GPUs).
#include <cstdint>
#include <memory>
#include <string>

#include "core/json_reader.hpp"
#include "hardware/calibration.hpp"
#include "hardware/gpu_spec.hpp"
#include "hardware/host_costs.hpp"

namespace trainsim {

enum class FabricTopology {
  fat_tree,               // NICs attach to leaves in node order
  rail_optimized,         // NIC k of every node attaches to rail-k leaves (DGX SuperPOD)
  multi_plane,            // one independent fat tree per NIC index (DeepSeek MPFT, ISCA'25 sec.5.1)
};
std::string_view to_string(FabricTopology t);

struct NetworkSpec {
  FabricTopology topology = FabricTopology::rail_optimized;
  std::int64_t nics_per_node = 8;  // per scale-up domain (the scenario gives them per server)
  BytesPerSecond nic_bandwidth;  // per NIC, per direction
  std::int64_t switch_radix = 64;
  double oversubscription = 1.0;  // leaf down-link : up-link capacity (1 = non-blocking)
  Seconds scale_out_latency;      // one message across the fabric
  Seconds scale_up_latency;       // one message inside a node
  std::optional<BytesPerSecond> scale_up_bandwidth;  // overrides the GPU datasheet's per-direction rate
};

struct ClusterSpec {
  GpuSpec gpu;
  std::int64_t gpu_count = 0;
  std::int64_t gpus_per_node = 8;    // GPUs per scale-up domain
  std::int64_t gpus_per_server = 0;  // GPUs per server (tray), dividing gpus_per_node; 0: the same
  NetworkSpec network;
  std::shared_ptr<const Calibration> calibration;  // null: every kernel class on its default
  std::string calibration_label;                   // the name or path it came from, or "none"
  HostCosts host;                                  // what issuing work costs the host CPU

  [[nodiscard]] std::int64_t nodes() const { return gpu_count / gpus_per_node; }
  [[nodiscard]] std::int64_t server_size() const { return gpus_per_server > 0 ? gpus_per_server : gpus_per_node; }
  [[nodiscard]] std::int64_t nics_per_server() const { return network.nics_per_node * server_size() / gpus_per_node; }
  // Nodes whose NICs hang off one leaf switch: half the radix faces down; a rail-optimised or
  // multi-plane leaf serves one NIC of each of its nodes, a plain fat-tree leaf whole nodes.
  [[nodiscard]] std::int64_t nodes_per_leaf() const;
  // Scale-out bandwidth available to one GPU, per direction.
  [[nodiscard]] BytesPerSecond nic_bandwidth_per_gpu() const;
  // Scale-up bandwidth of one GPU, per direction (all its links together).
  [[nodiscard]] BytesPerSecond scale_up_bandwidth() const;
  // Scale-up bandwidth from one GPU to one particular peer, per direction.
  [[nodiscard]] BytesPerSecond scale_up_bandwidth_to_one_peer() const;
};

// Reads the "cluster" object; `base_dir` resolves a relative calibration path.
ClusterSpec parse_cluster_spec(ObjectReader& reader, const std::string& base_dir);

}  // namespace trainsim
