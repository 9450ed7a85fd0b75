#include "models/step_estimate.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace trainsim {

StepBreakdown scaled(const StepBreakdown& b, double f) {
  return {b.compute * f,        b.exposed_communication * f, b.pipeline_bubble * f,  b.optimizer * f, b.warmup_forward * f,
          b.steady * f,         b.cooldown_backward * f,     b.weight_gradient * f,  b.total * f};
}

FlopsPerSecond StepWork::model_flops_per_gpu(Seconds step, AttentionConvention convention) const {
  const Flops flops = convention == AttentionConvention::causal ? model_flops_causal : model_flops_non_causal;
  return flops / (step * static_cast<double>(gpus));
}

double StepWork::mfu(Seconds step, AttentionConvention convention) const {
  return model_flops_per_gpu(step, convention) / bf16_peak;
}

double StepWork::tokens_per_day(Seconds step) const { return tokens / step.si() * 86400.0; }

StepEstimate step_accounting(const StepProgram& program) {
  const auto& model = program.model();
  const auto& cluster = program.cluster();
  const auto& pipeline = program.pipeline();
  StepEstimate e;
  e.micro_batches = program.micro_batches();
  auto& w = e.work;
  w.tokens = program.tokens_per_step();
  const auto step_flops = [&](AttentionConvention c) {
    return Flops(model_flops_per_token(model, program.shape().sequence_length, c).total().si() * w.tokens);
  };
  w.model_flops_causal = step_flops(AttentionConvention::causal);
  w.model_flops_non_causal = step_flops(AttentionConvention::non_causal);
  w.gpus = cluster.gpu_count;
  w.bf16_peak = program.kernels().gpu().peak(Precision::bf16).value_or(FlopsPerSecond(1));

  for (int r = 0; r < program.plan().pipeline; ++r) {
    e.memory_by_rank.push_back(rank_memory(program.plan(), pipeline.layout, pipeline.chunks, r, e.micro_batches));
    if (e.memory_by_rank.back().total() > e.memory.total()) e.memory = e.memory_by_rank.back();
  }
  const Bytes capacity = cluster.gpu.memory_capacity;
  if (e.memory.total() > capacity) {
    e.infeasible = PlanIssue{
        InfeasibleReason::out_of_memory, "",
        fmt::format("out of memory by {:.1f} GiB on pipeline rank {} ({:.1f} GiB needed, {:.1f} GiB available)",
                    to_gib(e.memory.total() - capacity), e.memory.pipeline_rank, to_gib(e.memory.total()), to_gib(capacity)),
        "recompute more, shard more (ZeRO, tensor or pipeline parallelism), or use smaller micro-batches"};
  }
  return e;
}

namespace {

Seconds time_of(const CommunicationModel& comm, const std::vector<CollectiveStep>& steps) {
  Seconds total(0);
  for (const auto& s : steps) total += comm.time(s);
  return total;
}

// Seconds the data-parallel exchange of pipeline rank `r` adds to the step. ZeRO-2/3's
// per-pass traffic shares the links with the layers' own communication: it fits in the time
// those leave free at the pipeline's pace, and what does not fit stays exposed. The step-end
// reduction and gather are exposed beyond the compute they may overlap.
Seconds data_parallel_exposed(const StepProgram& program, int r) {
  const auto& comm = program.comm();
  const auto& pipeline = program.pipeline();
  const auto& sync = program.rank_sync(r);
  Seconds per_micro_batch(0);
  for (const int c : pipeline.layout.chunks_of_rank[static_cast<std::size_t>(r)]) {
    const auto& chunk = program.chunk_sync(c);
    // ZeRO-3 gathers a chunk's weights before its forward and again before its backward.
    per_micro_batch += (time_of(comm, chunk.weight_gathers) * 2.0 + time_of(comm, chunk.gradient_shards)) *
                       pipeline.layout.chunk_share();
  }
  const Seconds links_free = max(Seconds(0), pipeline.pace - pipeline.ranks[static_cast<std::size_t>(r)].communication);
  const auto n = static_cast<double>(program.micro_batches());
  return max(Seconds(0), per_micro_batch - links_free) * n +
         max(Seconds(0), time_of(comm, sync.gradient_reduction) - sync.reduction_overlap) +
         max(Seconds(0), time_of(comm, sync.weight_gather) - sync.gather_overlap);
}

}  // namespace

StepEstimate estimate_step(const StepProgram& program) {
  StepEstimate e = step_accounting(program);
  const auto& plan = program.plan();
  const auto& pipeline = program.pipeline();
  const auto& schedule = program.schedule();
  const auto& slow = pipeline.ranks[static_cast<std::size_t>(pipeline.slowest)];
  const double n = static_cast<double>(e.micro_batches);
  const double pp = static_cast<double>(plan.pipeline);
  auto& b = e.breakdown;
  const Seconds fill_and_drain = program.pipeline_transfer() * (2.0 * (pp - 1.0));
  b.pipeline_bubble =
      schedule.bubble(plan, {slow.forward_alone(), slow.backward_alone(), slow.weight_compute, pipeline.pace}) + fill_and_drain;
  if (schedule.overlapped_pairs()) {
    // Warm-up forwards and cool-down backwards have no partner to overlap with; the rest run
    // as overlapped forward-backward pairs.
    const double alone = std::min(pp, n);
    b.warmup_forward = slow.forward_alone() * alone;
    b.cooldown_backward = slow.backward_alone() * alone;
    b.steady = pipeline.pace * (n - alone);
  } else {
    b.steady = pipeline.pace * n;
  }

  Seconds optimizer_kernel(0);
  Seconds exchange(0);
  for (int r = 0; r < plan.pipeline; ++r) {
    optimizer_kernel = max(optimizer_kernel, program.kernels().time(program.rank_sync(r).optimizer));
    exchange = max(exchange, data_parallel_exposed(program, r));
  }
  b.optimizer = optimizer_kernel + exchange;

  b.total = b.warmup_forward + b.steady + b.cooldown_backward + b.weight_gradient + b.pipeline_bubble + b.optimizer;
  b.compute = (slow.forward_compute + slow.backward_compute + slow.weight_compute) * n;
  b.exposed_communication = b.total - b.compute - b.pipeline_bubble - b.optimizer;
  e.step_time = b.total;
  return e;
}

StepEstimate estimate_step(const ModelSpec& model, const ClusterSpec& cluster, const ParallelPlan& plan,
                           const KernelTimeModel& kernels, const StepShape& shape) {
  return estimate_step(StepProgram(model, cluster, plan, kernels, shape));
}

}  // namespace trainsim
