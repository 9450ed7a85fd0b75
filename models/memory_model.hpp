#pragma once
// Device memory of one pipeline rank at its peak: weights, gradients and optimizer states
// (sharded per ZeRO stage), the activations its schedule keeps in flight, the largest
// transient tensor, and a stated framework overhead.
#include <cstdint>
#include <string>
#include <vector>

#include "models/chunk_costs.hpp"

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

// Micro-batch activation sets each of `chunks` (the layout's chunks of `pipeline_rank`, in
// its order) holds at the rank's peak, with `n` micro-batches per step: position c on a path
// of depth chunks holds depth - c (1F1B, ZB-H1, DualPipe, DualPipeV: pp + 1 per rank as in
// DeepSeek-V3 Table 2), GPipe all n, interleaved 1F1B Megatron's warm-up + 1; never more
// than the chunk processes.
std::vector<double> in_flight_by_chunk(const ParallelPlan& plan, const std::vector<int>& chunks, int pipeline_rank,
                                       std::int64_t n);

// Memory of `pipeline_rank` given the priced chunks of the layout.
MemoryBreakdown rank_memory(const ParallelPlan& plan, const PipelineLayout& layout,
                            const std::vector<ChunkCost>& chunks, int pipeline_rank, std::int64_t n);

}  // namespace trainsim
