#pragma once
// The cluster as a network: a Boost.Graph of GPUs, NVSwitches, NICs, leaf switches and cores,
// the links between them with achieved bandwidths, and routing. Leaves connect to a
// non-blocking core through one aggregated up-link and down-link whose capacity is the leaf's
// NIC capacity divided by the oversubscription. A multi-plane fabric (DeepSeek's MPFT) has one
// core per NIC index and no path between planes: cross-plane traffic first crosses NVLink to the
// node's GPU on the destination's plane (NCCL's PXN).
#include <cstdint>
#include <string>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "hardware/cluster_spec.hpp"

namespace trainsim {

enum class LinkKind { scale_up_out, scale_up_in, mesh, nic_out, nic_in, leaf_up, leaf_down };
std::string_view to_string(LinkKind kind);

struct NetworkLink {
  std::string name;
  LinkKind kind = LinkKind::nic_out;
  BytesPerSecond bandwidth;  // achieved (nominal x calibrated efficiency)
  Seconds latency;
  int owner = 0;  // the GPU, NIC or leaf the link belongs to
};

enum class VertexKind { gpu, node_switch, nic, leaf, core };

struct TopologyVertex {
  VertexKind kind = VertexKind::gpu;
  int index = 0;
};
struct TopologyEdge {
  int link = -1;  // -1: an ideal connection (a GPU to its NIC over the node's PCIe switch)
};
using TopologyGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, TopologyVertex, TopologyEdge>;

class Topology {
 public:
  // `scale_up_efficiency` and `scale_out_efficiency`: achieved fractions of the nominal link
  // rates (from the kernel time model's transfer classes).
  Topology(const ClusterSpec& cluster, double scale_up_efficiency, double scale_out_efficiency);

  [[nodiscard]] int gpus() const { return gpus_; }
  [[nodiscard]] int gpus_per_node() const { return gpus_per_node_; }
  [[nodiscard]] int node_of(int gpu) const { return gpu / gpus_per_node_; }
  [[nodiscard]] int local_index(int gpu) const { return gpu % gpus_per_node_; }
  [[nodiscard]] int nic_of(int gpu) const;
  [[nodiscard]] int leaf_of_nic(int nic) const;
  // GPUs whose NIC attaches to `leaf`, and GPUs that share `nic`.
  [[nodiscard]] int gpus_on_leaf(int leaf) const;
  [[nodiscard]] int gpus_on_nic(int nic) const;
  [[nodiscard]] const std::vector<NetworkLink>& links() const { return links_; }
  [[nodiscard]] const TopologyGraph& graph() const { return graph_; }

  // Links a message from `src` to `dst` crosses, in order (empty when src == dst).
  [[nodiscard]] std::vector<int> route(int src, int dst) const;
  // The links a message from `self` to a symmetric copy `peer` loads on self's side of the
  // network: the route's outgoing links, and the peer's incoming links reflected onto self's
  // own (by symmetry somebody sends to self exactly what self sends to peer).
  [[nodiscard]] std::vector<int> mirrored_route(int self, int peer) const;
  // Graph vertex of a GPU, for path checks.
  [[nodiscard]] std::size_t gpu_vertex(int gpu) const { return static_cast<std::size_t>(gpu); }

 private:
  int add_link(std::string name, LinkKind kind, BytesPerSecond bandwidth, Seconds latency, int owner);
  void fabric_route(int src_nic, int dst_nic, std::vector<int>& out) const;
  [[nodiscard]] int reflect(int link, int self) const;

  int gpus_ = 0;
  int gpus_per_node_ = 1;
  int nics_per_node_ = 1;
  int nodes_per_leaf_ = 1;
  int leaves_per_rail_ = 1;
  FabricTopology fabric_ = FabricTopology::fat_tree;
  ScaleUpTopology scale_up_ = ScaleUpTopology::switched;
  std::vector<NetworkLink> links_;
  std::vector<int> scale_up_out_, scale_up_in_;  // per GPU
  std::vector<int> nic_out_, nic_in_;            // per NIC
  std::vector<int> leaf_up_, leaf_down_;         // per leaf
  std::vector<int> mesh_;                        // full mesh: per (gpu, local peer)
  TopologyGraph graph_;
};

}  // namespace trainsim
