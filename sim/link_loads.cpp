#include <map>

#include "sim/backend.hpp"

namespace trainsim {

std::vector<LinkLoad> link_loads(const Workload& w, const Topology& topology) {
  std::map<int, std::int64_t> bytes;
  std::map<std::pair<int, int>, std::vector<int>> routes;
  for (const auto& rank : w.ranks) {
    for (const auto& f : rank.flows) {
      if (!f.outgoing) continue;
      const std::vector<int>* links = nullptr;
      if (f.mirrored_route >= 0) {
        links = &w.mirrored_routes[static_cast<std::size_t>(f.mirrored_route)];
      } else {
        const auto key = std::make_pair(rank.global_rank, w.ranks[static_cast<std::size_t>(f.peer)].global_rank);
        auto it = routes.find(key);
        if (it == routes.end()) it = routes.emplace(key, topology.route(key.first, key.second)).first;
        links = &it->second;
      }
      for (const int l : *links) bytes[l] += f.bytes.count();
    }
  }
  std::vector<LinkLoad> loads;
  for (const auto& [l, b] : bytes) loads.push_back({l, Bytes(b)});
  return loads;
}

}  // namespace trainsim
