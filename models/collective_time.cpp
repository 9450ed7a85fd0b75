#include "models/collective_time.hpp"

#include <algorithm>

namespace trainsim {

LinkRates link_rates(const ClusterSpec& c, const KernelTimeModel& k) {
  LinkRates r;
  r.scale_up = c.scale_up_bandwidth_to_one_peer() * k.link_efficiency(KernelClass::scale_up_transfer);
  r.scale_out = c.nic_bandwidth_per_gpu() * k.link_efficiency(KernelClass::scale_out_transfer);
  r.scale_up_latency = c.network.scale_up_latency;
  r.scale_out_latency = c.network.scale_out_latency;
  r.oversubscription = c.network.oversubscription;
  r.intra = c.gpu.scale_up.topology == ScaleUpTopology::pcie ? IntraNodeLink::pcie : IntraNodeLink::nvlink;
  return r;
}

namespace {
// Inside the node: each rank moves (local - 1)/local of its node's share.
Seconds intra_node_ring(Bytes total, const GroupLayout& g, const LinkRates& r) {
  const auto local = static_cast<double>(g.ranks_per_node);
  if (local <= 1.0) return Seconds(0);
  return total.scaled((local - 1.0) / local / static_cast<double>(g.nodes())) / r.scale_up;
}

double fabric_slowdown(const GroupLayout& g, const LinkRates& r) { return g.crosses_leaves ? r.oversubscription : 1.0; }

// Ring reduce-scatter or all-gather of a `total` tensor: inside nodes, then across them, where
// each rank carries 1/local of the node-level ring.
Seconds ring_time(Bytes total, const GroupLayout& g, const LinkRates& r) {
  const auto nodes = static_cast<double>(g.nodes());
  Seconds t = intra_node_ring(total, g, r);
  if (nodes > 1) {
    const Bytes share = total.scaled((nodes - 1.0) / nodes / static_cast<double>(g.ranks_per_node));
    t += share / r.scale_out * fabric_slowdown(g, r);
  }
  return t;
}

// Reduce-scatter inside nodes, a double binary tree across them (each rank's share split over
// two trees: about its share up and its share down), all-gather inside nodes.
Seconds tree_all_reduce_time(Bytes total, const GroupLayout& g, const LinkRates& r) {
  const Bytes share = total.scaled(1.0 / static_cast<double>(g.ranks_per_node));
  return intra_node_ring(total, g, r) * 2.0 + share.scaled(2.0) / r.scale_out * fabric_slowdown(g, r);
}

// One hop of a ring pass: the slowest hop of a ring that spans nodes crosses the fabric.
Seconds ring_pass_time(Bytes shard, const GroupLayout& g, const LinkRates& r) {
  const Seconds hop = g.nodes() == 1 ? shard / r.scale_up + r.scale_up_latency
                                     : shard / r.scale_out * fabric_slowdown(g, r) + r.scale_out_latency;
  return hop * static_cast<double>(g.ranks - 1);
}

// NCCL's bus bytes of a collective per rank (nccl-tests' busBw convention): what LL's ceiling
// bounds.
Bytes bus_bytes(Collective c, Bytes total, const GroupLayout& g) {
  const double n = static_cast<double>(g.ranks);
  return total.scaled((c == Collective::all_reduce ? 2.0 : 1.0) * (n - 1.0) / n);
}

// Bytes on the wire per payload byte: the inverse of the protocol's payload share, or more
// where LL's ceiling across nodes binds.
double wire_factor(Collective c, CollectiveAlgorithm a, Protocol p, Bytes total, const GroupLayout& g, Seconds transfer) {
  double factor = 1.0 / nccl_payload_share(a, p);
  const auto ceiling = p == Protocol::ll ? nccl_ll_bus_ceiling(g) : std::nullopt;
  if (ceiling && transfer > Seconds(0)) factor = std::max(factor, (bus_bytes(c, total, g) / *ceiling) / transfer);
  return factor;
}
}  // namespace

Seconds transfer_time(Collective collective, CollectiveAlgorithm algorithm, Bytes payload, const GroupLayout& g,
                      const LinkRates& r) {
  if (g.ranks <= 1) return Seconds(0);
  switch (collective) {
    case Collective::all_gather:
    case Collective::reduce_scatter: return ring_time(payload, g, r);
    case Collective::all_reduce:
      return algorithm == CollectiveAlgorithm::double_binary_tree ? tree_all_reduce_time(payload, g, r)
                                                                  : ring_time(payload, g, r) * 2.0;
    case Collective::ring_pass: return ring_pass_time(payload, g, r);
  }
  return Seconds(0);
}

CollectiveStep choose_collective(Collective collective, CommGroup group, Bytes payload, const GroupLayout& g,
                                 const LinkRates& r) {
  CollectiveStep best;
  best.collective = collective;
  best.group = group;
  best.payload = payload;
  if (g.ranks <= 1 || collective == Collective::ring_pass) return best;
  const bool tree_allowed = collective == Collective::all_reduce && g.nodes() >= 3;
  Seconds best_time(0);
  bool have = false;
  for (const auto algorithm : {CollectiveAlgorithm::ring, CollectiveAlgorithm::double_binary_tree}) {
    if (algorithm == CollectiveAlgorithm::double_binary_tree && !tree_allowed) continue;
    const Seconds transfer = transfer_time(collective, algorithm, payload, g, r);
    for (const auto protocol : {Protocol::simple, Protocol::ll128, Protocol::ll}) {
      CollectiveStep s = best;
      s.algorithm = algorithm;
      s.protocol = protocol;
      s.latency = nccl_latency(collective, algorithm, protocol, g, r.intra);
      s.wire_factor = wire_factor(collective, algorithm, protocol, payload, g, transfer);
      const Seconds t = s.latency + transfer * s.wire_factor;
      if (!have || t < best_time) {
        best = s;
        best_time = t;
        have = true;
      }
    }
  }
  return best;
}

Seconds collective_time(const CollectiveStep& s, const GroupLayout& g, const LinkRates& r) {
  return s.latency + transfer_time(s.collective, s.algorithm, s.payload, g, r) * s.wire_factor;
}

CommunicationModel::CommunicationModel(const ParallelPlan& plan, const ClusterSpec& cluster, const LinkRates& rates)
    : rates_(rates) {
  for (int g = 0; g < kCommGroupCount; ++g) {
    layouts_[static_cast<std::size_t>(g)] = group_layout(static_cast<CommGroup>(g), plan, cluster);
  }
}

CollectiveStep CommunicationModel::collective(Collective collective, CommGroup group, Bytes payload) const {
  return choose_collective(collective, group, payload, layout(group), rates_);
}

Seconds CommunicationModel::time(const CollectiveStep& s) const { return collective_time(s, layout(s.group), rates_); }

Seconds CommunicationModel::time(const AllToAllStep& s) const {
  const double slowdown = fabric_slowdown(layout(CommGroup::expert), rates_);
  const Seconds fabric = s.scale_out.count() > 0 ? s.scale_out / rates_.scale_out * slowdown + rates_.scale_out_latency
                                                 : Seconds(0);
  const Seconds nvlink = s.scale_up.count() > 0 ? s.scale_up / rates_.scale_up + rates_.scale_up_latency : Seconds(0);
  return max(fabric, nvlink);
}

Seconds CommunicationModel::pipeline_hop_time(Bytes payload, int from, int to) const {
  const auto& g = layout(CommGroup::pipeline);
  if (g.ranks <= 1 || from == to) return Seconds(0);
  // Stages fill nodes in order, ranks_per_node of them to a node (the group's stride layout).
  if (from / g.ranks_per_node != to / g.ranks_per_node) {
    return payload / rates_.scale_out * fabric_slowdown(g, rates_) + rates_.scale_out_latency;
  }
  return payload / rates_.scale_up + rates_.scale_up_latency;
}

}  // namespace trainsim
