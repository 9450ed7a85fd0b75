#include "planner/plan_evaluator.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "hardware/kernel_time_model.hpp"
#include "models/plan_rules.hpp"
#include "models/step_replay.hpp"

namespace trainsim {

namespace {

// The plan fields the layer prices depend on: the tensor, context and expert groups (their
// layouts do not depend on the data or pipeline degree), the routing, and what shapes the
// layers' kernels.
std::string priced_key(const ParallelPlan& p, std::int64_t gpus) {
  const auto& r = p.routing;
  return fmt::format("{} {} {} {} {} {} {} {} {} {} {} {} routing {} {} {} {} {}", gpus, p.tensor, p.expert,
                     p.expert_tensor_degree(), p.context, p.micro_batch_size,
                     p.recompute.bits(), static_cast<int>(p.precision), static_cast<int>(p.gradient_precision),
                     p.communication_sms, p.sequence_parallel, static_cast<int>(p.attention_kernel),
                     static_cast<int>(r.distribution), r.zipf_exponent, r.seed, r.redundant_experts, fmt::join(r.expert_loads, ","));
}

}  // namespace

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

PlanOutcome PlanEvaluator::evaluate_if(const ParallelPlan& plan, std::int64_t gpu_count, const WorthTiming& worth) {
  PlanOutcome out;
  const auto& c = cluster(gpu_count);
  const auto issues = plan_issues(scenario_.model, c, plan, shape_.sequence_length, shape_.global_batch_size);
  if (!issues.empty()) {
    out.issue = issues.front();
    return out;
  }
  const auto key = priced_key(plan, gpu_count);
  auto& priced = priced_[key];
  if (!priced) {
    priced = std::make_shared<const ChunkCostModel>(scenario_.model, plan, c, kernels_,
                                                    MicroBatchShape{shape_.sequence_length, plan.micro_batch_size});
  }
  const auto pipeline_key = fmt::format("{}|{} {} {}", key, plan.pipeline, plan.virtual_stages, static_cast<int>(plan.schedule));
  auto& pipeline = pipelines_[pipeline_key];
  if (!pipeline) pipeline = std::make_shared<const PipelineCosts>(pipeline_costs(*priced, scenario_.model, plan));
  const StepProgram program(priced, pipeline, scenario_.model, c, plan, kernels_, shape_);
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
