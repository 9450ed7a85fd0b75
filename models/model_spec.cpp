#include "models/model_spec.hpp"

#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "core/scale_limits.hpp"
#include "models/parameter_count.hpp"

namespace trainsim {

std::int64_t AttentionSpec::qk_head_dim() const {
  return kind == AttentionKind::mla ? mla.qk_nope_head_dim + mla.qk_rope_head_dim : head_dim;
}

std::int64_t AttentionSpec::v_head_dim() const {
  return kind == AttentionKind::mla ? mla.v_head_dim : head_dim;
}

bool ModelSpec::is_moe_layer(std::int64_t layer) const {
  return moe.has_value() && layer >= moe->first_dense_layers;
}

bool ModelSpec::is_sliding_layer(std::int64_t layer) const {
  const auto& w = attention.sliding_window;
  return w && w->pattern[static_cast<std::size_t>(layer) % w->pattern.size()];
}

std::int64_t ModelSpec::sliding_layers() const {
  std::int64_t n = 0;
  for (std::int64_t l = 0; l < num_layers; ++l) n += is_sliding_layer(l) ? 1 : 0;
  return n;
}

namespace {

SlidingWindow parse_sliding_window(ObjectReader r) {
  SlidingWindow w;
  w.window = r.integer("window", 1, limits::kMaxSequence);
  if (r.has("pattern")) {
    const std::vector<Choice<bool>> spans{{"sliding", true}, {"full", false}};
    std::vector<bool> pattern;
    for (const auto& element : r.array("pattern")) pattern.push_back(element_choice(element, spans, r.diagnostics()).value_or(true));
    if (pattern.empty() || pattern.size() > static_cast<std::size_t>(limits::kMaxLayers)) {
      r.diagnostics().error(child_pointer(r.pointer(), "pattern"), "expected 1 to " + std::to_string(limits::kMaxLayers) +
                                                                       " entries, \"sliding\" or \"full\"",
                            "cycled over the layers: GPT-OSS is [\"sliding\", \"full\"]");
    } else {
      w.pattern = std::move(pattern);
    }
  }
  r.finish();
  return w;
}

AttentionSpec parse_attention(ObjectReader r, std::int64_t hidden) {
  AttentionSpec a;
  a.kind = r.choice<AttentionKind>("kind", {{"mha", AttentionKind::gqa}, {"gqa", AttentionKind::gqa},
                                            {"mla", AttentionKind::mla}});
  a.num_heads = r.integer("num_heads", 1, limits::kMaxHeads);
  if (a.kind == AttentionKind::gqa) {
    a.num_kv_heads = r.optional_integer("num_kv_heads", 1, limits::kMaxHeads).value_or(a.num_heads);
    const auto head_dim = r.optional_integer("head_dim", 1, limits::kMaxHeadDim);
    a.head_dim = head_dim.value_or(hidden / a.num_heads);
    if (!head_dim && a.head_dim == 0) {
      r.diagnostics().error(child_pointer(r.pointer(), "num_heads"),
                            "more heads (" + std::to_string(a.num_heads) + ") than hidden_size (" + std::to_string(hidden) +
                                ") leaves no width per head",
                            "give \"head_dim\" when heads are not hidden_size / num_heads wide");
    }
    if (a.num_heads % a.num_kv_heads != 0) {
      r.diagnostics().error(child_pointer(r.pointer(), "num_kv_heads"),
                            "num_heads must be a multiple of num_kv_heads");
    }
  } else {
    auto m = r.object("mla");
    a.mla.q_lora_rank = m.integer("q_lora_rank", 0, limits::kMaxWidth);
    a.mla.kv_lora_rank = m.integer("kv_lora_rank", 1, limits::kMaxWidth);
    a.mla.qk_nope_head_dim = m.integer("qk_nope_head_dim", 1, limits::kMaxHeadDim);
    a.mla.qk_rope_head_dim = m.integer("qk_rope_head_dim", 0, limits::kMaxHeadDim);
    a.mla.v_head_dim = m.integer("v_head_dim", 1, limits::kMaxHeadDim);
    m.finish();
  }
  if (a.num_heads * std::max(a.qk_head_dim(), a.v_head_dim()) > limits::kMaxAttentionWidth) {
    r.diagnostics().error(child_pointer(r.pointer(), "num_heads"),
                          "num_heads x head width exceeds " + std::to_string(limits::kMaxAttentionWidth),
                          "beyond any published model (core/scale_limits.hpp)");
  }
  a.qkv_bias = r.optional_boolean("qkv_bias").value_or(false);
  a.output_bias = r.optional_boolean("output_bias").value_or(false);
  a.qk_norm = r.optional_boolean("qk_norm").value_or(false);
  a.sinks = r.optional_boolean("sinks").value_or(false);
  if (auto w = r.optional_object("sliding_window")) a.sliding_window = parse_sliding_window(*w);
  r.finish();
  return a;
}

FfnSpec parse_ffn(ObjectReader r) {
  FfnSpec f;
  f.activation = r.choice<Activation>("activation", {{"swiglu", Activation::swiglu},
                                                     {"geglu", Activation::geglu},
                                                     {"gelu", Activation::gelu},
                                                     {"squared_relu", Activation::squared_relu}});
  f.intermediate_size = r.integer("intermediate_size", 1, limits::kMaxWidth);
  f.bias = r.optional_boolean("bias").value_or(false);
  r.finish();
  return f;
}

MoeSpec parse_moe(ObjectReader r, std::int64_t num_layers) {
  MoeSpec m;
  m.num_routed_experts = r.integer("num_routed_experts", 1, limits::kMaxExperts);
  m.num_shared_experts = r.optional_integer("num_shared_experts", 0, limits::kMaxExperts).value_or(0);
  m.top_k = r.integer("top_k", 1, limits::kMaxExperts);
  m.expert_intermediate_size = r.integer("expert_intermediate_size", 1, limits::kMaxWidth);
  m.first_dense_layers = r.optional_integer("first_dense_layers", 0, num_layers).value_or(0);
  m.max_nodes_per_token = r.optional_integer("max_nodes_per_token", 0, limits::kMaxGpus).value_or(0);
  if ((m.num_routed_experts + m.num_shared_experts) * m.expert_intermediate_size > limits::kMaxExpertWidthPerLayer) {
    r.diagnostics().error(child_pointer(r.pointer(), "expert_intermediate_size"),
                          "experts x expert_intermediate_size exceeds " + std::to_string(limits::kMaxExpertWidthPerLayer),
                          "beyond any published model (core/scale_limits.hpp)");
  }
  m.router_bias = r.optional_boolean("router_bias").value_or(false);
  m.expert_bias = r.optional_boolean("expert_bias").value_or(false);
  if (m.top_k > m.num_routed_experts) {
    r.diagnostics().error(child_pointer(r.pointer(), "top_k"), "top_k cannot exceed num_routed_experts");
  }
  r.finish();
  return m;
}

}  // namespace

ModelSpec parse_model_spec(ObjectReader& r) {
  ModelSpec m;
  m.id = r.string("id");
  m.name = r.string("name");
  for (const auto& s : r.array("sources")) {
    if (s.node->is_string()) {
      m.sources.push_back(s.node->get<std::string>());
    } else {
      r.diagnostics().error(s.pointer, "expected a string, got " + describe_json(*s.node));
    }
  }
  if (m.sources.empty()) {
    r.diagnostics().error(child_pointer(r.pointer(), "sources"), "a model needs the source of its hyper-parameters",
                          "cite the paper table or the config file");
  }
  m.vocab_size = r.integer("vocab_size", 1, limits::kMaxVocab);
  m.hidden_size = r.integer("hidden_size", 1, limits::kMaxWidth);
  m.num_layers = r.integer("num_layers", 1, limits::kMaxLayers);
  m.max_sequence_length = r.integer("max_sequence_length", 1, limits::kMaxSequence);
  m.attention = parse_attention(r.object("attention"), m.hidden_size);
  m.ffn = parse_ffn(r.object("ffn"));
  if (auto moe = r.optional_object("moe")) m.moe = parse_moe(*moe, m.num_layers);
  m.norm = r.choice<NormKind>("norm", {{"rmsnorm", NormKind::rmsnorm}, {"layernorm", NormKind::layernorm}});
  m.position_embedding =
      r.choice<PositionEmbedding>("position_embedding", {{"rope", PositionEmbedding::rope},
                                                         {"learned", PositionEmbedding::learned},
                                                         {"alibi", PositionEmbedding::alibi}});
  m.tied_embeddings = r.boolean("tied_embeddings");
  m.embedding_norm = r.optional_boolean("embedding_norm").value_or(false);
  m.parallel_block = r.optional_boolean("parallel_block").value_or(false);
  if (m.parallel_block && m.moe) {
    r.diagnostics().error(child_pointer(r.pointer(), "parallel_block"),
                          "a parallel attention + MLP block is modelled for dense layers only",
                          "no published MoE model uses it; remove \"parallel_block\" or \"moe\"");
  }
  m.mtp_depth = r.optional_integer("mtp_depth", 0, 8).value_or(0);
  m.attention_dropout = r.optional_number("attention_dropout", 0.0, 0.99).value_or(0.0);
  m.hidden_dropout = r.optional_number("hidden_dropout", 0.0, 0.99).value_or(0.0);
  if (auto pub = r.optional_object("published")) {
    m.published.total_params = pub->optional_number("total_params");
    m.published.active_params = pub->optional_number("active_params");
    m.published.source = pub->string("source");
    pub->finish();
  }
  // The field bounds keep this count inside int64; the cap keeps every byte count derived
  // from it (weights, gradients, optimizer state, checkpoints) there too.
  if (const auto total = static_cast<double>(count_parameters(m).total); total > limits::kMaxParameters) {
    r.diagnostics().error(child_pointer(r.pointer(), "num_layers"),
                          fmt::format("the model has {:.3g} parameters; at most {:.0e} are accepted", total, limits::kMaxParameters),
                          "beyond any published model (core/scale_limits.hpp)");
  }
  r.finish();
  return m;
}

}  // namespace trainsim
