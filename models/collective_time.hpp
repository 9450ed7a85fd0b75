#pragma once
// Contention-free (alpha-beta) durations of communication steps on achieved link bandwidths:
// what the closed-form estimate charges, and where each collective's algorithm is chosen. The
// engine's collective lowering expands the same algorithms into flows, and a differential test
// holds the two together where nothing contends.
#include <array>
#include <cstdint>

#include "hardware/cluster_spec.hpp"
#include "hardware/kernel_time_model.hpp"
#include "models/communication.hpp"

namespace trainsim {

// Achieved per-direction bandwidths of one GPU's links, and message latencies.
struct LinkRates {
  BytesPerSecond scale_up;   // NVLink-class, to one peer
  BytesPerSecond scale_out;  // NIC(s) of one GPU
  Seconds scale_up_latency;
  Seconds scale_out_latency;
  double oversubscription = 1.0;  // slowdown of traffic that crosses leaf up-links
};

LinkRates link_rates(const ClusterSpec& cluster, const KernelTimeModel& kernels);

// Levels of a binary tree over `members` (heap order): the hops a tree reduction climbs.
int tree_depth(std::int64_t members);

// A collective on a group laid out as `layout`. Ring reduce-scatter and all-gather run inside
// nodes over scale-up, then across nodes over scale-out; an all-reduce is a reduce-scatter and
// an all-gather, across nodes by ring or by double binary tree; a ring pass is one shard per hop.
Seconds collective_time(const CollectiveStep& step, const GroupLayout& layout, const LinkRates& rates);
// The all-reduce algorithm NCCL's tuner would pick for the size: the double binary tree where
// its 2 x depth latencies beat the ring's 2 (N - 1), across three or more nodes.
CollectiveAlgorithm all_reduce_algorithm(Bytes total, const GroupLayout& layout, const LinkRates& rates);

// A plan's groups as they sit on a cluster, and its link rates: what builds communication steps
// (choosing their algorithm once) and prices them.
class CommunicationModel {
 public:
  CommunicationModel(const ParallelPlan& plan, const ClusterSpec& cluster, const LinkRates& rates);

  [[nodiscard]] const GroupLayout& layout(CommGroup group) const { return layouts_[static_cast<std::size_t>(group)]; }
  [[nodiscard]] const LinkRates& rates() const { return rates_; }

  // A collective of `payload` bytes on `group`, with its algorithm.
  [[nodiscard]] CollectiveStep collective(Collective collective, CommGroup group, Bytes payload) const;
  [[nodiscard]] Seconds time(const CollectiveStep& step) const;
  // NVLink forwarding and fabric sends run at the same time (DeepEP overlaps them): the slower
  // path sets the pace.
  [[nodiscard]] Seconds time(const AllToAllStep& step) const;
  // One point-to-point message from pipeline stage `from` to stage `to`: across the fabric
  // where the two sit on different nodes, else over NVLink.
  [[nodiscard]] Seconds pipeline_hop_time(Bytes payload, int from, int to) const;

 private:
  std::array<GroupLayout, kCommGroupCount> layouts_{};
  LinkRates rates_;
};

}  // namespace trainsim
