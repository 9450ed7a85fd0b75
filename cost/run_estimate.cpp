#include "cost/run_estimate.hpp"

#include <memory>

#include "models/communication.hpp"
#include "models/layer_costs.hpp"

namespace trainsim {

StepTimer closed_form_timer(const Scenario& scenario) {
  auto kernels = std::make_shared<const KernelTimeModel>(kernel_model(scenario.cluster));
  return [&scenario, kernels](const ParallelPlan& plan, const StepShape& shape) {
    return estimate_step(scenario.model, scenario.cluster, plan, *kernels, shape);
  };
}

namespace {

std::optional<RoutingReport> routing_report(const Scenario& s, const PhaseSegment& segment, const StepEstimate& step,
                                            const StepTimer& timer) {
  const auto& p = segment.plan;
  if (!s.model.moe || p.routing.is_default()) return std::nullopt;
  const auto& moe = *s.model.moe;
  RoutingReport report;
  report.routing = p.routing.describe();
  const auto loads = expert_rank_loads(p.routing, moe.num_routed_experts, moe.top_k, p.expert);
  // The copies an expert group routes: each member's sequence shard, top-k each.
  const MicroBatchShape micro_batch{segment.sequence_length, p.micro_batch_size};
  const auto rows = static_cast<double>(moe_routed_rows(p, micro_batch.tokens(p)));
  const double group_copies = rows * static_cast<double>(moe.top_k * p.expert);
  for (const double share : loads.share) report.tokens_per_rank.push_back(share * group_copies);
  report.hottest_rank = loads.hottest_rank;
  report.hottest_factor = loads.hottest_factor();
  report.over_fabric = group_layout(CommGroup::expert, p, s.cluster).nodes() > 1;
  report.step = step.step_time;
  auto balanced = p;
  balanced.routing = MoeRouting{};
  report.balanced_step = timer(balanced, {segment.sequence_length, segment.global_batch_size}).step_time;
  return report;
}

}  // namespace

RunEstimate estimate_run(const Scenario& s, const StepTimer& timer, bool use_given, std::string engine) {
  RunEstimate r;
  r.engine = std::move(engine);
  r.used_given = use_given;
  r.parameters = count_parameters(s.model);
  r.run = run_cost(s, timer, use_given);
  for (std::size_t i = 0; i < s.phases.size(); ++i) {
    if (r.run.phases[i].segments.empty()) continue;
    r.headline = r.run.phases[i].segments.front();
    r.headline_sequence_length = s.phases[i].segments.front().sequence_length;
    r.routing = routing_report(s, s.phases[i].segments.front(), *r.headline, timer);
    break;
  }
  if (r.headline_sequence_length == 0 && !s.phases.empty() && s.phases.front().has_shape()) {
    r.headline_sequence_length = s.phases.front().segments.front().sequence_length;
  }
  if (r.headline_sequence_length > 0) {
    r.flops_causal = model_flops_per_token(s.model, r.headline_sequence_length, AttentionConvention::causal);
    r.flops_non_causal = model_flops_per_token(s.model, r.headline_sequence_length, AttentionConvention::non_causal);
  }
  const auto kernels = kernel_model(s.cluster);
  for (int k = 0; k < kKernelClassCount; ++k) {
    const auto kind = static_cast<KernelClass>(k);
    r.curves.push_back({kind, kernels.curve_use(kind)});
  }
  return r;
}

}  // namespace trainsim
