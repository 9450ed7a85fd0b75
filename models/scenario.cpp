#include "models/scenario.hpp"

#include <filesystem>

#include "core/scale_limits.hpp"
#include "core/version.hpp"
#include "models/model_catalog.hpp"
#include "models/model_extends.hpp"
#include "models/plan_rules.hpp"

namespace trainsim {

double PhaseSegment::total_tokens() const {
  if (tokens) return *tokens;
  return static_cast<double>(steps.value_or(0)) * static_cast<double>(global_batch_size) *
         static_cast<double>(sequence_length);
}

namespace {

// Tokens in a phase: a quintillion, over 10,000 times the largest training run published.
constexpr double kMaxTokens = 1e18;

ModelSpec parse_model_field(ObjectReader& root) {
  const auto field = root.raw("model", true);
  if (!field) return {};
  auto& diag = root.diagnostics();
  if (field->node->is_string()) {
    const auto id = field->node->get<std::string>();
    if (const auto* m = find_model(id)) return *m;
    diag.error(field->pointer, "unknown model \"" + id + "\"", "catalog models: " + model_catalog_ids() + "; or give an object");
    return {};
  }
  const auto resolved = resolve_model_extends(*field->node, field->pointer, diag, find_model_json);
  if (!resolved) return {};
  ObjectReader inline_model(*resolved, field->pointer, diag);
  return parse_model_spec(inline_model);
}

PhaseFigures parse_figures(ObjectReader r) {
  PhaseFigures f;
  f.gpu_hours = r.optional_number("gpu_hours");
  f.gpu_hours_per_trillion_tokens = r.optional_number("gpu_hours_per_trillion_tokens");
  f.tokens_per_day = r.optional_number("tokens_per_day");
  f.source = r.string("source");
  if (f.empty()) {
    r.diagnostics().error(r.pointer(), "give gpu_hours, gpu_hours_per_trillion_tokens or tokens_per_day");
  }
  r.finish();
  return f;
}

// Reads the shape keys of a segment from `r` (a phase object or one of its "segments").
PhaseSegment parse_segment(ObjectReader& r, const ParallelPlan& base, std::int64_t gpu_count) {
  auto& diag = r.diagnostics();
  PhaseSegment seg;
  seg.pointer = r.pointer();
  seg.tokens = r.optional_number("tokens", 1.0, kMaxTokens);
  if (auto steps = r.optional_integer("steps", 1, limits::kMaxBatch)) seg.steps = *steps;
  if (seg.tokens && seg.steps) diag.error(r.pointer(), "give either \"tokens\" or \"steps\", not both");
  if (!seg.tokens && !seg.steps) {
    diag.error(r.pointer(), "a segment needs \"tokens\" or \"steps\"", "tokens: e.g. 14.8e12; steps: e.g. 1000");
  }
  seg.sequence_length = r.integer("sequence_length", 1, limits::kMaxSequence);
  seg.global_batch_size = r.integer("global_batch_size", 1, limits::kMaxBatch);
  if (auto ramp = r.optional_object("batch_ramp")) {
    BatchRamp b;
    b.start_global_batch_size = ramp->integer("start_global_batch_size", 1, limits::kMaxBatch);
    b.tokens = ramp->number("tokens", 1.0, kMaxTokens);
    ramp->finish();
    if (seg.global_batch_size > 0 && b.start_global_batch_size >= seg.global_batch_size) {
      diag.error(child_pointer(r.pointer(), "batch_ramp"), "a ramp must start below the global_batch_size");
    }
    if (seg.tokens && b.tokens > *seg.tokens) {
      diag.error(child_pointer(r.pointer(), "batch_ramp"), "the ramp cannot last longer than its segment");
    }
    seg.ramp = b;
  }
  seg.plan = base;
  if (auto override_plan = r.optional_object("parallel")) {
    seg.plan = parse_parallel_plan(*override_plan, &base, gpu_count);
    seg.plan_overridden = true;
  }
  return seg;
}

TrainingPhase parse_phase(const JsonRef& element, const ParallelPlan& base, std::int64_t gpu_count, Diagnostics& diag) {
  ObjectReader r(*element.node, element.pointer, diag);
  TrainingPhase p;
  p.pointer = element.pointer;
  p.name = r.string("name");
  if (auto given = r.optional_object("given")) p.given = parse_figures(*given);
  if (auto published = r.optional_object("published")) p.published = parse_figures(*published);
  if (r.has("segments")) {
    for (const auto& element_seg : r.array("segments")) {
      ObjectReader seg(*element_seg.node, element_seg.pointer, diag);
      p.segments.push_back(parse_segment(seg, base, gpu_count));
      seg.finish();
    }
  } else if (r.has("tokens") || r.has("steps")) {
    p.segments.push_back(parse_segment(r, base, gpu_count));
  } else if (!p.given.gpu_hours) {
    diag.error(element.pointer, "a phase needs a shape (tokens or steps, or \"segments\") or given gpu_hours",
               "a phase whose shape is unpublished can carry \"given\": {\"gpu_hours\": ..., \"source\": ...}");
  }
  r.finish();
  return p;
}

PublishedRun parse_published(ObjectReader r) {
  PublishedRun p;
  p.step_time = r.optional_seconds("step_time");
  p.tokens_per_day = r.optional_number("tokens_per_day");
  p.mfu_causal = r.optional_number("mfu_causal", 0.0, 1.0);
  p.mfu_non_causal = r.optional_number("mfu_non_causal", 0.0, 1.0);
  p.total_gpu_hours = r.optional_number("total_gpu_hours");
  p.cost_usd = r.optional_number("cost_usd");
  if (auto b = r.optional_object("step_breakdown")) {
    PublishedStepBreakdown s;
    s.forward = b->seconds("forward");
    s.bubble = b->seconds("bubble");
    s.backward = b->seconds("backward");
    s.weight = b->seconds("weight");
    s.overlapped = b->seconds("overlapped");
    s.optimizer = b->seconds("optimizer");
    b->finish();
    p.step_breakdown = s;
  }
  p.source = r.string("source");
  r.finish();
  return p;
}

}  // namespace

Scenario parse_scenario(const nlohmann::json& doc, const std::string& file, const std::string& base_dir) {
  Diagnostics diag(file);
  ObjectReader root(doc, "", diag);
  Scenario s;
  s.file = file;
  root.integer("schema_version", kScenarioSchemaVersion, kScenarioSchemaVersion);
  s.name = root.string("name");
  s.description = root.optional_string("description").value_or("");
  s.model = parse_model_field(root);
  {
    auto cluster = root.object("cluster");
    s.cluster = parse_cluster_spec(cluster, base_dir);
  }
  {
    auto plan = root.object("parallel");
    s.plan = parse_parallel_plan(plan, nullptr, s.cluster.gpu_count);
  }
  {
    auto training = root.object("training");
    for (const auto& element : training.array("phases")) s.phases.push_back(parse_phase(element, s.plan, s.cluster.gpu_count, diag));
    if (training.has("phases") && s.phases.empty()) diag.error("/training/phases", "a run needs at least one phase");
    training.finish();
  }
  {
    auto prices = root.object("prices");
    s.prices = parse_prices(prices, s.cluster.gpu);
  }
  if (auto reliability = root.optional_object("reliability")) s.reliability = parse_reliability(*reliability, s.cluster.gpu_count);
  if (auto published = root.optional_object("published")) s.published = parse_published(*published);
  if (auto planner = root.optional_object("planner")) s.planner = parse_planner_spec(*planner);
  if (auto validation = root.optional_object("validation")) s.validation = parse_validation_target(*validation, s.phases);
  root.finish();
  diag.throw_if_any();  // cross-field rules need every field read correctly

  report_plan_issues(plan_structure_issues(s.model, s.cluster, s.plan), "/parallel", diag);
  for (const auto& phase : s.phases) {
    for (const auto& seg : phase.segments) {
      const auto at = seg.plan_overridden ? child_pointer(seg.pointer, "parallel") : seg.pointer;
      if (seg.plan_overridden) report_plan_issues(plan_structure_issues(s.model, s.cluster, seg.plan), at, diag);
      report_plan_issues(plan_shape_issues(s.model, seg.plan, seg.sequence_length, seg.global_batch_size), at, diag);
    }
  }
  diag.throw_if_any();
  return s;
}

nlohmann::json scenario_document(const std::string& path, const std::vector<JsonOverride>& overrides) {
  Diagnostics diag(path);
  auto doc = read_json_file(path, diag);
  diag.throw_if_any();
  apply_overrides(*doc, overrides, diag);
  diag.throw_if_any();
  return std::move(*doc);
}

Scenario load_scenario(const std::string& path, const std::vector<JsonOverride>& overrides) {
  const auto dir = std::filesystem::path(path).parent_path().string();
  return parse_scenario(scenario_document(path, overrides), path, dir.empty() ? "." : dir);
}

}  // namespace trainsim
