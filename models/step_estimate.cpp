#include "models/step_estimate.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace trainsim {
namespace {

// Per-micro-batch times of one pipeline rank, its chunks weighted by the share of
// micro-batches each sees.
RankTimes rank_times(const PipelineLayout& layout, const std::vector<ChunkCost>& chunks, int rank) {
  RankTimes t;
  for (const int c : layout.chunks_of_rank[static_cast<std::size_t>(rank)]) {
    const auto& k = chunks[static_cast<std::size_t>(c)];
    const double share = layout.chunk_share();
    t.forward_compute += k.forward_compute * share;
    t.backward_compute += k.backward_input_compute * share;
    t.weight_compute += k.backward_weight_compute * share;
    t.forward_exposed += k.forward_exposed_communication * share;
    t.backward_exposed += k.backward_exposed_communication * share;
    t.communication += k.communication * share;
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
    visits += layout.chunk_share();
    for (const int b : held) {
      weighted += priced.overlapped_pair_time(layout.chunks[static_cast<std::size_t>(f)], layout.chunks[static_cast<std::size_t>(b)]) *
                  (layout.chunk_share() * layout.chunk_share());
    }
  }
  return visits > 0.0 ? weighted / visits : Seconds(0);
}

}  // namespace

PipelineCosts pipeline_costs(const ChunkCostModel& priced, const ModelSpec& model, const ParallelPlan& plan) {
  PipelineCosts p;
  p.layout = pipeline_layout(model, plan, priced.layer_kind_costs());
  for (const auto& c : p.layout.chunks) p.chunks.push_back(priced.chunk(c));
  // The pace of a pipeline is its slowest rank.
  const bool paired = p.layout.schedule->overlapped_pairs();
  p.pace = Seconds(-1);
  for (int r = 0; r < plan.pipeline; ++r) {
    const auto t = rank_times(p.layout, p.chunks, r);
    const Seconds pace = paired ? overlapped_pace(priced, p.layout, r)
                                : t.forward_compute + t.backward_compute + t.weight_compute + t.forward_exposed +
                                      t.backward_exposed;
    if (pace > p.pace) {
      p.pace = pace;
      p.slow = t;
    }
  }
  return p;
}

StepEstimate estimate_step(const ModelSpec& model, const ClusterSpec& cluster, const ParallelPlan& plan,
                           const KernelTimeModel& kernels, const StepShape& shape) {
  const ChunkCostModel priced(model, plan, cluster, kernels, {shape.sequence_length, plan.micro_batch_size});
  return estimate_step(priced, pipeline_costs(priced, model, plan), model, cluster, plan, kernels, shape);
}

