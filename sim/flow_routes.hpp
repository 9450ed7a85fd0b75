#pragma once
// The links each outgoing flow of a workload crosses: a mirrored flow's stored route, or the
// topology's route between the two GPUs, looked up once per pair. Every backend and the link
// report read routes through here.
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "hardware/topology.hpp"
#include "sim/workload.hpp"

namespace trainsim {

class FlowRoutes {
 public:
  FlowRoutes(const Workload& workload, const Topology& topology) : workload_(workload), topology_(topology) {}

  // Link ids of `flow`, sent by `sender` (a rank of the workload).
  [[nodiscard]] const std::vector<int>& of(const RankProgram& sender, const Flow& flow);

 private:
  const Workload& workload_;
  const Topology& topology_;
  std::map<std::pair<std::int32_t, std::int32_t>, std::vector<int>> routes_;  // (src, dst) global ranks
};

}  // namespace trainsim
