#include "models/nccl_tuning.hpp"

#include <algorithm>
#include <array>

namespace trainsim {
namespace {

// NVIDIA/nccl v2.30.7-1 (commit 73cf112295c33aee2b895f329f592f2a9b4b0f97), src/graph/tuning.cc,
// microseconds, indexed by protocol {LL, LL128, Simple}:
//   baseLatencies (lines 150-155): tree {6.8, 14.0, 8.4}, ring {6.6, 14.0, 8.4};
//   hwLatencies (lines 157-176): NVLink tree {.6, 1.25, 4}, ring {.6, 1.9, 3.4}; PCI tree
//   {1.0, 1.9, 4.0}, ring {1.0, 2.5, 5.7}; network tree {5.0, 8.5, 14}, ring {2.7, 4.0, 14}.
using PerProtocol = std::array<double, 3>;
constexpr PerProtocol kBaseTree{6.8, 14.0, 8.4};
constexpr PerProtocol kBaseRing{6.6, 14.0, 8.4};
constexpr PerProtocol kNvlinkTree{0.6, 1.25, 4.0};
constexpr PerProtocol kNvlinkRing{0.6, 1.9, 3.4};
constexpr PerProtocol kPcieTree{1.0, 1.9, 4.0};
constexpr PerProtocol kPcieRing{1.0, 2.5, 5.7};
constexpr PerProtocol kNetTree{5.0, 8.5, 14.0};
constexpr PerProtocol kNetRing{2.7, 4.0, 14.0};
// getNetOverhead (lines 225-233): each step of a ring that spans nodes costs at least the
// proxy's 1 us (x86 Intel and other hosts; 2 us on AMD), three times that under Simple.
constexpr double kNetOverhead = 1.0;
constexpr double kSimpleNetOverheadFactor = 3.0;
// ncclTopoGetAlgoTime (lines 647-650): a ring Simple all-reduce across nodes pays 1.4 x its
// latency once it carries 64 bytes per channel and rank (SM80 and later; NCCL's "plateau").
// Charged here at every size: below that (kilobytes) Simple never wins anyway.
constexpr double kRingSimplePlateau = 1.4;
// Lines 327-337: ring LL at 0.5 and LL128 at 0.92 of the links; the tree at 0.92, its LL a
// further 1/3.8, its LL128 120/128 across nodes.
constexpr PerProtocol kRingShare{0.5, 0.92, 1.0};
constexpr PerProtocol kTreeShare{0.92 / 3.8, 0.92 * 120.0 / 128.0, 0.92};
// llMaxBws (lines 177-183), the row NCCL uses across nodes on x86 hosts, GB/s: two nodes, three
// or more.
constexpr double kLlCeilingTwoNodes = 39.0;
constexpr double kLlCeilingMoreNodes = 20.4;

std::size_t index(Protocol p) { return static_cast<std::size_t>(p); }
Seconds microseconds(double us) { return Seconds(us * 1e-6); }

int floor_log2(std::int64_t v) {
  int log = 0;
  while (v > 1) {
    v >>= 1;
    ++log;
  }
  return log;
}

Seconds ring_latency(Collective c, Protocol p, const GroupLayout& g, IntraNodeLink intra) {
  const double ranks = static_cast<double>(g.ranks);
  const double nodes = static_cast<double>(g.nodes());
  const double passes = c == Collective::all_reduce ? 2.0 : 1.0;
  const double steps = passes * (ranks - 1.0);
  const double inter_steps = passes * (nodes - 1.0);
  double intra_hop = (intra == IntraNodeLink::nvlink ? kNvlinkRing : kPcieRing)[index(p)];
  if (nodes > 1.0) {
    intra_hop = std::max(intra_hop, kNetOverhead * (p == Protocol::simple ? kSimpleNetOverheadFactor : 1.0));
  }
  // With one GPU per node every step is exposed: NCCL charges the tree's network latency.
  const double inter_hop = (g.ranks_per_node == 1 ? kNetTree : kNetRing)[index(p)];
  double us = kBaseRing[index(p)] + (steps - inter_steps) * intra_hop + inter_steps * inter_hop;
  if (c == Collective::all_reduce && nodes > 1.0 && p == Protocol::simple) us *= kRingSimplePlateau;
  return microseconds(us);
}

Seconds tree_latency(Protocol p, const GroupLayout& g, IntraNodeLink intra) {
  const double chain = static_cast<double>(g.ranks_per_node - 1);
  const double levels = floor_log2(g.nodes());
  const double intra_hop = (intra == IntraNodeLink::nvlink ? kNvlinkTree : kPcieTree)[index(p)];
  return microseconds(kBaseTree[index(p)] + 2.0 * (chain * intra_hop + levels * kNetTree[index(p)]));
}

}  // namespace

Seconds nccl_latency(Collective collective, CollectiveAlgorithm algorithm, Protocol protocol, const GroupLayout& layout,
                     IntraNodeLink intra) {
  if (layout.ranks <= 1 || collective == Collective::ring_pass) return Seconds(0);
  return algorithm == CollectiveAlgorithm::double_binary_tree ? tree_latency(protocol, layout, intra)
                                                              : ring_latency(collective, protocol, layout, intra);
}

double nccl_payload_share(CollectiveAlgorithm algorithm, Protocol protocol) {
  return (algorithm == CollectiveAlgorithm::double_binary_tree ? kTreeShare : kRingShare)[index(protocol)];
}

std::optional<BytesPerSecond> nccl_ll_bus_ceiling(const GroupLayout& layout) {
  if (layout.nodes() <= 1) return std::nullopt;
  return BytesPerSecond((layout.nodes() == 2 ? kLlCeilingTwoNodes : kLlCeilingMoreNodes) * 1e9);
}

}  // namespace trainsim
