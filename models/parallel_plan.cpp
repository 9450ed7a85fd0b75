#include "models/parallel_plan.hpp"

#include <algorithm>

#include "core/scale_limits.hpp"
#include "core/unit_parser.hpp"
#include "models/schedule_traits.hpp"

namespace trainsim {

std::string_view to_string(Schedule s) { return schedule_traits(s).name(); }

namespace {

// The scenario spellings of the plan's kernel and recipe choices, which their names print.
const std::vector<Choice<Fp8Recipe>> kFp8Recipes{
    {"delayed", Fp8Recipe::delayed},
    {"tensorwise", Fp8Recipe::tensorwise},
    {"mxfp8", Fp8Recipe::mxfp8},
    {"blockwise", Fp8Recipe::blockwise},
};

const std::vector<Choice<CrossEntropyKernel>> kCrossEntropyKernels{
    {"megatron", CrossEntropyKernel::megatron},
    {"transformer_engine", CrossEntropyKernel::transformer_engine},
    {"transformer_engine_fp32_gradient", CrossEntropyKernel::transformer_engine_fp32_gradient},
};

template <class E>
std::string_view spelling(E value, const std::vector<Choice<E>>& choices) {
  for (const auto& choice : choices) {
    if (choice.value == value) return choice.name;
  }
  return "?";
}

}  // namespace

std::string_view to_string(CrossEntropyKernel k) { return spelling(k, kCrossEntropyKernels); }
std::string_view to_string(Fp8Recipe r) { return spelling(r, kFp8Recipes); }

namespace {

const std::vector<Choice<AttentionKernel>> kAttentionKernels{
    {"fused", AttentionKernel::fused},
    {"flash_attention_2", AttentionKernel::flash_attention_2},
    {"unfused", AttentionKernel::unfused},
};

const std::vector<Choice<RecomputePart>> kRecomputeParts{
    {"norm", RecomputePart::norm},
    {"mla_up_projection", RecomputePart::mla_up_projection},
    {"attention_core", RecomputePart::attention_core},
    {"activation", RecomputePart::activation},
    {"expert_activation", RecomputePart::expert_activation},
    // Megatron-Core's --recompute-modules names (transformer_config.py recompute_modules) for the
    // same parts; a scenario can write what its recipe wrote.
    {"core_attn", RecomputePart::attention_core},
    {"layernorm", RecomputePart::norm},
    {"mla_up_proj", RecomputePart::mla_up_projection},
    {"moe_act", RecomputePart::expert_activation},
};

// Megatron-Core modules recomputed whole, which trainsim does not model yet: refused by name.
const std::vector<std::string_view> kWholeModules{"mlp", "moe", "shared_experts"};

// The parts in `bits`, each once, by trainsim's name (listed before Megatron-Core's).
std::vector<std::string_view> part_names(unsigned bits) {
  std::vector<std::string_view> names;
  unsigned named = 0;
  for (const auto& part : kRecomputeParts) {
    const auto bit = static_cast<unsigned>(part.value);
    if ((bits & bit) != 0 && (named & bit) == 0) {
      names.push_back(part.name);
      named |= bit;
    }
  }
  return names;
}

}  // namespace

std::string RecomputeSet::describe() const {
  if (bits_ == 0) return "none";
  if (has(RecomputePart::full_layer)) return "full";
  std::string text;
  for (const auto name : part_names(bits_)) {
    if (!text.empty()) text += '+';
    text += name;
  }
  return text;
}

std::vector<Choice<Schedule>> schedule_choices() {
  std::vector<Choice<Schedule>> choices;
  for (const auto* traits : all_schedules()) choices.push_back({traits->name(), traits->id()});
  return choices;
}

const std::vector<Choice<Precision>>& gemm_precision_choices() {
  static const std::vector<Choice<Precision>> choices{{"bf16", Precision::bf16}, {"fp8", Precision::fp8}};
  return choices;
}

std::optional<RecomputeSet> parse_recomputation(const JsonRef& field, Diagnostics& diag) {
  const auto& node = *field.node;
  const std::string hint = "\"none\", \"selective\" (attention core), \"full\", or a list of parts: norm, "
                           "mla_up_projection, attention_core, activation, expert_activation (or Megatron-Core's "
                           "layernorm, mla_up_proj, core_attn, moe_act)";
  if (node.is_string()) {
    const auto& text = node.get_ref<const std::string&>();
    if (text == "none") return RecomputeSet();
    if (text == "selective") return RecomputeSet(static_cast<unsigned>(RecomputePart::attention_core));
    if (text == "full") return RecomputeSet(static_cast<unsigned>(RecomputePart::full_layer));
  } else if (node.is_array()) {
    unsigned bits = 0;
    bool ok = true;
    for (std::size_t i = 0; i < node.size(); ++i) {
      bool found = false;
      for (const auto& part : kRecomputeParts) {
        if (node[i].is_string() && node[i].get_ref<const std::string&>() == part.name) {
          bits |= static_cast<unsigned>(part.value);
          found = true;
        }
      }
      if (!found) {
        const bool whole = node[i].is_string() && std::find(kWholeModules.begin(), kWholeModules.end(),
                                                            node[i].get_ref<const std::string&>()) != kWholeModules.end();
        diag.error(child_pointer(field.pointer, i),
                   whole ? "Megatron-Core's recomputation of the whole " + node[i].get<std::string>() +
                               " module is not modelled yet"
                         : "unknown recomputation part " + describe_json(node[i]),
                   hint);
        ok = false;
      }
    }
    if (ok) return RecomputeSet(bits);
    return std::nullopt;
  }
  diag.error(field.pointer, "expected a recomputation mode, got " + describe_json(node), hint);
  return std::nullopt;
}

nlohmann::json recomputation_json(RecomputeSet recompute) {
  if (recompute == RecomputeSet()) return "none";
  if (recompute.has(RecomputePart::full_layer)) return "full";
  if (recompute == RecomputeSet(static_cast<unsigned>(RecomputePart::attention_core))) return "selective";
  nlohmann::json parts = nlohmann::json::array();
  for (const auto name : part_names(recompute.bits())) parts.push_back(std::string(name));
  return parts;
}

void write_searched_fields(const ParallelPlan& p, nlohmann::json& parallel) {
  parallel["tensor_parallel"] = p.tensor;
  parallel["pipeline_parallel"] = p.pipeline;
  parallel["data_parallel"] = p.data;
  parallel["expert_parallel"] = p.expert;
  parallel["context_parallel"] = p.context;
  if (p.expert_tensor == 0) {
    parallel.erase("expert_tensor_parallel");  // Megatron-Core's default: as tensor parallelism
  } else {
    parallel["expert_tensor_parallel"] = p.expert_tensor;
  }
  parallel["schedule"] = std::string(schedule_traits(p.schedule).name());
  parallel["virtual_stages"] = p.virtual_stages;
  parallel["micro_batch_size"] = p.micro_batch_size;
  parallel["zero_stage"] = p.zero_stage;
  parallel["recomputation"] = recomputation_json(p.recompute);
  parallel["precision"] = std::string(to_string(p.precision));
  parallel.erase("layers_per_chunk");  // the planner balances the split itself
}

namespace {

Precision parse_precision(ObjectReader& r, std::string_view key, Precision fallback, bool allow_fp8) {
  static const std::vector<Choice<Precision>> storage{{"bf16", Precision::bf16}, {"fp32", Precision::fp32}};
  const auto p = r.optional_choice<Precision>(key, allow_fp8 ? gemm_precision_choices() : storage);
  return p.value_or(fallback);
}

}  // namespace

namespace {

// "data_parallel": a degree, or "auto" for the GPUs the other degrees leave; 0 until resolved.
std::int64_t data_degree(ObjectReader& r, const ParallelPlan* base, std::int64_t fallback) {
  if (const auto field = r.raw("data_parallel", false); field && *field->node == "auto") return 0;
  if (base == nullptr) return r.integer("data_parallel", 1, limits::kMaxGpus);
  return r.optional_integer("data_parallel", 1, limits::kMaxGpus).value_or(fallback);
}

}  // namespace

ParallelPlan parse_parallel_plan(ObjectReader& r, const ParallelPlan* base, std::int64_t gpu_count) {
  const ParallelPlan defaults = base != nullptr ? *base : ParallelPlan{};
  ParallelPlan p = defaults;
  const auto degree = [&](std::string_view key, std::int64_t fallback, bool required) {
    if (required && base == nullptr) return r.integer(key, 1, limits::kMaxGpus);
    return r.optional_integer(key, 1, limits::kMaxGpus).value_or(fallback);
  };
  p.tensor = degree("tensor_parallel", defaults.tensor, true);
  p.pipeline = degree("pipeline_parallel", defaults.pipeline, true);
  p.data = data_degree(r, base, defaults.data);
  p.expert = degree("expert_parallel", defaults.expert, false);
  p.context = degree("context_parallel", defaults.context, false);
  p.expert_tensor = degree("expert_tensor_parallel", defaults.expert_tensor, false);
  p.virtual_stages = degree("virtual_stages", defaults.virtual_stages, false);
  p.schedule = base == nullptr ? r.choice("schedule", schedule_choices())
                               : r.optional_choice("schedule", schedule_choices()).value_or(defaults.schedule);
  p.micro_batch_size = base == nullptr ? r.integer("micro_batch_size", 1, limits::kMaxBatch)
                                       : r.optional_integer("micro_batch_size", 1, limits::kMaxBatch).value_or(defaults.micro_batch_size);
  p.zero_stage = static_cast<int>(base == nullptr ? r.integer("zero_stage", 0, 3)
                                                  : r.optional_integer("zero_stage", 0, 3).value_or(defaults.zero_stage));
  const auto recomputation = r.raw("recomputation", false);
  if (const auto rs = recomputation ? parse_recomputation(*recomputation, r.diagnostics()) : std::nullopt) {
    p.recompute = *rs;
  } else if (base == nullptr && !r.has("recomputation")) {
    r.diagnostics().error(child_pointer(r.pointer(), "recomputation"), "missing required key \"recomputation\"",
                          "\"none\", \"selective\", \"full\" or a list of parts");
  }
  if (base == nullptr && !r.has("precision")) {
    r.diagnostics().error(child_pointer(r.pointer(), "precision"), "missing required key \"precision\"", "\"bf16\" or \"fp8\"");
  }
  p.precision = parse_precision(r, "precision", defaults.precision, true);
  p.optimizer_moment_precision = parse_precision(r, "optimizer_moment_precision", defaults.optimizer_moment_precision, false);
  p.gradient_precision = parse_precision(r, "gradient_precision", defaults.gradient_precision, false);
  p.communication_sms = r.optional_integer("communication_sms", 0, limits::kMaxGpus).value_or(defaults.communication_sms);
  p.sequence_parallel = r.optional_boolean("sequence_parallel").value_or(defaults.sequence_parallel);
  p.attention_kernel = r.optional_choice("attention_kernel", kAttentionKernels).value_or(defaults.attention_kernel);
  p.cross_entropy = r.optional_choice("cross_entropy", kCrossEntropyKernels).value_or(defaults.cross_entropy);
  p.fp8_recipe = r.optional_choice("fp8_recipe", kFp8Recipes).value_or(defaults.fp8_recipe);
  p.overlap_data_parallel = r.optional_boolean("overlap_data_parallel").value_or(defaults.overlap_data_parallel);
  p.tp_comm_overlap = r.optional_boolean("tp_comm_overlap").value_or(defaults.tp_comm_overlap);
  p.cuda_graphs = r.optional_boolean("cuda_graphs").value_or(defaults.cuda_graphs);
  p.moe_pad_to_capacity = r.optional_boolean("moe_pad_to_capacity").value_or(defaults.moe_pad_to_capacity);
  // Stated default: 4 GiB per GPU for the CUDA context, NCCL/DeepEP buffers and allocator slack
  // (README.md, "Memory model"); scenarios override it with evidence when they have some.
  p.memory_overhead = r.optional_bytes("memory_overhead").value_or(base != nullptr ? defaults.memory_overhead : Bytes(4LL << 30));
  if (auto counts = r.raw("layers_per_chunk", false)) {
    p.layers_per_chunk.clear();
    bool ok = counts->node->is_array();
    if (ok) {
      for (const auto& n : *counts->node) {
        if (!n.is_number_integer() || n.get<std::int64_t>() < 0 || n.get<std::int64_t>() > limits::kMaxLayers) ok = false;
        if (ok) p.layers_per_chunk.push_back(n.get<std::int64_t>());
      }
    }
    if (!ok) {
      r.diagnostics().error(counts->pointer, "expected an array of layer counts in [0, " + std::to_string(limits::kMaxLayers) +
                                                 "], one per pipeline chunk");
      p.layers_per_chunk.clear();
    }
  }
  if (auto routing = r.optional_object("routing")) p.routing = parse_routing(*routing);
  if (p.moe_pad_to_capacity && (p.routing.distribution != RoutingDistribution::balanced || p.routing.redundant_experts > 0)) {
    // Above capacity a skewed load drops tokens, which trainsim does not model.
    r.diagnostics().error(child_pointer(r.pointer(), "moe_pad_to_capacity"),
                          "moe_pad_to_capacity needs balanced routing without redundant experts: above capacity a skewed load drops tokens, which is not modelled",
                          "balanced routing, or \"moe_pad_to_capacity\": false");
  }
  if (p.data == 0) {
    const auto others = p.tensor * p.pipeline * p.context;
    if (gpu_count > 0 && others > 0 && gpu_count % others == 0) {
      p.data = gpu_count / others;
    } else {
      p.data = 1;
      if (gpu_count > 0 && others > 0) {
        r.diagnostics().error(child_pointer(r.pointer(), "data_parallel"),
                              "\"auto\" needs cluster.gpu_count (" + std::to_string(gpu_count) +
                                  ") to be a multiple of tensor x pipeline x context = " + std::to_string(others),
                              "give the degree, or a gpu_count that is a multiple of " + std::to_string(others));
      }
    }
  }
  r.finish();
  return p;
}

}  // namespace trainsim
