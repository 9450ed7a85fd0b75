#include "validation/validation_target.hpp"

#include "core/json_reader.hpp"

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

ValidationTarget validation_target(const Scenario& s) {
  Diagnostics diag(s.file);
  ValidationTarget t;
  if (s.validation.is_null()) {
    diag.error("/validation", "missing required key \"validation\"",
               "a validation scenario names its row, citation, metric, measured value and convention");
    diag.throw_if_any();
  }
  ObjectReader r(s.validation, "/validation", diag);
  t.row = r.string("row");
  t.citation = r.string("citation");
  t.convention = r.string("convention");
  t.metric = r.choice("metric", kMetrics);
  diag.throw_if_any();  // which other keys belong depends on the metric
  t.measured = r.number("measured", 1e-12);
  t.ci = r.boolean("ci");
  const bool flops = t.metric == ValidationMetric::tflops_per_gpu;
  const bool hours = t.metric == ValidationMetric::gpu_hours || t.metric == ValidationMetric::gpu_hours_per_trillion_tokens;
  if (flops) {
    t.flops = r.choice("flops", kFlops);
    t.attention = r.choice("attention", kAttention);
  }
  if (hours) {
    t.phase = r.string("phase");
    bool known = t.phase == "all" && t.metric == ValidationMetric::gpu_hours;
    for (const auto& p : s.phases) known = known || p.name == t.phase;
    if (!known && r.has("phase")) {
      diag.error("/validation/phase", "no phase named \"" + t.phase + "\"",
                 t.metric == ValidationMetric::gpu_hours ? "a phase name of /training/phases, or \"all\""
                                                         : "a phase name of /training/phases");
    }
  }
  r.finish();
  diag.throw_if_any();
  return t;
}

}  // namespace trainsim
