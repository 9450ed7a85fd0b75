#include "models/step_estimate.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "models/step_replay.hpp"

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

double StepWork::mfu_of_precision_peak(Seconds step, AttentionConvention convention) const {
  return model_flops_per_gpu(step, convention) / precision_peak;
}

double StepWork::tokens_per_day(Seconds step) const { return tokens / step.si() * 86400.0; }

namespace {

// The formulas take a stage's times (1F1B, interleaved: all of a rank's chunks), but DualPipe's a
// chunk pass's (Table 2: "a forward chunk"): a rank's per-micro-batch time over the chunk
// passes a micro-batch makes on it; those of the rank with the most compute.
// The pipeline rank with the most compute per micro-batch (the first of equals).
std::size_t busiest_rank(const PipelineCosts& pipeline) {
  std::size_t slow = 0;
  const auto compute = [&](std::size_t r) {
    const auto& t = pipeline.ranks[r];
    return t.forward_compute + t.backward_compute + t.weight_compute;
  };
  for (std::size_t r = 1; r < pipeline.ranks.size(); ++r) {
    if (compute(r) > compute(slow) * (1.0 + 1e-12)) slow = r;
  }
  return slow;
}

Seconds formula_bubble(const StepProgram& program) {
  const auto& pipeline = program.pipeline();
  const auto& schedule = program.schedule();
  const std::size_t slow = busiest_rank(pipeline);
  const double visits = schedule.overlapped_pairs()
                            ? static_cast<double>(pipeline.layout.chunks_of_rank[slow].size()) * schedule.chunk_share()
                            : 1.0;
  const auto& t = pipeline.ranks[slow];
  return schedule.bubble(program.plan(), {t.forward_alone() / visits, t.backward_alone() / visits,
                                          t.weight_compute / visits, pipeline.paces[slow] / visits});
}

}  // namespace

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
  w.precision_peak = program.kernels().gpu().peak(program.plan().precision).value_or(w.bf16_peak);

  for (int r = 0; r < program.plan().pipeline; ++r) {
    e.memory_by_rank.push_back(rank_memory(program.plan(), pipeline.layout, pipeline.chunks, r, e.micro_batches));
    if (e.memory_by_rank.back().total() > e.memory.total()) e.memory = e.memory_by_rank.back();
  }
  e.bubble_by_formula = formula_bubble(program);
  e.host_stall = pipeline.ranks[busiest_rank(pipeline)].host_stall * static_cast<double>(e.micro_batches);
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

StepEstimate estimate_step(const StepProgram& program) {
  StepEstimate e = step_accounting(program);
  const auto replay = replay_step(program);
  e.step_time = replay.makespan;
  // The breakdown is the pace-setting rank's, the one with the most compute, as the
  // simulator reports it.
  std::size_t slow = 0;
  for (std::size_t r = 1; r < replay.ranks.size(); ++r) {
    if (replay.ranks[r].compute > replay.ranks[slow].compute * (1.0 + 1e-12)) slow = r;
  }
  const auto& rank = replay.ranks[slow];
  auto& b = e.breakdown;
  b.total = e.step_time;
  b.compute = rank.compute;
  b.warmup_forward = rank.spans[static_cast<std::size_t>(ItemKind::forward)];
  b.cooldown_backward = rank.spans[static_cast<std::size_t>(ItemKind::backward)];
  b.weight_gradient = rank.spans[static_cast<std::size_t>(ItemKind::weight)];
  b.steady = rank.spans[static_cast<std::size_t>(ItemKind::forward_backward)];
  b.optimizer = rank.end - rank.chunks_end;
  const Seconds covered = b.warmup_forward + b.cooldown_backward + b.weight_gradient + b.steady;
  b.pipeline_bubble = b.total - covered - b.optimizer;
  b.exposed_communication = covered - b.compute;
  return e;
}

StepEstimate estimate_step(const ModelSpec& model, const ClusterSpec& cluster, const ParallelPlan& plan,
                           const KernelTimeModel& kernels, const StepShape& shape) {
  return estimate_step(StepProgram(model, cluster, plan, kernels, shape));
}

}  // namespace trainsim
