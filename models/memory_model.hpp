#pragma once
// Device memory of one pipeline rank at its peak: weights, gradients and optimizer states
// (sharded per ZeRO stage), the activations its schedule keeps in flight, the largest
// transient tensor, and a stated framework overhead.
#include <cstdint>
#include <string>
#include <vector>

#include "models/chunk_costs.hpp"
#include "models/training_state.hpp"

namespace trainsim {

struct MemoryBreakdown {
  int pipeline_rank = 0;
  Bytes weights;
  Bytes gradients;
  Bytes optimizer_states;
  Bytes activations;
  Bytes transient;
  Bytes overhead;
  double in_flight_chunks = 0.0;  // micro-batch activation sets of its chunks held at the peak
  [[nodiscard]] Bytes total() const {
    return weights + gradients + optimizer_states + activations + transient + overhead;
  }
};

// Memory of `pipeline_rank` given the priced chunks of the layout.
MemoryBreakdown rank_memory(const ParallelPlan& plan, const PipelineLayout& layout,
                            const std::vector<ChunkCost>& chunks, int pipeline_rank, std::int64_t n);

}  // namespace trainsim
