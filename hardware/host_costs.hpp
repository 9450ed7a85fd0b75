#pragma once
// What issuing GPU work costs the host CPU that runs the framework (PyTorch, Transformer Engine,
// Megatron-Core): the input of the models' host pacing (models/host_pacing.hpp).
#include "core/units.hpp"

namespace trainsim {

// Defaults: published ranges, each at its lower end, from NVIDIA's "CUDA Graph Best Practice
// for PyTorch" (docs.nvidia.com/dl-cuda-graph, pages "Introduction" and "CUDA Graph"): a
// framework operation pays language transitions (10-100 us), runtime processing (5-20 us),
// driver operations (5-15 us) and hardware submission (1-5 us); "20-200 us typically per
// operation". A scenario sets its own (cluster.host) where it has measured them.
struct HostCosts {
  Seconds per_operation{21e-6};     // one framework operation and its first kernel: 10 + 5 + 5 + 1 us
  Seconds per_extra_launch{6e-6};   // each further kernel it launches from C++: driver 5 + submission 1 us
  Seconds per_graph_launch{10e-6};  // one captured CUDA graph: "Graph launch: ~10 us"
  bool operator==(const HostCosts&) const = default;
};

}  // namespace trainsim
