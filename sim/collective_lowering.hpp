#pragma once
// One collective lowering shared by every backend: a communication step becomes, for each
// rank, the flows it sends and receives in exchange steps, on the group and by the algorithm
// the step names. Ring reduce-scatter and all-gather run inside nodes over scale-up links, then
// across nodes between GPUs at the same place in their node; all-reduce crosses nodes by ring
// or double binary tree (the algorithms models/collective_time.cpp prices); ring attention
// passes shards hop by hop; MoE dispatch and combine send one fabric copy per selected node
// plus NVLink forwarding (node-limited) or one copy per destination rank (flat, pairwise).
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
  Seconds extra_latency;  // NCCL latency beyond what the flows' routes already charge
};

struct CollectiveContext {
  const RankLayout& ranks;
  const Topology& topology;
  LinkRates rates;  // latencies per hop
};

// The exchange steps of `step` for rank `self`, over self's group of the step's kind.
std::vector<ExchangeStep> exchange_steps(const CollectiveStep& step, std::int32_t self, const CollectiveContext& ctx);
std::vector<ExchangeStep> exchange_steps(const AllToAllStep& step, std::int32_t self, const CollectiveContext& ctx);
// The exchange steps of a layer's communication step (none for a kernel).
std::vector<ExchangeStep> exchange_steps(const LayerStep& step, std::int32_t self, const CollectiveContext& ctx);
// The channel a layer's communication uses between two GPUs.
Channel channel_of(const LayerStep& step);

}  // namespace trainsim
