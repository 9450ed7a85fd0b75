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
#include "models/nccl_tuning.hpp"

namespace trainsim {

// Achieved per-direction bandwidths of one GPU's links, and message latencies.
struct LinkRates {
  BytesPerSecond scale_up;   // NVLink-class, to one peer
  BytesPerSecond scale_out;  // NIC(s) of one GPU
  Seconds scale_up_latency;  // point-to-point messages; collectives pay NCCL's latencies
  Seconds scale_out_latency;
  double oversubscription = 1.0;  // slowdown of traffic that crosses leaf up-links
  IntraNodeLink intra = IntraNodeLink::nvlink;
};

LinkRates link_rates(const ClusterSpec& cluster, const KernelTimeModel& kernels);

// The time of a collective's bytes on the links of a group laid out as `layout`, at the full
// link rates: ring reduce-scatter and all-gather run inside nodes over scale-up, then across
// nodes over scale-out; an all-reduce is a reduce-scatter and an all-gather, across nodes by
// ring or by double binary tree; a ring pass is one shard per hop, its message latencies
// included (a point-to-point ring, not an NCCL collective).
Seconds transfer_time(Collective collective, CollectiveAlgorithm algorithm, Bytes payload, const GroupLayout& layout,
                      const LinkRates& rates);
// A collective on `layout` by NCCL's choice: of the algorithms it may take (the double binary
// tree for an all-reduce across three or more nodes, else the ring) and the three protocols,
// the pair whose NCCL latency plus transfer time at the protocol's payload share is least.
CollectiveStep choose_collective(Collective collective, CommGroup group, Bytes payload, const GroupLayout& layout,
                                 const LinkRates& rates);
// A chosen step's time: its latency and its transfer time on the wire.
Seconds collective_time(const CollectiveStep& step, const GroupLayout& layout, const LinkRates& rates);

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
