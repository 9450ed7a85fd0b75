#include "models/collective_time.hpp"

#include <algorithm>


namespace trainsim {

namespace {
// Nodes whose NICs hang off one leaf switch: half the radix faces down; a rail-optimised or
// multi-plane leaf serves one NIC of each of its nodes.
std::int64_t nodes_per_leaf(const ClusterSpec& c) {
  const std::int64_t down = c.network.switch_radix / 2;
  if (c.network.topology == FabricTopology::fat_tree) return std::max<std::int64_t>(1, down / c.network.nics_per_node);
  return down;
}

// A group of `ranks` whose consecutive members are `stride` global ranks apart.
GroupLayout strided_group(std::int64_t ranks, std::int64_t stride, const ClusterSpec& c) {
  GroupLayout g;
  g.ranks = ranks;
  stride = std::max<std::int64_t>(stride, 1);
  g.ranks_per_node = std::clamp<std::int64_t>(c.gpus_per_node / stride, 1, ranks);
  const std::int64_t span_nodes = std::max<std::int64_t>(1, ranks * stride / c.gpus_per_node);
  g.crosses_leaves = span_nodes > nodes_per_leaf(c);
  return g;
}
}  // namespace

GroupLayout tensor_group(const ParallelPlan& p, const ClusterSpec& c) { return strided_group(p.tensor, 1, c); }
GroupLayout context_group(const ParallelPlan& p, const ClusterSpec& c) { return strided_group(p.context, p.tensor, c); }
GroupLayout data_group(const ParallelPlan& p, const ClusterSpec& c) {
  return strided_group(p.data, p.tensor * p.context, c);
}
GroupLayout expert_data_group(const ParallelPlan& p, const ClusterSpec& c) {
  return strided_group(p.expert_data_parallel(), p.tensor * p.expert, c);
}
GroupLayout expert_group(const ParallelPlan& p, const ClusterSpec& c) { return strided_group(p.expert, p.tensor, c); }

LinkRates link_rates(const ClusterSpec& c, const KernelTimeModel& k) {
  LinkRates r;
  r.scale_up = c.scale_up_bandwidth_to_one_peer() * k.link_efficiency(KernelClass::scale_up_transfer);
  r.scale_out = c.nic_bandwidth_per_gpu() * k.link_efficiency(KernelClass::scale_out_transfer);
  r.scale_up_latency = c.network.scale_up_latency;
  r.scale_out_latency = c.network.scale_out_latency;
  r.oversubscription = c.network.oversubscription;
  return r;
}

namespace {
// Inside the node: each rank moves (local - 1)/local of its node's share.
Seconds intra_node_ring(Bytes total, const GroupLayout& g, const LinkRates& r) {
  const auto local = static_cast<double>(g.ranks_per_node);
  if (local <= 1.0) return Seconds(0);
  return total.scaled((local - 1.0) / local / static_cast<double>(g.nodes())) / r.scale_up + r.scale_up_latency * (local - 1.0);
}
double fabric_slowdown(const GroupLayout& g, const LinkRates& r) { return g.crosses_leaves ? r.oversubscription : 1.0; }
}  // namespace

Seconds ring_gather_time(Bytes total, const GroupLayout& g, const LinkRates& r) {
  if (g.ranks <= 1) return Seconds(0);
  const auto nodes = static_cast<double>(g.nodes());
  Seconds t = intra_node_ring(total, g, r);
  if (nodes > 1) {  // across nodes, each rank carries 1/local of the node-level ring
    const Bytes share = total.scaled((nodes - 1.0) / nodes / static_cast<double>(g.ranks_per_node));
    t += share / r.scale_out * fabric_slowdown(g, r) + r.scale_out_latency * (nodes - 1.0);
  }
  return t;
}

int tree_depth(std::int64_t members) {
  int depth = 0;
  while ((std::int64_t{1} << depth) < members + 1) ++depth;
  return depth;
}

bool tree_all_reduce_is_faster(Bytes total, const GroupLayout& g, const LinkRates& r) {
  const auto nodes = static_cast<double>(g.nodes());
  if (nodes <= 2.0) return false;
  const Bytes share = total.scaled(1.0 / static_cast<double>(g.ranks_per_node));
  const Seconds ring = share.scaled(2.0 * (nodes - 1.0) / nodes) / r.scale_out + r.scale_out_latency * (2.0 * (nodes - 1.0));
  const Seconds tree = share.scaled(2.0) / r.scale_out + r.scale_out_latency * (2.0 * tree_depth(g.nodes()));
  return tree < ring;
}

Seconds all_reduce_time(Bytes total, const GroupLayout& g, const LinkRates& r) {
  if (g.ranks <= 1) return Seconds(0);
  if (!tree_all_reduce_is_faster(total, g, r)) return ring_gather_time(total, g, r) * 2.0;
  // Reduce-scatter inside nodes, a double binary tree across them (each rank's share split
  // over two trees: about its share up and its share down), all-gather inside nodes.
  const Bytes share = total.scaled(1.0 / static_cast<double>(g.ranks_per_node));
  return intra_node_ring(total, g, r) * 2.0 + share.scaled(2.0) / r.scale_out * fabric_slowdown(g, r) +
         r.scale_out_latency * (2.0 * tree_depth(g.nodes()));
}

Seconds layer_step_comm_time(const LayerStep& s, const ParallelPlan& p, const ClusterSpec& c, const LinkRates& r) {
  switch (s.collective) {
    case Collective::all_gather:
    case Collective::reduce_scatter: return ring_gather_time(s.payload, tensor_group(p, c), r);
    case Collective::all_reduce: return all_reduce_time(s.payload, tensor_group(p, c), r);
    case Collective::ring_exchange: {
      const auto g = context_group(p, c);
      const bool inside = g.nodes() == 1;
      const double slowdown = g.crosses_leaves ? r.oversubscription : 1.0;
      const Seconds hop = inside ? s.payload / r.scale_up + r.scale_up_latency
                                 : s.payload / r.scale_out * slowdown + r.scale_out_latency;
      return hop * static_cast<double>(p.context - 1);
    }
    case Collective::moe_dispatch:
    case Collective::moe_combine: {
      // NVLink forwarding and fabric sends run at the same time (DeepEP overlaps them); the
      // slower path sets the pace.
      const double slowdown = expert_group(p, c).crosses_leaves ? r.oversubscription : 1.0;
      const Seconds fabric = s.scale_out_bytes.count() > 0 ? s.scale_out_bytes / r.scale_out * slowdown + r.scale_out_latency
                                                           : Seconds(0);
      const Seconds nvlink = s.scale_up_bytes.count() > 0 ? s.scale_up_bytes / r.scale_up + r.scale_up_latency : Seconds(0);
      return max(fabric, nvlink);
    }
  }
  return Seconds(0);
}

}  // namespace trainsim
