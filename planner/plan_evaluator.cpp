#include "planner/plan_evaluator.hpp"

#include <fmt/format.h>

#include "hardware/kernel_time_model.hpp"
#include "models/plan_rules.hpp"
#include "models/schedule_traits.hpp"
#include "models/step_replay.hpp"

namespace trainsim {

PlanEvaluator::PlanEvaluator(const Scenario& scenario, const StepShape& shape, Bytes min_headroom)
    : scenario_(scenario), shape_(shape), min_headroom_(min_headroom), kernels_(kernel_model(scenario.cluster)) {}

const ClusterSpec& PlanEvaluator::cluster(std::int64_t gpu_count) {
  auto [it, fresh] = clusters_.try_emplace(gpu_count, scenario_.cluster);
  if (fresh) it->second.gpu_count = gpu_count;
  return it->second;
}

PlanOutcome PlanEvaluator::evaluate(const ParallelPlan& plan, std::int64_t gpu_count) {
  return evaluate_if(plan, gpu_count, nullptr);
}

std::optional<PlanIssue> PlanEvaluator::rule_issue(const ParallelPlan& plan, std::int64_t gpu_count) {
  auto issues = plan_issues(scenario_.model, cluster(gpu_count), plan, shape_.sequence_length, shape_.global_batch_size);
  if (issues.empty()) return std::nullopt;
  return std::move(issues.front());
}

const PlanEvaluator::Priced& PlanEvaluator::priced(const ParallelPlan& plan, std::int64_t gpu_count) {
  const auto& r = plan.routing;
  auto& priced = priced_[PricedKey{gpu_count, plan.tensor, plan.expert, plan.expert_tensor_degree(), plan.context,
                                   plan.micro_batch_size, plan.recompute.bits(), plan.precision, plan.gradient_precision,
                                   plan.communication_sms, plan.sequence_parallel, plan.tp_comm_overlap, plan.cuda_graphs, plan.moe_pad_to_capacity,
                                   schedule_traits(plan.schedule).defers_weight_gradients(), plan.attention_kernel, plan.cross_entropy, plan.fp8_recipe, r.distribution,
                                   r.zipf_exponent, r.seed, r.redundant_experts, r.expert_loads}];
  if (!priced.model) {
    priced.model = std::make_shared<const ChunkCostModel>(scenario_.model, plan, cluster(gpu_count), kernels_,
                                                          MicroBatchShape{shape_.sequence_length, plan.micro_batch_size});
    priced.whole_model = priced.model->chunk(whole_model_chunk(scenario_.model));
  }
  return priced;
}

std::optional<Seconds> PlanEvaluator::layout_free_bound(const ParallelPlan& plan, std::int64_t gpu_count) {
  if (rule_issue(plan, gpu_count)) return std::nullopt;
  return average_rank_lower_bound(priced(plan, gpu_count).whole_model, plan, plan.micro_batches(shape_.global_batch_size));
}

PlanOutcome PlanEvaluator::evaluate_if(const ParallelPlan& plan, std::int64_t gpu_count, const WorthTiming& worth) {
  PlanOutcome out;
  if (auto issue = rule_issue(plan, gpu_count)) {
    out.issue = std::move(*issue);
    return out;
  }
  const auto& c = cluster(gpu_count);
  const auto& priced_model = priced(plan, gpu_count).model;
  auto& pipeline = pipelines_[PipelineKey{priced_model.get(), plan.pipeline, plan.virtual_stages, plan.schedule}];
  if (!pipeline) pipeline = std::make_shared<const PipelineCosts>(pipeline_costs(*priced_model, scenario_.model, plan));
  const StepProgram program(priced_model, pipeline, scenario_.model, c, plan, kernels_, shape_);
  // Memory first: a plan that does not fit is not timed.
  out.estimate = step_accounting(program);
  out.feasible = out.estimate.feasible();
  if (!out.feasible) {
    out.issue = *out.estimate.infeasible;
    return out;
  }
  const Bytes left = c.gpu.memory_capacity - out.estimate.memory.total();
  if (left < min_headroom_) {
    out.feasible = false;
    out.issue = {InfeasibleReason::below_headroom, "",
                 fmt::format("leaves {:.1f} GiB free on pipeline rank {} ({:.1f} of {:.1f} GiB used), under planner.min_headroom {:.1f} GiB",
                             to_gib(left), out.estimate.memory.pipeline_rank, to_gib(out.estimate.memory.total()),
                             to_gib(c.gpu.memory_capacity), to_gib(min_headroom_)),
                 "recompute more, shard more, or lower planner.min_headroom"};
    return out;
  }
  if (worth && !worth(out.estimate, step_lower_bound(program))) return out;
  out.estimate = estimate_step(program);
  out.timed = true;
  return out;
}

}  // namespace trainsim
