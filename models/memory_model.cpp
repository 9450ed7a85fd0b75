#include "models/memory_model.hpp"

#include <algorithm>

namespace trainsim {

double in_flight_chunks(const ParallelPlan& p, int r, std::int64_t n) {
  const double pp = static_cast<double>(p.pipeline);
  double held = 0.0;
  switch (p.schedule) {
    case Schedule::gpipe: held = static_cast<double>(n); break;
    case Schedule::one_f_one_b:
    case Schedule::zb_h1: held = pp - r; break;
    case Schedule::interleaved_1f1b:
      held = 2.0 * (pp - r - 1.0) + static_cast<double>(p.virtual_stages - 1) * pp + 1.0;
      break;
    case Schedule::dualpipe: held = pp + 1.0; break;
    case Schedule::dualpipe_v: held = 2.0 * pp + 1.0; break;  // DualPipe over 2pp chunks
  }
  // Chunk passes the rank makes per step: every micro-batch through each of its chunks, except
  // that DualPipe sends each micro-batch through only one of a rank's two model copies.
  double passes = static_cast<double>(n);
  if (p.schedule == Schedule::interleaved_1f1b) passes *= static_cast<double>(p.virtual_stages);
  if (p.schedule == Schedule::dualpipe_v) passes *= 2.0;
  return std::min(held, passes);
}

MemoryBreakdown rank_memory(const ParallelPlan& p, const PipelineLayout& layout, const std::vector<ChunkCost>& chunks,
                            int r, std::int64_t n) {
  MemoryBreakdown m;
  m.pipeline_rank = r;
  std::int64_t params = 0;
  std::int64_t expert_params = 0;
  Bytes activation_sum;
  const auto& mine = layout.chunks_of_rank[static_cast<std::size_t>(r)];
  for (const int c : mine) {
    const auto& chunk = chunks[static_cast<std::size_t>(c)];
    params += chunk.parameters;
    expert_params += chunk.expert_parameters;
    activation_sum += chunk.saved_activations;
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
  m.gradients = Bytes((sharded(dense_params, dp, 2) + sharded(expert_params, edp, 2)) *
                      bytes_per_element(p.gradient_precision));
  const std::int64_t state_bytes = 4 + 2 * bytes_per_element(p.optimizer_moment_precision);  // master + m + v
  m.optimizer_states = Bytes((sharded(dense_params, dp, 1) + sharded(expert_params, edp, 1)) * state_bytes);
  m.in_flight_chunks = in_flight_chunks(p, r, n);
  const double average_chunk = activation_sum.as_double() / static_cast<double>(mine.size());
  m.activations = Bytes::rounded(average_chunk * m.in_flight_chunks);
  m.overhead = p.memory_overhead;
  return m;
}

}  // namespace trainsim
