#include "models/memory_model.hpp"

#include <algorithm>

namespace trainsim {

MemoryBreakdown rank_memory(const ParallelPlan& p, const PipelineLayout& layout, const std::vector<ChunkCost>& chunks,
                            int r, std::int64_t n) {
  MemoryBreakdown m;
  m.pipeline_rank = r;
  RankParameters params;
  const auto& mine = layout.chunks_of_rank[static_cast<std::size_t>(r)];
  const auto held = layout.schedule->in_flight(p, mine, r, n);
  double activation_bytes = 0.0;
  for (std::size_t k = 0; k < mine.size(); ++k) {
    const auto& chunk = chunks[static_cast<std::size_t>(mine[k])];
    params += {chunk.parameters - chunk.expert_parameters, chunk.expert_parameters};
    activation_bytes += chunk.saved_activations.as_double() * held[k];
    m.in_flight_chunks += held[k];
    m.transient = std::max(m.transient, chunk.transient);
  }
  const auto state = [&](TrainingState s) {
    const auto held_params = held_parameters(p, params, s);
    return Bytes((held_params.dense + held_params.experts) * bytes_per_parameter(p, s));
  };
  m.weights = state(TrainingState::weights);
  if (p.zero_stage == 3) {
    // Gathered BF16 weights of the layer being computed and the one prefetched (FSDP's unit is
    // a layer), for each of the two chunks an overlapped DualPipe pair computes at once.
    std::int64_t largest = 0;
    for (const int c : mine) largest = std::max(largest, chunks[static_cast<std::size_t>(c)].largest_layer_parameters);
    m.weights += Bytes(largest * 2 * 2 * (layout.schedule->overlapped_pairs() ? 2 : 1));
  }
  m.gradients = state(TrainingState::gradients);
  m.optimizer_states = state(TrainingState::optimizer_states);
  m.activations = Bytes::rounded(activation_bytes);
  m.overhead = p.memory_overhead;
  return m;
}

}  // namespace trainsim
