#include "models/communication.hpp"

#include <algorithm>

namespace trainsim {

std::string_view to_string(CommGroup g) {
  switch (g) {
    case CommGroup::tensor: return "tensor";
    case CommGroup::context: return "context";
    case CommGroup::expert_tensor: return "expert_tensor";
    case CommGroup::expert: return "expert";
    case CommGroup::data: return "data";
    case CommGroup::expert_data: return "expert_data";
    case CommGroup::pipeline: return "pipeline";
  }
  return "?";
}

std::string_view to_string(Collective c) {
  switch (c) {
    case Collective::all_gather: return "all_gather";
    case Collective::reduce_scatter: return "reduce_scatter";
    case Collective::all_reduce: return "all_reduce";
    case Collective::ring_pass: return "ring_pass";
  }
  return "?";
}

std::string_view to_string(CollectiveAlgorithm a) {
  switch (a) {
    case CollectiveAlgorithm::ring: return "ring";
    case CollectiveAlgorithm::double_binary_tree: return "double_binary_tree";
  }
  return "?";
}

std::string_view to_string(Protocol p) {
  switch (p) {
    case Protocol::ll: return "LL";
    case Protocol::ll128: return "LL128";
    case Protocol::simple: return "Simple";
  }
  return "?";
}

std::string_view to_string(AllToAllPhase p) { return p == AllToAllPhase::dispatch ? "dispatch" : "combine"; }

namespace {
// A group of `ranks` whose consecutive members are `stride` global ranks apart.
GroupLayout strided_group(std::int64_t ranks, std::int64_t stride, const ClusterSpec& c) {
  GroupLayout g;
  g.ranks = ranks;
  stride = std::max<std::int64_t>(stride, 1);
  g.ranks_per_node = std::clamp<std::int64_t>(c.gpus_per_node / stride, 1, ranks);
  const std::int64_t span_nodes = std::max<std::int64_t>(1, ranks * stride / c.gpus_per_node);
  g.crosses_leaves = span_nodes > c.nodes_per_leaf();
  return g;
}
}  // namespace

GroupLayout group_layout(CommGroup group, const ParallelPlan& p, const ClusterSpec& c) {
  switch (group) {
    case CommGroup::tensor: return strided_group(p.tensor, 1, c);
    case CommGroup::context: return strided_group(p.context, p.tensor, c);
    // Context-parallel ranks hold the same weights: gradients are reduced over data x context.
    case CommGroup::data: return strided_group(p.data * p.context, p.tensor, c);
    // Folded expert groups: expert tensor innermost over the stage's ranks, then expert, then
    // expert data (Megatron-Core's "tp-ep-dp" order for the MoE layers).
    case CommGroup::expert_tensor: return strided_group(p.expert_tensor_degree(), 1, c);
    case CommGroup::expert: return strided_group(p.expert, p.expert_tensor_degree(), c);
    case CommGroup::expert_data:
      return strided_group(p.expert_data_parallel(), p.expert_tensor_degree() * p.expert, c);
    case CommGroup::pipeline: return strided_group(p.pipeline, p.tensor * p.context * p.data, c);
  }
  return {};
}

}  // namespace trainsim
