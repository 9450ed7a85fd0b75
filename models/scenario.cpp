#include "models/scenario.hpp"

#include <filesystem>

#include "models/model_catalog.hpp"
#include "models/pipeline_layout.hpp"

namespace trainsim {

double PhaseSegment::total_tokens() const {
  if (tokens) return *tokens;
  return static_cast<double>(steps.value_or(0)) * static_cast<double>(global_batch_size) *
         static_cast<double>(sequence_length);
}

namespace {

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
  ObjectReader inline_model(*field->node, field->pointer, diag);
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
PhaseSegment parse_segment(ObjectReader& r, const ParallelPlan& base) {
  auto& diag = r.diagnostics();
  PhaseSegment seg;
  seg.pointer = r.pointer();
  seg.tokens = r.optional_number("tokens", 1.0);
  if (auto steps = r.optional_integer("steps", 1)) seg.steps = *steps;
  if (seg.tokens && seg.steps) diag.error(r.pointer(), "give either \"tokens\" or \"steps\", not both");
  if (!seg.tokens && !seg.steps) {
    diag.error(r.pointer(), "a segment needs \"tokens\" or \"steps\"", "tokens: e.g. 14.8e12; steps: e.g. 1000");
  }
  seg.sequence_length = r.integer("sequence_length", 1);
  seg.global_batch_size = r.integer("global_batch_size", 1);
  if (auto ramp = r.optional_object("batch_ramp")) {
    BatchRamp b;
    b.start_global_batch_size = ramp->integer("start_global_batch_size", 1);
    b.tokens = ramp->number("tokens", 1.0);
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
    seg.plan = parse_parallel_plan(*override_plan, &base);
    seg.plan_overridden = true;
  }
  return seg;
}

TrainingPhase parse_phase(const JsonRef& element, const ParallelPlan& base, Diagnostics& diag) {
  ObjectReader r(*element.node, element.pointer, diag);
  TrainingPhase p;
  p.pointer = element.pointer;
  p.name = r.string("name");
  if (auto given = r.optional_object("given")) p.given = parse_figures(*given);
  if (auto published = r.optional_object("published")) p.published = parse_figures(*published);
  if (r.has("segments")) {
    for (const auto& element_seg : r.array("segments")) {
      ObjectReader seg(*element_seg.node, element_seg.pointer, diag);
      p.segments.push_back(parse_segment(seg, base));
      seg.finish();
    }
  } else if (r.has("tokens") || r.has("steps")) {
    p.segments.push_back(parse_segment(r, base));
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

void check_divides(Diagnostics& diag, const std::string& pointer, std::int64_t divisor, std::int64_t value,
                   const std::string& what) {
  if (divisor > 0 && value % divisor != 0) {
    diag.error(pointer, what + " (" + std::to_string(value) + ") is not divisible by " + std::to_string(divisor));
  }
}

}  // namespace

static void validate_plan_structure(const ModelSpec& m, const ClusterSpec& c, const ParallelPlan& p, const std::string& at,
                             Diagnostics& diag) {
  const auto ptr = [&](std::string_view key) { return child_pointer(at, key); };
  if (p.gpus() != c.gpu_count) {
    diag.error(at, "tensor x pipeline x data x context = " + std::to_string(p.gpus()) + " but the cluster has " +
                       std::to_string(c.gpu_count) + " GPUs",
               "the four degrees must multiply to cluster.gpu_count");
  }
  const auto& a = m.attention;
  check_divides(diag, ptr("tensor_parallel"), p.tensor, a.num_heads, "num_heads");
  if (a.kind == AttentionKind::gqa && a.num_kv_heads % p.tensor != 0 && p.tensor % a.num_kv_heads != 0) {
    diag.error(ptr("tensor_parallel"), "tensor_parallel must divide num_kv_heads or be a multiple of it");
  }
  check_divides(diag, ptr("tensor_parallel"), p.tensor, m.ffn.intermediate_size, "ffn intermediate_size");
  if (p.expert > 1 && !m.moe) diag.error(ptr("expert_parallel"), "expert_parallel > 1 needs a mixture-of-experts model");
  if (m.moe) {
    check_divides(diag, ptr("expert_parallel"), p.expert, m.moe->num_routed_experts, "num_routed_experts");
    check_divides(diag, ptr("expert_parallel"), p.expert, p.data * p.context, "data_parallel x context_parallel");
    if (p.expert == 1) check_divides(diag, ptr("tensor_parallel"), p.tensor, m.moe->expert_intermediate_size, "expert_intermediate_size");
  }
  if (p.attention_kernel == AttentionKernel::unfused && p.context > 1) {
    diag.error(ptr("attention_kernel"), "context parallelism (ring attention) needs fused attention kernels",
               "set \"attention_kernel\" to \"fused\" or \"flash_attention_2\", or context_parallel 1");
  }
  if (p.schedule != Schedule::interleaved_1f1b && p.virtual_stages != 1) {
    diag.error(ptr("virtual_stages"), "virtual_stages > 1 needs schedule \"interleaved_1f1b\"");
  }
  if (p.schedule == Schedule::interleaved_1f1b && p.virtual_stages < 2) {
    diag.error(ptr("virtual_stages"), "interleaved_1f1b needs virtual_stages >= 2");
  }
  // The first and last chunks may hold only the embedding and only the head (Llama 3's
  // balanced pipeline, arXiv:2407.21783 sec.3.3.2); every other chunk needs a layer.
  if (chunk_count(p) > m.num_layers + 2) {
    diag.error(ptr("pipeline_parallel"), "the schedule splits the model into " + std::to_string(chunk_count(p)) +
                                             " chunks but it has only " + std::to_string(m.num_layers) +
                                             " layers plus the embedding and the head");
  }
  if (!p.layers_per_chunk.empty()) {
    std::int64_t total = 0;
    for (const auto layers : p.layers_per_chunk) total += layers;
    if (static_cast<std::int64_t>(p.layers_per_chunk.size()) != chunk_count(p) || total != m.num_layers) {
      diag.error(ptr("layers_per_chunk"), "needs " + std::to_string(chunk_count(p)) + " counts summing to the model's " +
                                              std::to_string(m.num_layers) + " layers");
    }
  }
  if (p.schedule == Schedule::dualpipe && p.pipeline % 2 != 0) {
    diag.error(ptr("pipeline_parallel"), "DualPipe needs an even number of pipeline ranks");
  }
  if (p.precision == Precision::fp8 && !c.gpu.peak(Precision::fp8)) {
    diag.error(ptr("precision"), "GPU " + c.gpu.id + " has no FP8 tensor cores", "use \"bf16\"");
  }
  if (c.gpu.sm_count && p.communication_sms >= *c.gpu.sm_count) {
    diag.error(ptr("communication_sms"), "cannot reserve " + std::to_string(p.communication_sms) + " of " +
                                             std::to_string(*c.gpu.sm_count) + " SMs");
  }
}

static void validate_plan_shape(const ModelSpec& m, const ParallelPlan& p, std::int64_t seq, std::int64_t gbs,
                         const std::string& at, Diagnostics& diag) {
  const auto ptr = [&](std::string_view key) { return child_pointer(at, key); };
  check_divides(diag, ptr("context_parallel"), p.context > 1 ? 2 * p.context : 1, seq,
                "sequence_length (context parallelism splits it into 2 x context_parallel load-balanced chunks)");
  if (m.position_embedding == PositionEmbedding::learned && seq > m.max_sequence_length) {
    diag.error(at, "sequence_length " + std::to_string(seq) + " exceeds the model's learned positions (" +
                       std::to_string(m.max_sequence_length) + ")");
  }
  const std::int64_t per_pipeline = p.data * p.micro_batch_size;
  if (gbs % per_pipeline != 0) {
    diag.error(at, "global_batch_size " + std::to_string(gbs) + " is not a multiple of data_parallel x micro_batch_size = " +
                       std::to_string(per_pipeline));
    return;
  }
  const std::int64_t n = gbs / per_pipeline;
  if (p.schedule == Schedule::interleaved_1f1b && n % p.pipeline != 0) {
    diag.error(at, std::to_string(n) + " micro-batches per pipeline: interleaved 1F1B needs a multiple of pipeline_parallel");
  }
  if ((p.schedule == Schedule::dualpipe || p.schedule == Schedule::dualpipe_v) && (n % 2 != 0 || n < 2 * p.pipeline)) {
    diag.error(at, std::to_string(n) + " micro-batches per pipeline: DualPipe needs an even number, at least 2 x pipeline_parallel = " +
                       std::to_string(2 * p.pipeline),
               "deepseek-ai/DualPipe dualpipe.py step(): num_chunks % 2 == 0 and num_chunks >= num_ranks * 2");
  }
}

void validate_plan(const ModelSpec& m, const ClusterSpec& c, const ParallelPlan& p, std::int64_t seq,
                   std::int64_t gbs, const std::string& at, Diagnostics& diag) {
  validate_plan_structure(m, c, p, at, diag);
  validate_plan_shape(m, p, seq, gbs, at, diag);
}

Scenario parse_scenario(const nlohmann::json& doc, const std::string& file, const std::string& base_dir) {
  Diagnostics diag(file);
  ObjectReader root(doc, "", diag);
  Scenario s;
  s.file = file;
  root.integer("schema_version", 1, 1);
  s.name = root.string("name");
  s.description = root.optional_string("description").value_or("");
  s.model = parse_model_field(root);
  {
    auto cluster = root.object("cluster");
    s.cluster = parse_cluster_spec(cluster, base_dir);
  }
  {
    auto plan = root.object("parallel");
    s.plan = parse_parallel_plan(plan, nullptr);
  }
  {
    auto training = root.object("training");
    for (const auto& element : training.array("phases")) s.phases.push_back(parse_phase(element, s.plan, diag));
    if (training.has("phases") && s.phases.empty()) diag.error("/training/phases", "a run needs at least one phase");
    training.finish();
  }
  {
    auto prices = root.object("prices");
    s.prices = parse_prices(prices, s.cluster.gpu);
  }
  if (auto reliability = root.optional_object("reliability")) s.reliability = parse_reliability(*reliability, s.cluster.gpu_count);
  if (auto published = root.optional_object("published")) s.published = parse_published(*published);
  if (const auto planner = root.raw("planner", false)) s.planner = *planner->node;
  if (const auto validation = root.raw("validation", false)) s.validation = *validation->node;
  root.finish();
  diag.throw_if_any();  // cross-field rules need every field read correctly

  validate_plan_structure(s.model, s.cluster, s.plan, "/parallel", diag);
  for (const auto& phase : s.phases) {
    for (const auto& seg : phase.segments) {
      const auto at = seg.plan_overridden ? child_pointer(seg.pointer, "parallel") : seg.pointer;
      if (seg.plan_overridden) validate_plan_structure(s.model, s.cluster, seg.plan, at, diag);
      validate_plan_shape(s.model, seg.plan, seg.sequence_length, seg.global_batch_size, at, diag);
    }
  }
  diag.throw_if_any();
  return s;
}

Scenario load_scenario(const std::string& path) {
  Diagnostics diag(path);
  auto doc = read_json_file(path, diag);
  diag.throw_if_any();
  const auto dir = std::filesystem::path(path).parent_path().string();
  return parse_scenario(*doc, path, dir.empty() ? "." : dir);
}

}  // namespace trainsim
