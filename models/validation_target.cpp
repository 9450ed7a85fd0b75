#include "models/validation_target.hpp"

namespace trainsim {

std::string_view to_string(ValidationMetric m) {
  switch (m) {
    case ValidationMetric::step_time_s: return "step_time_s";
    case ValidationMetric::tflops_per_gpu: return "tflops_per_gpu";
    case ValidationMetric::tokens_per_s_per_gpu: return "tokens_per_s_per_gpu";
    case ValidationMetric::gpu_hours: return "gpu_hours";
    case ValidationMetric::gpu_hours_per_trillion_tokens: return "gpu_hours_per_trillion_tokens";
  }
  return "?";
}

namespace {
const std::vector<Choice<ValidationMetric>> kMetrics{
    {"step_time_s", ValidationMetric::step_time_s},
    {"tflops_per_gpu", ValidationMetric::tflops_per_gpu},
    {"tokens_per_s_per_gpu", ValidationMetric::tokens_per_s_per_gpu},
    {"gpu_hours", ValidationMetric::gpu_hours},
    {"gpu_hours_per_trillion_tokens", ValidationMetric::gpu_hours_per_trillion_tokens}};
const std::vector<Choice<FlopCounting>> kFlops{{"model", FlopCounting::model}, {"hardware", FlopCounting::hardware}};
const std::vector<Choice<AttentionConvention>> kAttention{{"causal", AttentionConvention::causal},
                                                          {"non_causal", AttentionConvention::non_causal}};
}  // namespace

std::optional<ValidationMetric> find_validation_metric(std::string_view name) {
  return find_choice(nlohmann::json(name), kMetrics);
}

ValidationTarget parse_validation_target(ObjectReader& r, const std::vector<TrainingPhase>& phases) {
  auto& diag = r.diagnostics();
  ValidationTarget t;
  t.row = r.string("row");
  t.citation = r.string("citation");
  t.convention = r.string("convention");
  const auto metric = r.optional_choice("metric", kMetrics);
  if (!metric && !r.has("metric")) {
    diag.error(child_pointer(r.pointer(), "metric"), "missing required key \"metric\"", "one of " + choice_names(kMetrics));
  }
  t.metric = metric.value_or(ValidationMetric::step_time_s);
  t.measured = r.number("measured", 1e-12);
  t.ci = r.boolean("ci");
  // Which other keys belong depends on the metric.
  const bool flops = metric == ValidationMetric::tflops_per_gpu;
  const bool hours = metric == ValidationMetric::gpu_hours || metric == ValidationMetric::gpu_hours_per_trillion_tokens;
  if (flops) {
    t.flops = r.choice("flops", kFlops);
    t.attention = r.choice("attention", kAttention);
  }
  if (hours) {
    t.phase = r.string("phase");
    bool known = t.phase == "all" && t.metric == ValidationMetric::gpu_hours;
    for (const auto& p : phases) known = known || p.name == t.phase;
    if (!known && r.has("phase")) {
      diag.error(child_pointer(r.pointer(), "phase"), "no phase named \"" + t.phase + "\"",
                 t.metric == ValidationMetric::gpu_hours ? "a phase name of /training/phases, or \"all\""
                                                         : "a phase name of /training/phases");
    }
  }
  if (metric) r.finish();  // without a metric the keys it would ask for are unknown
  return t;
}

}  // namespace trainsim
