#include "sim/collective_lowering.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <type_traits>

namespace trainsim {

namespace {

// A ring step: send `bytes` to the next member, receive as much from the previous one.
ExchangeStep ring_step(const std::vector<std::int32_t>& ring, std::int32_t self, Bytes bytes) {
  const auto it = std::find(ring.begin(), ring.end(), self);
  const auto position = static_cast<std::size_t>(it - ring.begin());
  const auto n = ring.size();
  ExchangeStep s;
  s.flows.push_back({ring[(position + 1) % n], bytes, true});
  s.flows.push_back({ring[(position + n - 1) % n], bytes, false});
  return s;
}

// The group's members by node, keeping ring order, and self's place among its node's members.
struct NodeGroups {
  std::map<int, std::vector<std::int32_t>> by_node;
  std::size_t place = 0;
  double local = 1.0;
  double nodes = 1.0;
  // Across nodes, between the members at self's place in their node.
  std::vector<std::int32_t> same_place() const {
    std::vector<std::int32_t> ring;
    for (const auto& [node, members] : by_node) ring.push_back(members[std::min(place, members.size() - 1)]);
    return ring;
  }
};

NodeGroups node_groups(const std::vector<std::int32_t>& group, std::int32_t self, const Topology& topo) {
  NodeGroups g;
  for (const auto m : group) g.by_node[topo.node_of(m)].push_back(m);
  const auto& mine = g.by_node[topo.node_of(self)];
  g.place = static_cast<std::size_t>(std::find(mine.begin(), mine.end(), self) - mine.begin());
  g.local = static_cast<double>(mine.size());
  g.nodes = static_cast<double>(g.by_node.size());
  return g;
}

std::optional<ExchangeStep> intra_node_step(const NodeGroups& g, std::int32_t self, const Topology& topo, Bytes total) {
  if (g.local <= 1.0) return std::nullopt;
  const Bytes share = total.scaled((g.local - 1.0) / g.local / g.nodes);
  return ring_step(g.by_node.at(topo.node_of(self)), self, share);
}

ExchangeStep inter_node_ring_step(const NodeGroups& g, std::int32_t self, Bytes total) {
  const Bytes share = total.scaled((g.nodes - 1.0) / g.nodes / g.local);
  return ring_step(g.same_place(), self, share);
}

// Double binary tree over `members` (NCCL): tree A in heap order, tree B over the mirrored
// order, each carrying half of `bytes`. `up`: the reduction (to parents), else the broadcast.
ExchangeStep tree_step(const std::vector<std::int32_t>& members, std::int32_t self, Bytes bytes, bool up) {
  const auto n = static_cast<std::int64_t>(members.size());
  const auto i = static_cast<std::int64_t>(std::find(members.begin(), members.end(), self) - members.begin());
  const Bytes half = bytes.scaled(0.5);
  ExchangeStep s;
  for (const bool mirrored : {false, true}) {
    const auto at = [&](std::int64_t heap) { return members[static_cast<std::size_t>(mirrored ? n - 1 - heap : heap)]; };
    const std::int64_t me = mirrored ? n - 1 - i : i;
    if (me > 0) s.flows.push_back({at((me - 1) / 2), half, up});
    for (const std::int64_t child : {2 * me + 1, 2 * me + 2}) {
      if (child < n) s.flows.push_back({at(child), half, !up});
    }
  }
  return s;
}

std::vector<ExchangeStep> ring_exchange_steps(const std::vector<std::int32_t>& group, std::int32_t self, Bytes total,
                                              const CollectiveContext& ctx) {
  std::vector<ExchangeStep> steps;
  if (group.size() <= 1) return steps;
  const auto g = node_groups(group, self, ctx.topology);
  if (const auto intra = intra_node_step(g, self, ctx.topology, total)) steps.push_back(*intra);
  if (g.nodes > 1.0) steps.push_back(inter_node_ring_step(g, self, total));
  return steps;
}

std::vector<ExchangeStep> all_reduce_steps(const std::vector<std::int32_t>& group, std::int32_t self, Bytes total,
                                           CollectiveAlgorithm algorithm, const CollectiveContext& ctx) {
  std::vector<ExchangeStep> steps;
  if (group.size() <= 1) return steps;
  const auto g = node_groups(group, self, ctx.topology);
  const auto intra = intra_node_step(g, self, ctx.topology, total);
  if (intra) steps.push_back(*intra);
  if (g.nodes > 1.0) {
    if (algorithm == CollectiveAlgorithm::double_binary_tree) {
      const Bytes share = total.scaled(1.0 / g.local);
      steps.push_back(tree_step(g.same_place(), self, share, true));
      steps.push_back(tree_step(g.same_place(), self, share, false));
    } else {
      steps.push_back(inter_node_ring_step(g, self, total));
      steps.push_back(inter_node_ring_step(g, self, total));
    }
  }
  if (intra) steps.push_back(*intra);
  return steps;
}

// Ring attention's p2p ring: group size - 1 hops of one shard each, in lockstep, so every hop
// takes as long as the ring's slowest. With every rank simulated the lockstep emerges from
// the hops' order; a reduced run simulates one member, which stands in for the slowest hop:
// its shard crosses to the next member on another node when the ring spans nodes.
std::vector<ExchangeStep> context_ring_steps(const std::vector<std::int32_t>& group, std::int32_t self, Bytes shard,
                                             const CollectiveContext& ctx) {
  std::vector<ExchangeStep> steps;
  if (group.size() <= 1) return steps;
  ExchangeStep hop = ring_step(group, self, shard);
  if (ctx.ranks.fidelity() == Fidelity::reduced) {
    const auto position = static_cast<std::size_t>(std::find(group.begin(), group.end(), self) - group.begin());
    for (std::size_t k = 1; k < group.size(); ++k) {
      const auto peer = group[(position + k) % group.size()];
      if (ctx.topology.node_of(peer) != ctx.topology.node_of(self)) {
        hop.flows.front().peer = peer;
        break;
      }
    }
  }
  steps.assign(group.size() - 1, hop);
  return steps;
}

// The latency a step's flows already pay on their routes: the slowest of them, as they run at
// once.
Seconds route_latency(const ExchangeStep& step, std::int32_t self, const Topology& topology) {
  Seconds slowest(0);
  for (const auto& f : step.flows) {
    Seconds route(0);
    for (const int link : topology.route(self, f.peer)) route += topology.links()[static_cast<std::size_t>(link)].latency;
    slowest = max(slowest, route);
  }
  return slowest;
}

// NCCL's protocol on the wire: every flow carries its payload times the step's wire factor,
// and what NCCL's latency exceeds the routes' own is paid once, before the first exchange.
void apply_protocol(const CollectiveStep& s, std::int32_t self, const Topology& topology, std::vector<ExchangeStep>& steps) {
  if (steps.empty()) return;
  Seconds routes(0);
  for (auto& step : steps) {
    for (auto& f : step.flows) f.bytes = f.bytes.scaled(s.wire_factor);
    routes += route_latency(step, self, topology);
  }
  steps.front().extra_latency = max(Seconds(0), s.latency - routes);
}

}  // namespace

std::vector<ExchangeStep> exchange_steps(const AllToAllStep& s, std::int32_t self, const CollectiveContext& ctx) {
  const auto& topo = ctx.topology;
  const bool node_limited = s.node_limited;
  const auto members = ctx.ranks.group(CommGroup::expert, self);
  std::map<int, std::vector<std::int32_t>> by_node;
  for (const auto g : members) by_node[topo.node_of(g)].push_back(g);
  const auto& mine = by_node[topo.node_of(self)];
  const auto place = static_cast<std::size_t>(std::find(mine.begin(), mine.end(), self) - mine.begin());
  std::vector<std::int32_t> remote;
  std::vector<std::int32_t> local;
  for (const auto& [node, node_members] : by_node) {
    if (node == topo.node_of(self)) {
      for (const auto g : node_members) {
        if (g != self) local.push_back(g);
      }
    } else if (node_limited) {
      remote.push_back(node_members[std::min(place, node_members.size() - 1)]);  // same in-node index
    } else {
      remote.insert(remote.end(), node_members.begin(), node_members.end());
    }
  }
  ExchangeStep step;
  const auto add = [&](const std::vector<std::int32_t>& peers, Bytes total) {
    if (peers.empty() || total.count() == 0) return;
    const Bytes each = total.scaled(1.0 / static_cast<double>(peers.size()));
    for (const auto peer : peers) {
      step.flows.push_back({peer, each, true});
      step.flows.push_back({peer, each, false});
    }
  };
  add(remote, s.scale_out);
  add(local, s.scale_up);
  return {step};
}

std::vector<ExchangeStep> exchange_steps(const CollectiveStep& s, std::int32_t self, const CollectiveContext& ctx) {
  const auto members = ctx.ranks.group(s.group, self);
  std::vector<ExchangeStep> steps;
  switch (s.collective) {
    case Collective::all_gather:
    case Collective::reduce_scatter: steps = ring_exchange_steps(members, self, s.payload, ctx); break;
    case Collective::all_reduce: steps = all_reduce_steps(members, self, s.payload, s.algorithm, ctx); break;
    case Collective::ring_pass: return context_ring_steps(members, self, s.payload, ctx);
  }
  apply_protocol(s, self, ctx.topology, steps);
  return steps;
}

std::vector<ExchangeStep> exchange_steps(const LayerStep& s, std::int32_t self, const CollectiveContext& ctx) {
  return std::visit(
      [&](const auto& work) -> std::vector<ExchangeStep> {
        if constexpr (std::is_same_v<std::decay_t<decltype(work)>, KernelStep>) {
          return {};
        } else {
          return exchange_steps(work, self, ctx);
        }
      },
      s.work);
}

Channel channel_of(const LayerStep& s) {
  if (std::holds_alternative<AllToAllStep>(s.work)) return Channel::expert;
  const auto* c = std::get_if<CollectiveStep>(&s.work);
  return c != nullptr && c->group == CommGroup::context ? Channel::context : Channel::tensor;
}

}  // namespace trainsim
