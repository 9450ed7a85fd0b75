#include "models/step_estimate.hpp"

#include "models/pipeline_bubble.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace trainsim {
namespace {

// Per-micro-batch times of one pipeline rank, its chunks weighted by the share of
// micro-batches each sees.
struct RankTimes {
  Seconds forward_compute, backward_compute, weight_compute;
  Seconds forward_exposed, backward_exposed;
};

RankTimes rank_times(const PipelineLayout& layout, const std::vector<ChunkCost>& chunks, int rank) {
  RankTimes t;
  for (const int c : layout.chunks_of_rank[static_cast<std::size_t>(rank)]) {
    const auto& k = chunks[static_cast<std::size_t>(c)];
    const double share = layout.chunk_share(c);
    t.forward_compute += k.forward_compute * share;
    t.backward_compute += k.backward_input_compute * share;
    t.weight_compute += k.backward_weight_compute * share;
    t.forward_exposed += k.forward_exposed_communication * share;
    t.backward_exposed += k.backward_exposed_communication * share;
  }
  return t;
}

// Bytes the optimizer streams per locally-owned parameter: reads master weight, gradient
// and two moments, writes master weight, moments and the BF16 working copy.
std::int64_t optimizer_bytes_per_param(const ParallelPlan& p) {
  const std::int64_t moment = bytes_per_element(p.optimizer_moment_precision);
  const std::int64_t grad = bytes_per_element(p.gradient_precision);
  return (4 + grad + 2 * moment) + (4 + 2 * moment + 2);
}

// Seconds per micro-batch of a rank whose forward and backward chunks run as overlapped
// pairs: every pairing of one of its forward chunks with one of its backward chunks, weighted
// by the micro-batches each sees; a micro-batch brings as many pairs as chunks it visits here.
Seconds overlapped_pace(const ChunkCostModel& priced, const PipelineLayout& layout, int rank) {
  const auto& held = layout.chunks_of_rank[static_cast<std::size_t>(rank)];
  double visits = 0.0;
  Seconds weighted(0);
  for (const int f : held) {
    visits += layout.chunk_share(f);
    for (const int b : held) {
      weighted += priced.overlapped_pair_time(layout.chunks[static_cast<std::size_t>(f)], layout.chunks[static_cast<std::size_t>(b)]) *
                  (layout.chunk_share(f) * layout.chunk_share(b));
    }
  }
  return visits > 0.0 ? weighted / visits : Seconds(0);
}

}  // namespace

