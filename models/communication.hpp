#pragma once
// The communication of a training step as data: which group of ranks talks, which collective
// or all-to-all it runs, by which algorithm and with how many bytes. The closed form prices
// these steps (models/collective_time) and sim/ expands them into flows
// (sim/collective_lowering); both read the group and the algorithm from the step, neither
// chooses them again.
#include <cstdint>
#include <string_view>

#include "core/units.hpp"
#include "hardware/cluster_spec.hpp"
#include "models/parallel_plan.hpp"

namespace trainsim {

// The groups a plan's ranks talk in. Megatron order: tensor innermost, then context, then
// data, then pipeline. The MoE layers fold their own groups over a stage's tensor x context x
// data ranks (Liu et al., arXiv:2504.14960): expert tensor innermost, then expert, then expert
// data, the replicas of one expert shard.
enum class CommGroup { tensor, context, expert_tensor, expert, data, expert_data, pipeline };
inline constexpr int kCommGroupCount = 7;
std::string_view to_string(CommGroup g);

enum class Collective {
  all_gather,
  reduce_scatter,
  all_reduce,
  // Ring attention's key/value ring: each member passes one shard on, group size - 1 hops in
  // lockstep, so every hop is as slow as the ring's slowest.
  ring_pass,
};
std::string_view to_string(Collective c);

enum class CollectiveAlgorithm {
  ring,                // inside nodes over scale-up links, then across nodes between GPUs at the same place
  double_binary_tree,  // all-reduce: rings inside nodes, NCCL's two binary trees across them
};
std::string_view to_string(CollectiveAlgorithm a);

// NCCL's protocols: LL and LL128 write data with its flags (low latency, part of each line is
// flag), Simple moves plain data behind a flag per step (the most bandwidth, more latency).
enum class Protocol { ll, ll128, simple };
std::string_view to_string(Protocol p);

// A collective as CommunicationModel::collective chose it (models/collective_time).
struct CollectiveStep {
  Collective collective = Collective::all_gather;
  CommGroup group = CommGroup::tensor;
  CollectiveAlgorithm algorithm = CollectiveAlgorithm::ring;
  Bytes payload;  // the whole (gathered or reduced) tensor; ring_pass: one shard
  Protocol protocol = Protocol::simple;
  // What the step costs beyond its bytes' time on the links (NCCL's latency of its algorithm
  // and protocol), and the bytes its protocol puts on the wire per payload byte.
  Seconds latency;
  double wire_factor = 1.0;
};

enum class AllToAllPhase { dispatch, combine };
std::string_view to_string(AllToAllPhase p);

// An MoE all-to-all over the expert group.
struct AllToAllStep {
  AllToAllPhase phase = AllToAllPhase::dispatch;
  // DeepSeek's node-limited routing: one fabric copy per selected node to the GPU at the same
  // place, which forwards it over NVLink; otherwise a flat pairwise exchange.
  bool node_limited = false;
  Bytes scale_out;  // bytes this rank sends over its NIC (and, balanced, receives)
  Bytes scale_up;   // bytes this rank sends over NVLink-class links
};

// Where a communication group's ranks sit: how many share a node and how many nodes it spans.
struct GroupLayout {
  std::int64_t ranks = 1;
  std::int64_t ranks_per_node = 1;
  bool crosses_leaves = false;  // its nodes hang off more than one leaf switch
  [[nodiscard]] std::int64_t nodes() const { return (ranks + ranks_per_node - 1) / ranks_per_node; }
};

// The layout of `group` under `plan` on `cluster`.
GroupLayout group_layout(CommGroup group, const ParallelPlan& plan, const ClusterSpec& cluster);

}  // namespace trainsim
