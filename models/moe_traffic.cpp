#include "models/moe_traffic.hpp"

#include <algorithm>
#include <cmath>

namespace trainsim {
namespace {

// Probability that none of `picks` experts drawn without replacement from `pool` lands in a
// set of `set` experts: C(pool - set, picks) / C(pool, picks).
double miss_probability(double pool, double set, double picks) {
  if (picks <= 0.0) return 1.0;
  if (set >= pool) return 0.0;
  double p = 1.0;
  const auto whole_picks = static_cast<int>(std::floor(picks));
  for (int i = 0; i < whole_picks; ++i) p *= (pool - set - i) / (pool - i);
  const double fraction = picks - whole_picks;  // an average that is not an integer
  if (fraction > 0.0) p *= 1.0 - fraction * set / (pool - whole_picks);
  return std::max(p, 0.0);
}

}  // namespace

Bytes token_wire_bytes(std::int64_t hidden, Precision precision) {
  if (precision == Precision::fp8) return Bytes(hidden + (hidden / 128) * 4);
  return Bytes(hidden * bytes_per_element(precision));
}

MoeTraffic moe_traffic(const ModelSpec& model, const ParallelPlan& plan, const ClusterSpec& cluster,
                       std::int64_t tokens, Precision dispatch_precision) {
  MoeTraffic t;
  if (!model.moe || plan.expert <= 1) return t;
  const auto& moe = *model.moe;
  // The folded expert group: consecutive members are expert-tensor ranks apart.
  const auto layout = group_layout(CommGroup::expert, plan, cluster);
  const double experts = static_cast<double>(moe.num_routed_experts);
  const double k = static_cast<double>(moe.top_k);
  const double nodes = static_cast<double>(layout.nodes());
  const double per_rank = experts / static_cast<double>(layout.ranks);
  const double per_node = experts / nodes;
  const double node_gpus = static_cast<double>(layout.ranks_per_node);
  const bool limited = moe.max_nodes_per_token > 0 && moe.max_nodes_per_token < layout.nodes();
  t.hierarchical = limited;

  double scale_up_copies = 0.0;
  if (limited) {
    // A token goes to exactly M of the group's nodes, each chosen with probability M/N.
    const double m = static_cast<double>(moe.max_nodes_per_token);
    t.remote_nodes_per_token = m * (nodes - 1.0) / nodes;
    // At each selected node the token reaches k/M experts; the receiving GPU forwards it to
    // each other GPU of the node hosting one of them.
    const double picks = k / m;
    scale_up_copies = m * (node_gpus - 1.0) * (1.0 - miss_probability(per_node, per_rank, picks));
  } else {
    // Flat all-to-all: one copy per destination rank that hosts at least one chosen expert.
    const double rank_hit = 1.0 - miss_probability(experts, per_rank, k);
    t.remote_nodes_per_token = (nodes - 1.0) * node_gpus * rank_hit;  // remote destination ranks
    scale_up_copies = (node_gpus - 1.0) * rank_hit;
  }
  t.scale_up_copies_per_token = scale_up_copies;

  const double n = static_cast<double>(tokens);
  const Bytes dispatch_token = token_wire_bytes(model.hidden_size, dispatch_precision);
  const Bytes combine_token = token_wire_bytes(model.hidden_size, Precision::bf16);
  t.dispatch.scale_out = dispatch_token.scaled(n * t.remote_nodes_per_token);
  t.dispatch.scale_up = dispatch_token.scaled(n * scale_up_copies);
  t.combine.scale_out = combine_token.scaled(n * t.remote_nodes_per_token);
  t.combine.scale_up = combine_token.scaled(n * scale_up_copies);
  return t;
}

}  // namespace trainsim
