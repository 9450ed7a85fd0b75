#include "models/memory_model.hpp"

#include <algorithm>

namespace trainsim {

std::vector<double> in_flight_by_chunk(const ParallelPlan& p, const std::vector<int>& chunks, int r, std::int64_t n) {
  std::vector<double> held;
  const double micro_batches = static_cast<double>(n);
  if (p.schedule == Schedule::interleaved_1f1b) {
    // Megatron's warm-up forwards plus the first steady one, issued in groups of pp
    // micro-batches per virtual chunk in turn.
    const std::int64_t v = p.virtual_stages;
    std::int64_t left = std::min(2 * (p.pipeline - r - 1) + (v - 1) * p.pipeline + 1, n * v);
    held.assign(chunks.size(), 0.0);
    for (std::size_t k = 0; left > 0; k = (k + 1) % held.size()) {
      const std::int64_t group = std::min(left, p.pipeline);
      held[k] += static_cast<double>(group);
      left -= group;
    }
    return held;
  }
  // A chunk at position c of a depth-chunk path keeps its activations from its forward until
  // its backward: depth - c micro-batches in 1F1B-like steady states, which sums to DualPipe's
  // pp + 1 per rank (Table 2). DualPipe sends half of the micro-batches down each copy.
  const double depth = p.schedule == Schedule::dualpipe_v ? 2.0 * static_cast<double>(p.pipeline) : static_cast<double>(p.pipeline);
  const double passes = p.schedule == Schedule::dualpipe ? micro_batches / 2.0 : micro_batches;
  for (const int c : chunks) {
    held.push_back(p.schedule == Schedule::gpipe ? micro_batches : std::min(passes, depth - c));
  }
  return held;
}

MemoryBreakdown rank_memory(const ParallelPlan& p, const PipelineLayout& layout, const std::vector<ChunkCost>& chunks,
                            int r, std::int64_t n) {
  MemoryBreakdown m;
  m.pipeline_rank = r;
  std::int64_t params = 0;
  std::int64_t expert_params = 0;
  const auto& mine = layout.chunks_of_rank[static_cast<std::size_t>(r)];
  const auto held = in_flight_by_chunk(p, mine, r, n);
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
    const bool paired = p.schedule == Schedule::dualpipe || p.schedule == Schedule::dualpipe_v;
    m.weights += Bytes(largest * 2 * 2 * (paired ? 2 : 1));
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
