#include <map>

#include "sim/backend.hpp"
#include "sim/flow_routes.hpp"

namespace trainsim {

std::vector<LinkLoad> link_loads(const Workload& w, const Topology& topology) {
  std::map<int, std::int64_t> bytes;
  FlowRoutes routes(w, topology);
  for (const auto& rank : w.ranks) {
    for (const auto& f : rank.flows) {
      if (!f.outgoing) continue;
      for (const int l : routes.of(rank, f)) bytes[l] += f.bytes.count();
    }
  }
  std::vector<LinkLoad> loads;
  for (const auto& [l, b] : bytes) loads.push_back({l, Bytes(b)});
  return loads;
}

}  // namespace trainsim
