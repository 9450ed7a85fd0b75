#include "sim/flow_routes.hpp"

namespace trainsim {

const std::vector<int>& FlowRoutes::of(const RankProgram& sender, const Flow& flow) {
  if (flow.mirrored_route >= 0) return workload_.mirrored_routes[static_cast<std::size_t>(flow.mirrored_route)];
  const auto key = std::make_pair(sender.global_rank, workload_.ranks[static_cast<std::size_t>(flow.peer)].global_rank);
  auto it = routes_.find(key);
  if (it == routes_.end()) it = routes_.emplace(key, topology_.route(key.first, key.second)).first;
  return it->second;
}

}  // namespace trainsim
