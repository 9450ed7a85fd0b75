#pragma once
// One collective lowering shared by every backend: a collective becomes, for each rank, the
// flows it sends and receives in exchange steps. Ring reduce-scatter and all-gather run inside
// nodes over scale-up links, then across nodes between GPUs at the same place in their node;
// all-reduce crosses nodes by ring or double binary tree (the algorithms
// models/collective_time.cpp prices); ring attention passes shards hop by hop; MoE dispatch
// and combine send one fabric copy per selected node plus NVLink forwarding (node-limited) or
// one copy per destination rank (flat, pairwise).
#include <cstdint>
#include <vector>

#include "hardware/topology.hpp"
#include "models/collective_time.hpp"
#include "models/layer_costs.hpp"
#include "sim/rank_layout.hpp"
#include "sim/workload.hpp"

namespace trainsim {

struct PeerFlow {
  std::int32_t peer = 0;  // global rank
  Bytes bytes;
  bool outgoing = true;
};

struct ExchangeStep {
  std::vector<PeerFlow> flows;
  Seconds extra_latency;  // ring hops beyond the one a flow's route already charges
};

struct CollectiveContext {
  const RankLayout& ranks;
  const Topology& topology;
  LinkRates rates;  // latencies per hop, and the rates the all-reduce algorithm is chosen on
};

// Ring reduce-scatter (or all-gather) of a `total`-byte tensor over `group` (ring order) for
// rank `self`.
std::vector<ExchangeStep> ring_exchange_steps(const std::vector<std::int32_t>& group, std::int32_t self, Bytes total,
                                              const CollectiveContext& ctx);
// All-reduce: inside nodes a ring reduce-scatter and all-gather; across nodes the ring or
// double binary tree that models/collective_time.cpp picks.
std::vector<ExchangeStep> all_reduce_steps(const std::vector<std::int32_t>& group, std::int32_t self, Bytes total,
                                           const CollectiveContext& ctx);
// The exchange steps of a layer communication step for rank `self`.
std::vector<ExchangeStep> layer_exchange_steps(const LayerStep& step, std::int32_t self, const CollectiveContext& ctx,
                                               bool node_limited);
Channel channel_of(CommGroup group);

}  // namespace trainsim
