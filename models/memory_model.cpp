#include "models/memory_model.hpp"

#include <algorithm>

namespace trainsim {

MemoryBreakdown rank_memory(const ParallelPlan& p, const PipelineLayout& layout, const std::vector<ChunkCost>& chunks,
                            int r, std::int64_t n) {
  MemoryBreakdown m;
  m.pipeline_rank = r;
  std::int64_t params = 0;
  std::int64_t expert_params = 0;
  const auto& mine = layout.chunks_of_rank[static_cast<std::size_t>(r)];
  const auto held = layout.schedule->in_flight(p, mine, r, n);
  double activation_bytes = 0.0;
  for (std::size_t k = 0; k < mine.size(); ++k) {
    const auto& chunk = chunks[static_cast<std::size_t>(mine[k])];
    params += chunk.parameters;
    expert_params += chunk.expert_parameters;
    activation_bytes += chunk.saved_activations.as_double() * held[k];
    m.in_flight_chunks += held[k];
    m.transient = std::max(m.transient, chunk.transient);
  }
  const std::int64_t dense_params = params - expert_params;
  const std::int64_t dp = p.data * p.context;
  const std::int64_t edp = std::max<std::int64_t>(1, p.expert_data_parallel());
  // Shard of `count` parameters over `group` ranks at the given ZeRO stage threshold.
  const auto sharded = [&](std::int64_t count, std::int64_t group, int from_stage) {
    return p.zero_stage >= from_stage ? (count + group - 1) / group : count;
  };
  const std::int64_t weight_bytes = p.precision == Precision::fp8 ? 3 : 2;  // BF16 + cached FP8 copy
  m.weights = Bytes((sharded(dense_params, dp, 3) + sharded(expert_params, edp, 3)) * weight_bytes);
  if (p.zero_stage == 3) {
    // Gathered BF16 weights of the layer being computed and the one prefetched (FSDP's unit is
    // a layer), for each of the two chunks an overlapped DualPipe pair computes at once.
    std::int64_t largest = 0;
    for (const int c : mine) largest = std::max(largest, chunks[static_cast<std::size_t>(c)].largest_layer_parameters);
    m.weights += Bytes(largest * 2 * 2 * (layout.schedule->overlapped_pairs() ? 2 : 1));
  }
  m.gradients = Bytes((sharded(dense_params, dp, 2) + sharded(expert_params, edp, 2)) *
                      bytes_per_element(p.gradient_precision));
  const std::int64_t state_bytes = 4 + 2 * bytes_per_element(p.optimizer_moment_precision);  // master + m + v
  m.optimizer_states = Bytes((sharded(dense_params, dp, 1) + sharded(expert_params, edp, 1)) * state_bytes);
  m.activations = Bytes::rounded(activation_bytes);
  m.overhead = p.memory_overhead;
  return m;
}

}  // namespace trainsim