StepEstimate estimate_step(const ChunkCostModel& priced, const PipelineCosts& pipeline, const ModelSpec& model,
                           const ClusterSpec& cluster, const ParallelPlan& plan, const KernelTimeModel& kernels,
                           const StepShape& shape) {
  StepEstimate e;
  const std::int64_t per_pipeline = plan.data * plan.micro_batch_size;
  e.micro_batches = shape.global_batch_size / per_pipeline;
  e.tokens_per_step = static_cast<double>(shape.global_batch_size) * static_cast<double>(shape.sequence_length);
  const auto& layout = pipeline.layout;
  const auto& chunks = pipeline.chunks;
  const auto& slow = pipeline.slow;
  const Seconds slow_pace = pipeline.pace;
  const bool paired = layout.schedule->overlapped_pairs();
  const double n = static_cast<double>(e.micro_batches);
  const double pp = static_cast<double>(plan.pipeline);
  const Seconds compute_per_mb = slow.forward_compute + slow.backward_compute + slow.weight_compute;
  const Seconds forward_alone = slow.forward_compute + slow.forward_exposed;
  const Seconds backward_alone = slow.backward_compute + slow.weight_compute + slow.backward_exposed;
  auto& b = e.breakdown;
  const CommunicationModel comm(plan, cluster, priced.rates());
  const Bytes boundary = stage_boundary_bytes(model, plan, {shape.sequence_length, plan.micro_batch_size});
  const Seconds pp_hops = comm.pipeline_transfer_time(boundary) * (2.0 * (pp - 1.0));  // fill and drain
  const ChunkTimes chunk_times{forward_alone, backward_alone, slow.weight_compute, slow_pace};
  b.pipeline_bubble = layout.schedule->bubble(plan, chunk_times) + pp_hops;
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

  // Optimizer and data parallelism. Without ZeRO the group all-reduces gradients after the
  // last backward; ZeRO-1 reduce-scatters them there, ZeRO-2/3 after every backward pass (the
  // gradients stay sharded). Each rank updates what it owns; ZeRO-1/2 gather the updated
  // weights, ZeRO-3 gathers each chunk's weights before every pass over it. The per-pass
  // traffic shares the links with the layers' own communication: it fits in the time those
  // leave free at the pipeline's pace, and what does not fit stays exposed.
  MemoryBreakdown worst;
  Seconds optimizer_kernel(0);
  Seconds dp_exposed(0);
  const std::int64_t grad_bytes = bytes_per_element(plan.gradient_precision);
  const auto exchange_time = [&](Collective collective, double dense, double experts, std::int64_t element) {
    return comm.time(comm.collective(collective, CommGroup::data, Bytes::rounded(dense * static_cast<double>(element)))) +
           comm.time(comm.collective(collective, CommGroup::expert_data, Bytes::rounded(experts * static_cast<double>(element))));
  };
  const auto gather_time = [&](double dense, double experts, std::int64_t element) {
    return exchange_time(Collective::reduce_scatter, dense, experts, element);
  };
  for (int r = 0; r < plan.pipeline; ++r) {
    auto mem = rank_memory(plan, layout, chunks, r, e.micro_batches);
    e.memory_by_rank.push_back(mem);
    if (mem.total() > worst.total()) worst = mem;
    std::int64_t dense = 0;
    std::int64_t experts = 0;
    double dense_per_mb = 0.0;  // parameters passed over per micro-batch (chunks by their share)
    double experts_per_mb = 0.0;
    for (const int c : layout.chunks_of_rank[static_cast<std::size_t>(r)]) {
      const auto& k = chunks[static_cast<std::size_t>(c)];
      dense += k.parameters - k.expert_parameters;
      experts += k.expert_parameters;
      dense_per_mb += static_cast<double>(k.parameters - k.expert_parameters) * layout.chunk_share();
      experts_per_mb += static_cast<double>(k.expert_parameters) * layout.chunk_share();
    }
    const std::int64_t dp = plan.data * plan.context;
    const std::int64_t edp = std::max<std::int64_t>(1, plan.expert_data_parallel());
    const std::int64_t owned = plan.zero_stage >= 1 ? dense / dp + experts / edp : dense + experts;
    optimizer_kernel = max(optimizer_kernel,
                           kernels.time(memory_kernel(Bytes(owned * optimizer_bytes_per_param(plan)), Bytes(0))));
    Seconds per_mb(0);
    if (plan.zero_stage >= 2) per_mb += gather_time(dense_per_mb, experts_per_mb, grad_bytes);
    if (plan.zero_stage == 3) per_mb += gather_time(dense_per_mb, experts_per_mb, 2) * 2.0;
    Seconds reduce(0);
    if (plan.zero_stage == 0) {
      reduce = exchange_time(Collective::all_reduce, static_cast<double>(dense), static_cast<double>(experts), grad_bytes);
    } else if (plan.zero_stage == 1) {
      reduce = gather_time(static_cast<double>(dense), static_cast<double>(experts), grad_bytes);
    }
    const Seconds gather = plan.zero_stage == 1 || plan.zero_stage == 2
                               ? gather_time(static_cast<double>(dense), static_cast<double>(experts), 2)
                               : Seconds(0);
    const Seconds hidden_reduce = plan.overlap_data_parallel ? backward_alone : Seconds(0);
    const Seconds hidden_gather = plan.overlap_data_parallel ? forward_alone : Seconds(0);
    const Seconds links_free = max(Seconds(0), slow_pace - rank_times(layout, chunks, r).communication);
    dp_exposed = max(dp_exposed, max(Seconds(0), per_mb - links_free) * n + max(Seconds(0), reduce - hidden_reduce) +
                                     max(Seconds(0), gather - hidden_gather));
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
