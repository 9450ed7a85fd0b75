#include "sim/collective_lowering.hpp"

#include <algorithm>
#include <map>

namespace trainsim {

Channel channel_of(CommGroup group) {
  switch (group) {
    case CommGroup::tensor: return Channel::tensor;
    case CommGroup::context: return Channel::context;
    case CommGroup::expert: return Channel::expert;
  }
  return Channel::expert;
}

namespace {

// A ring step: send `bytes` to the next member, receive as much from the previous one.
ExchangeStep ring_step(const std::vector<std::int32_t>& ring, std::int32_t self, Bytes bytes, Seconds extra) {
  const auto it = std::find(ring.begin(), ring.end(), self);
  const auto position = static_cast<std::size_t>(it - ring.begin());
  const auto n = ring.size();
  ExchangeStep s;
  s.flows.push_back({ring[(position + 1) % n], bytes, true});
  s.flows.push_back({ring[(position + n - 1) % n], bytes, false});
  s.extra_latency = extra;
  return s;
}

}  // namespace

std::vector<ExchangeStep> ring_exchange_steps(const std::vector<std::int32_t>& group, std::int32_t self, Bytes total,
                                              const CollectiveContext& ctx) {
  std::vector<ExchangeStep> steps;
  if (group.size() <= 1) return steps;
  const auto& topo = ctx.topology;
  // Group members by node, keeping ring order.
  std::map<int, std::vector<std::int32_t>> by_node;
  for (const auto g : group) by_node[topo.node_of(g)].push_back(g);
  const auto& mine = by_node[topo.node_of(self)];
  const auto local = static_cast<double>(mine.size());
  const auto nodes = static_cast<double>(by_node.size());
  if (mine.size() > 1) {
    const Bytes share = total.scaled((local - 1.0) / local / nodes);
    steps.push_back(ring_step(mine, self, share, ctx.scale_up_latency * std::max(0.0, local - 2.0)));
  }
  if (by_node.size() > 1) {
    // Across nodes, between the members at the same place in their node.
    const auto place = static_cast<std::size_t>(std::find(mine.begin(), mine.end(), self) - mine.begin());
    std::vector<std::int32_t> ring;
    for (const auto& [node, members] : by_node) ring.push_back(members[std::min(place, members.size() - 1)]);
    const Bytes share = total.scaled((nodes - 1.0) / nodes / local);
    steps.push_back(ring_step(ring, self, share, ctx.scale_out_latency * std::max(0.0, nodes - 2.0)));
  }
  return steps;
}

namespace {

// Ring attention's p2p ring: group size - 1 hops of one shard each, in lockstep, so every hop
// takes as long as the ring's slowest. With every rank simulated the lockstep emerges from
// the hops' order; a reduced run simulates one member, which stands in for the slowest hop:
// its shard crosses to the next member on another node when the ring spans nodes.
std::vector<ExchangeStep> context_ring_steps(const std::vector<std::int32_t>& group, std::int32_t self, Bytes shard,
                                             const CollectiveContext& ctx) {
  std::vector<ExchangeStep> steps;
  if (group.size() <= 1) return steps;
  ExchangeStep hop = ring_step(group, self, shard, Seconds(0));
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

std::vector<ExchangeStep> all_to_all(const LayerStep& s, std::int32_t self, const CollectiveContext& ctx, bool node_limited) {
  const auto& topo = ctx.topology;
  const auto members = ctx.ranks.expert_group(self);
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
  add(remote, s.scale_out_bytes);
  add(local, s.scale_up_bytes);
  return {step};
}

}  // namespace

std::vector<ExchangeStep> layer_exchange_steps(const LayerStep& s, std::int32_t self, const CollectiveContext& ctx,
                                               bool node_limited) {
  switch (s.collective) {
    case Collective::all_gather:
    case Collective::reduce_scatter: return ring_exchange_steps(ctx.ranks.tensor_group(self), self, s.payload, ctx);
    case Collective::all_reduce: {
      auto steps = ring_exchange_steps(ctx.ranks.tensor_group(self), self, s.payload, ctx);
      const auto again = steps;
      steps.insert(steps.end(), again.begin(), again.end());
      return steps;
    }
    case Collective::ring_exchange: return context_ring_steps(ctx.ranks.context_group(self), self, s.payload, ctx);
    case Collective::moe_dispatch:
    case Collective::moe_combine: return all_to_all(s, self, ctx, node_limited);
  }
  return {};
}

}  // namespace trainsim