StepEstimate estimate_step(const ModelSpec& model, const ClusterSpec& cluster, const ParallelPlan& plan,
                           const KernelTimeModel& kernels, const StepShape& shape) {
  StepEstimate e;
  const std::int64_t per_pipeline = plan.data * plan.micro_batch_size;
  e.micro_batches = shape.global_batch_size / per_pipeline;
  e.tokens_per_step = static_cast<double>(shape.global_batch_size) * static_cast<double>(shape.sequence_length);
  const MicroBatchShape mb{shape.sequence_length, plan.micro_batch_size};
  const ChunkCostModel priced(model, plan, cluster, kernels, mb);
  const auto layout = pipeline_layout(model, plan, priced.layer_kind_costs());
  std::vector<ChunkCost> chunks;
  for (const auto& c : layout.chunks) chunks.push_back(priced.chunk(c));

  // The pace of a pipeline is its slowest rank.
  const bool paired = plan.schedule == Schedule::dualpipe || plan.schedule == Schedule::dualpipe_v;
  const double n = static_cast<double>(e.micro_batches);
  const double pp = static_cast<double>(plan.pipeline);
  RankTimes slow;
  Seconds slow_pace(-1);
  for (int r = 0; r < plan.pipeline; ++r) {
    const auto t = rank_times(layout, chunks, r);
    const Seconds compute = t.forward_compute + t.backward_compute + t.weight_compute;
    const Seconds pace = paired ? overlapped_pace(priced, layout, r)
                                : compute + t.forward_exposed + t.backward_exposed;
    if (pace > slow_pace) {
      slow_pace = pace;
      slow = t;
    }
  }
  const Seconds compute_per_mb = slow.forward_compute + slow.backward_compute + slow.weight_compute;
  const Seconds forward_alone = slow.forward_compute + slow.forward_exposed;
  const Seconds backward_alone = slow.backward_compute + slow.weight_compute + slow.backward_exposed;
  auto& b = e.breakdown;
  const Seconds pp_hops = chunks.front().pipeline_send * (2.0 * (pp - 1.0));  // fill and drain
  const ChunkTimes chunk_times{forward_alone, backward_alone, slow.weight_compute, slow_pace};
  b.pipeline_bubble = pipeline_bubble(plan.schedule, plan.pipeline, plan.virtual_stages, chunk_times) + pp_hops;
  if (paired) {
    // Warm-up forwards and cool-down backwards have no partner to overlap with; the rest run
    // as overlapped forward-backward pairs.
    const double alone = std::min(pp, n);
    b.warmup_forward = forward_alone * alone;
    b.cooldown_backward = backward_alone * alone;
    b.steady = slow_pace * (n - alone);
  } else {
    b.steady = slow_pace * n;
  }

  // Optimizer: the data-parallel group reduces gradients, each rank updates its shard, and the
  // group gathers the updated weights; with overlap, what outlasts the last backward (and the
  // next first forward) stays exposed.
  MemoryBreakdown worst;
  Seconds optimizer_kernel(0);
  Seconds dp_exposed(0);
  for (int r = 0; r < plan.pipeline; ++r) {
    auto mem = rank_memory(plan, layout, chunks, r, e.micro_batches);
    e.memory_by_rank.push_back(mem);
    if (mem.total() > worst.total()) worst = mem;
    std::int64_t params = 0;
    std::int64_t experts = 0;
    for (const int c : layout.chunks_of_rank[static_cast<std::size_t>(r)]) {
      params += chunks[static_cast<std::size_t>(c)].parameters;
      experts += chunks[static_cast<std::size_t>(c)].expert_parameters;
    }
    const std::int64_t dense = params - experts;
    const std::int64_t dp = plan.data * plan.context;
    const std::int64_t edp = std::max<std::int64_t>(1, plan.expert_data_parallel());
    const std::int64_t owned = plan.zero_stage >= 1 ? dense / dp + experts / edp : params;
    optimizer_kernel = max(optimizer_kernel,
                           kernels.time(memory_kernel(Bytes(owned * optimizer_bytes_per_param(plan)), Bytes(0))));
    const auto& rates = priced.rates();
    const Bytes grads_dense(dense * bytes_per_element(plan.gradient_precision));
    const Bytes grads_expert(experts * bytes_per_element(plan.gradient_precision));
    const auto dp_group = data_group(plan, cluster);
    const auto edp_group = expert_data_group(plan, cluster);
    Seconds reduce = plan.zero_stage >= 1 ? ring_gather_time(grads_dense, dp_group, rates) + ring_gather_time(grads_expert, edp_group, rates)
                                          : all_reduce_time(grads_dense, dp_group, rates) + all_reduce_time(grads_expert, edp_group, rates);
    Seconds gather(0);
    if (plan.zero_stage >= 1) {
      gather = ring_gather_time(Bytes(dense * 2), dp_group, rates) + ring_gather_time(Bytes(experts * 2), edp_group, rates);
    }
    if (plan.zero_stage == 3) {
      // Weights gathered for forward and backward of every micro-batch, prefetched under compute.
      const Seconds per_mb = gather * 2.0;
      dp_exposed = max(dp_exposed, max(Seconds(0), per_mb - compute_per_mb) * n);
    }
    const Seconds hidden_reduce = plan.overlap_data_parallel ? backward_alone : Seconds(0);
    const Seconds hidden_gather = plan.overlap_data_parallel ? forward_alone : Seconds(0);
    dp_exposed = max(dp_exposed, max(Seconds(0), reduce - hidden_reduce) + max(Seconds(0), gather - hidden_gather));
  }
  b.optimizer = optimizer_kernel + dp_exposed;
  e.memory = worst;

  b.total = b.warmup_forward + b.steady + b.cooldown_backward + b.weight_gradient + b.pipeline_bubble + b.optimizer;
  b.compute = compute_per_mb * n;
  b.exposed_communication = b.total - b.compute - b.pipeline_bubble - b.optimizer;
  e.step_time = b.total;

  const double gpus = static_cast<double>(cluster.gpu_count);
  const auto flops = [&](AttentionConvention c) {
    return Flops(model_flops_per_token(model, shape.sequence_length, c).total().si() * e.tokens_per_step) /
           (e.step_time * gpus);
  };
  e.model_flops_per_gpu_causal = flops(AttentionConvention::causal);
  e.model_flops_per_gpu_non_causal = flops(AttentionConvention::non_causal);
  const FlopsPerSecond bf16 = kernels.gpu().peak(Precision::bf16).value_or(FlopsPerSecond(1));
  e.mfu_causal = e.model_flops_per_gpu_causal / bf16;
  e.mfu_non_causal = e.model_flops_per_gpu_non_causal / bf16;
  e.tokens_per_day = e.tokens_per_step / e.step_time.si() * 86400.0;

  if (e.memory.total() > cluster.gpu.memory_capacity) {
    e.feasible = false;
    e.infeasible_reason = fmt::format("out of memory by {:.1f} GiB on pipeline rank {} ({:.1f} GiB needed, {:.1f} GiB available)",
                                      to_gib(e.memory.total() - cluster.gpu.memory_capacity), e.memory.pipeline_rank,
                                      to_gib(e.memory.total()), to_gib(cluster.gpu.memory_capacity));
  }
  return e;
}

}  // namespace trainsim
