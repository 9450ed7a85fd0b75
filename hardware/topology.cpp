#include "hardware/topology.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace trainsim {

std::string_view to_string(LinkKind kind) {
  switch (kind) {
    case LinkKind::scale_up_out: return "scale_up_out";
    case LinkKind::scale_up_in: return "scale_up_in";
    case LinkKind::mesh: return "mesh";
    case LinkKind::nic_out: return "nic_out";
    case LinkKind::nic_in: return "nic_in";
    case LinkKind::leaf_up: return "leaf_up";
    case LinkKind::leaf_down: return "leaf_down";
  }
  return "?";
}

int Topology::add_link(std::string name, LinkKind kind, BytesPerSecond bandwidth, Seconds latency, int owner) {
  links_.push_back({std::move(name), kind, bandwidth, latency, owner});
  return static_cast<int>(links_.size()) - 1;
}

Topology::Topology(const ClusterSpec& c, double up_eff, double out_eff)
    : gpus_(static_cast<int>(c.gpu_count)),
      gpus_per_node_(static_cast<int>(c.gpus_per_node)),
      nics_per_node_(static_cast<int>(c.network.nics_per_node)),
      fabric_(c.network.topology),
      scale_up_(c.gpu.scale_up.topology) {
  const int nodes = gpus_ / gpus_per_node_;
  nodes_per_leaf_ = static_cast<int>(c.nodes_per_leaf());
  leaves_per_rail_ = (nodes + nodes_per_leaf_ - 1) / nodes_per_leaf_;
  const int leaves = fabric_ == FabricTopology::fat_tree ? leaves_per_rail_ : leaves_per_rail_ * nics_per_node_;
  const int cores = fabric_ == FabricTopology::multi_plane ? nics_per_node_ : 1;

  // Vertices: GPUs, node switches, NICs, leaves, cores, in that order.
  for (int g = 0; g < gpus_; ++g) boost::add_vertex({VertexKind::gpu, g}, graph_);
  const auto switch_vertex = [&](int n) { return static_cast<std::size_t>(gpus_ + n); };
  for (int n = 0; n < nodes; ++n) boost::add_vertex({VertexKind::node_switch, n}, graph_);
  const auto nic_vertex = [&](int nic) { return static_cast<std::size_t>(gpus_ + nodes + nic); };
  for (int i = 0; i < nodes * nics_per_node_; ++i) boost::add_vertex({VertexKind::nic, i}, graph_);
  const auto leaf_vertex = [&](int l) { return static_cast<std::size_t>(gpus_ + nodes + nodes * nics_per_node_ + l); };
  for (int l = 0; l < leaves; ++l) boost::add_vertex({VertexKind::leaf, l}, graph_);
  const auto core_vertex = [&](int k) {
    return static_cast<std::size_t>(gpus_ + nodes + nodes * nics_per_node_ + leaves + k);
  };
  for (int k = 0; k < cores; ++k) boost::add_vertex({VertexKind::core, k}, graph_);

  // Scale-up: a switch gives each GPU its full per-direction rate to any peer; a full mesh
  // gives each pair a direct link of rate / (peers); PCIe parts go through their host link.
  const auto up_latency = c.network.scale_up_latency * 0.5;
  const BytesPerSecond up_rate = c.scale_up_bandwidth() * up_eff;
  for (int g = 0; g < gpus_; ++g) {
    const int node = node_of(g);
    if (scale_up_ == ScaleUpTopology::full_mesh) {
      for (int peer = 0; peer < gpus_per_node_; ++peer) {
        const int id = add_link(fmt::format("mesh{}_{}", g, peer), LinkKind::mesh,
                                c.scale_up_bandwidth_to_one_peer() * up_eff, c.network.scale_up_latency, g);
        mesh_.push_back(id);
        if (peer != local_index(g)) boost::add_edge(gpu_vertex(g), gpu_vertex(node * gpus_per_node_ + peer), {id}, graph_);
      }
    }
    scale_up_out_.push_back(add_link(fmt::format("gpu{}_up_out", g), LinkKind::scale_up_out, up_rate, up_latency, g));
    scale_up_in_.push_back(add_link(fmt::format("gpu{}_up_in", g), LinkKind::scale_up_in, up_rate, up_latency, g));
    boost::add_edge(gpu_vertex(g), switch_vertex(node), {scale_up_out_.back()}, graph_);
    boost::add_edge(switch_vertex(node), gpu_vertex(g), {scale_up_in_.back()}, graph_);
    boost::add_edge(gpu_vertex(g), nic_vertex(nic_of(g)), {-1}, graph_);
    boost::add_edge(nic_vertex(nic_of(g)), gpu_vertex(g), {-1}, graph_);
  }

  // Scale-out: NIC <-> leaf, leaf <-> core.
  const auto out_latency = c.network.scale_out_latency * 0.5;
  const BytesPerSecond nic_rate = c.network.nic_bandwidth * out_eff;
  for (int nic = 0; nic < nodes * nics_per_node_; ++nic) {
    nic_out_.push_back(add_link(fmt::format("nic{}_out", nic), LinkKind::nic_out, nic_rate, out_latency, nic));
    nic_in_.push_back(add_link(fmt::format("nic{}_in", nic), LinkKind::nic_in, nic_rate, out_latency, nic));
    boost::add_edge(nic_vertex(nic), leaf_vertex(leaf_of_nic(nic)), {nic_out_.back()}, graph_);
    boost::add_edge(leaf_vertex(leaf_of_nic(nic)), nic_vertex(nic), {nic_in_.back()}, graph_);
  }
  for (int l = 0; l < leaves; ++l) {
    // Up-link capacity: the leaf's NICs (a full leaf, even when the cluster fills it only in
    // part) over the oversubscription.
    const int leaf_nics = fabric_ == FabricTopology::fat_tree ? nodes_per_leaf_ * nics_per_node_ : nodes_per_leaf_;
    const BytesPerSecond up = nic_rate * (static_cast<double>(leaf_nics) / c.network.oversubscription);
    leaf_up_.push_back(add_link(fmt::format("leaf{}_up", l), LinkKind::leaf_up, up, Seconds(0), l));
    leaf_down_.push_back(add_link(fmt::format("leaf{}_down", l), LinkKind::leaf_down, up, Seconds(0), l));
    const int core = fabric_ == FabricTopology::multi_plane ? l / leaves_per_rail_ : 0;
    boost::add_edge(leaf_vertex(l), core_vertex(core), {leaf_up_.back()}, graph_);
    boost::add_edge(core_vertex(core), leaf_vertex(l), {leaf_down_.back()}, graph_);
  }
}

