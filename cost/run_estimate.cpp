#include "cost/run_estimate.hpp"

#include <memory>

namespace trainsim {

StepTimer closed_form_timer(const Scenario& scenario) {
  auto kernels = std::make_shared<const KernelTimeModel>(kernel_model(scenario.cluster));
  return [&scenario, kernels](const ParallelPlan& plan, const StepShape& shape) {
    return estimate_step(scenario.model, scenario.cluster, plan, *kernels, shape);
  };
}

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
