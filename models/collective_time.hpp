#pragma once
// Contention-free (alpha-beta) durations of collectives on achieved link bandwidths: what the
// closed-form estimate charges. The engine's collective lowering expands the same algorithms
// into flows, and a differential test holds the two together where nothing contends.
#include <cstdint>

#include "hardware/cluster_spec.hpp"
#include "hardware/kernel_time_model.hpp"
#include "models/layer_costs.hpp"

namespace trainsim {

// Where a communication group's ranks sit: how many share a node and how many nodes it spans.
struct GroupLayout {
  std::int64_t ranks = 1;
  std::int64_t ranks_per_node = 1;
  bool crosses_leaves = false;  // its nodes hang off more than one leaf switch
  [[nodiscard]] std::int64_t nodes() const { return (ranks + ranks_per_node - 1) / ranks_per_node; }
};

// Achieved per-direction bandwidths of one GPU's links, and message latencies.
struct LinkRates {
  BytesPerSecond scale_up;   // NVLink-class, to one peer
  BytesPerSecond scale_out;  // NIC(s) of one GPU
  Seconds scale_up_latency;
  Seconds scale_out_latency;
  double oversubscription = 1.0;  // slowdown of traffic that crosses leaf up-links
};

LinkRates link_rates(const ClusterSpec& cluster, const KernelTimeModel& kernels);

// Ring reduce-scatter or all-gather of a `total` tensor over `group`: hierarchical (inside
// nodes over scale-up, then across nodes over scale-out) when the group spans nodes.
Seconds ring_gather_time(Bytes total, const GroupLayout& group, const LinkRates& rates);
// All-reduce: reduce-scatter + all-gather inside nodes; across nodes a ring or, where its
// 2 x depth latencies beat the ring's 2 (N - 1) for the size (NCCL's tuner makes the same
// trade), a double binary tree.
Seconds all_reduce_time(Bytes total, const GroupLayout& group, const LinkRates& rates);
bool tree_all_reduce_is_faster(Bytes total, const GroupLayout& group, const LinkRates& rates);
// Levels of a binary tree over `members` (heap order): the hops a tree reduction climbs.
int tree_depth(std::int64_t members);
// A layer communication step (TP/CP collective or MoE all-to-all) on this cluster.
Seconds layer_step_comm_time(const LayerStep& step, const ParallelPlan& plan, const ClusterSpec& cluster,
                             const LinkRates& rates);
// The groups of a plan as they are laid out: Megatron order, tensor innermost, then context,
// then data, then pipeline; experts come from the flattened context x data index.
GroupLayout tensor_group(const ParallelPlan& plan, const ClusterSpec& cluster);
GroupLayout context_group(const ParallelPlan& plan, const ClusterSpec& cluster);
GroupLayout data_group(const ParallelPlan& plan, const ClusterSpec& cluster);
GroupLayout expert_data_group(const ParallelPlan& plan, const ClusterSpec& cluster);
GroupLayout expert_group(const ParallelPlan& plan, const ClusterSpec& cluster);

}  // namespace trainsim