int Topology::nic_of(int gpu) const {
  return node_of(gpu) * nics_per_node_ + local_index(gpu) * nics_per_node_ / gpus_per_node_;
}

int Topology::leaf_of_nic(int nic) const {
  const int node = nic / nics_per_node_;
  if (fabric_ == FabricTopology::fat_tree) return node / nodes_per_leaf_;
  return (nic % nics_per_node_) * leaves_per_rail_ + node / nodes_per_leaf_;
}

int Topology::gpus_on_nic(int /*nic*/) const { return std::max(1, gpus_per_node_ / nics_per_node_); }

int Topology::gpus_on_leaf(int leaf) const {
  int count = 0;
  const int nics = (gpus_ / gpus_per_node_) * nics_per_node_;
  for (int nic = 0; nic < nics; ++nic) {
    if (leaf_of_nic(nic) == leaf) count += gpus_on_nic(nic);
  }
  return count;
}

void Topology::fabric_route(int src_nic, int dst_nic, std::vector<int>& out) const {
  out.push_back(nic_out_[static_cast<std::size_t>(src_nic)]);
  const int a = leaf_of_nic(src_nic);
  const int b = leaf_of_nic(dst_nic);
  if (a != b) {
    out.push_back(leaf_up_[static_cast<std::size_t>(a)]);
    out.push_back(leaf_down_[static_cast<std::size_t>(b)]);
  }
  out.push_back(nic_in_[static_cast<std::size_t>(dst_nic)]);
}

std::vector<int> Topology::route(int src, int dst) const {
  std::vector<int> links;
  if (src == dst) return links;
  if (node_of(src) == node_of(dst)) {
    if (scale_up_ == ScaleUpTopology::full_mesh) {
      links.push_back(mesh_[static_cast<std::size_t>(src * gpus_per_node_ + local_index(dst))]);
    } else {
      links.push_back(scale_up_out_[static_cast<std::size_t>(src)]);
      links.push_back(scale_up_in_[static_cast<std::size_t>(dst)]);
    }
    return links;
  }
  const int dst_nic = nic_of(dst);
  int src_gpu = src;
  if (fabric_ == FabricTopology::multi_plane && leaf_of_nic(nic_of(src)) / leaves_per_rail_ != leaf_of_nic(dst_nic) / leaves_per_rail_) {
    // Planes do not meet: hop over NVLink to the node's GPU on the destination's plane.
    src_gpu = node_of(src) * gpus_per_node_ + local_index(dst);
    links = route(src, src_gpu);
  }
  fabric_route(nic_of(src_gpu), dst_nic, links);
  return links;
}

int Topology::reflect(int link, int self) const {
  const auto& l = links_[static_cast<std::size_t>(link)];
  switch (l.kind) {
    case LinkKind::scale_up_in: return scale_up_in_[static_cast<std::size_t>(self)];
    case LinkKind::nic_in: return nic_in_[static_cast<std::size_t>(nic_of(self))];
    case LinkKind::leaf_down: return leaf_down_[static_cast<std::size_t>(leaf_of_nic(nic_of(self)))];
    case LinkKind::mesh: {
      // The peer's link towards self carries, by symmetry, what self's link towards it does.
      return link;
    }
    default: return link;
  }
}

std::vector<int> Topology::mirrored_route(int self, int peer) const {
  auto links = route(self, peer);
  for (auto& link : links) link = reflect(link, self);
  return links;
}

}  // namespace trainsim
