#include "models/parameter_count.hpp"

namespace trainsim {

std::int64_t attention_matmul_params(const ModelSpec& m) {
  const auto& a = m.attention;
  const std::int64_t h = m.hidden_size;
  if (a.kind == AttentionKind::gqa) {
    return h * a.num_heads * a.head_dim + 2 * h * a.num_kv_heads * a.head_dim + a.num_heads * a.head_dim * h;
  }
  const auto& mla = a.mla;
  const std::int64_t qk = mla.qk_nope_head_dim + mla.qk_rope_head_dim;
  const std::int64_t q = mla.q_lora_rank > 0 ? h * mla.q_lora_rank + mla.q_lora_rank * a.num_heads * qk
                                             : h * a.num_heads * qk;
  const std::int64_t kv = h * (mla.kv_lora_rank + mla.qk_rope_head_dim) +
                          mla.kv_lora_rank * a.num_heads * (mla.qk_nope_head_dim + mla.v_head_dim);
  return q + kv + a.num_heads * mla.v_head_dim * h;
}

std::int64_t ffn_matmul_params(const ModelSpec& m, std::int64_t intermediate) {
  const std::int64_t matrices = is_gated(m.ffn.activation) ? 3 : 2;
  return matrices * m.hidden_size * intermediate;
}

std::int64_t norm_params(const ModelSpec& m, std::int64_t width) {
  return m.norm == NormKind::layernorm ? 2 * width : width;
}

namespace {
std::int64_t attention_extras(const ModelSpec& m) {
  const auto& a = m.attention;
  std::int64_t extras = 0;
  if (a.qkv_bias) extras += (a.num_heads + 2 * a.num_kv_heads) * a.head_dim;
  if (a.output_bias) extras += m.hidden_size;
  if (a.qk_norm) extras += 2 * a.qk_head_dim();
  if (a.sinks) extras += a.num_heads;
  if (a.kind == AttentionKind::mla) {
    if (a.mla.q_lora_rank > 0) extras += a.mla.q_lora_rank;  // norm of the compressed query
    extras += a.mla.kv_lora_rank;                            // norm of the compressed key-value
  }
  return extras;
}

}  // namespace

std::int64_t ffn_bias_params(const ModelSpec& m, std::int64_t intermediate, bool biased) {
  return biased ? (is_gated(m.ffn.activation) ? 2 : 1) * intermediate + m.hidden_size : 0;
}

std::int64_t layer_norm_params(const ModelSpec& m) {
  return (m.parallel_block ? 1 : 2) * norm_params(m, m.hidden_size);
}

ParameterCounts count_parameters(const ModelSpec& m) {
  ParameterCounts c;
  const std::int64_t h = m.hidden_size;
  c.embedding = m.vocab_size * h;
  c.position_embedding = m.position_embedding == PositionEmbedding::learned ? m.max_sequence_length * h : 0;
  c.head = m.tied_embeddings ? 0 : m.vocab_size * h;
  c.final_norm = norm_params(m, h);
  c.attention_per_layer = attention_matmul_params(m) + attention_extras(m);
  c.embedding_norm = m.embedding_norm ? norm_params(m, h) : 0;
  c.layer_norms_per_layer = layer_norm_params(m);
  c.dense_ffn_per_layer =
      ffn_matmul_params(m, m.ffn.intermediate_size) + ffn_bias_params(m, m.ffn.intermediate_size, m.ffn.bias);

  std::int64_t moe_matmul_active = 0;
  if (m.moe) {
    const std::int64_t expert_matmul = ffn_matmul_params(m, m.moe->expert_intermediate_size);
    c.expert = expert_matmul + ffn_bias_params(m, m.moe->expert_intermediate_size, m.moe->expert_bias);
    c.router = h * m.moe->num_routed_experts + (m.moe->router_bias ? m.moe->num_routed_experts : 0);
    const std::int64_t experts_per_token = m.moe->top_k + m.moe->num_shared_experts;
    c.moe_total_per_layer = (m.moe->num_routed_experts + m.moe->num_shared_experts) * c.expert + c.router;
    moe_matmul_active = experts_per_token * expert_matmul + h * m.moe->num_routed_experts;
    c.moe_active_per_layer = experts_per_token * c.expert + c.router;
    c.moe_layers = m.num_layers - m.moe->first_dense_layers;
  }
  c.dense_layers = m.num_layers - c.moe_layers;

  const std::int64_t per_layer_common = c.attention_per_layer + c.layer_norms_per_layer;
  const std::int64_t io = c.embedding + c.position_embedding + c.embedding_norm + c.head + c.final_norm;
  c.total = io + m.num_layers * per_layer_common + c.dense_layers * c.dense_ffn_per_layer +
            c.moe_layers * c.moe_total_per_layer;
  c.active = io + m.num_layers * per_layer_common + c.dense_layers * c.dense_ffn_per_layer +
             c.moe_layers * c.moe_active_per_layer;
  c.matmul_active = m.num_layers * attention_matmul_params(m) +
                    c.dense_layers * ffn_matmul_params(m, m.ffn.intermediate_size) + c.moe_layers * moe_matmul_active +
                    m.vocab_size * h;  // the output projection runs even when tied

  if (m.mtp_depth > 0) {
    // DeepSeek-V3 sec.2.2: each MTP module is one transformer layer (of the model's last kind),
    // a 2h -> h projection and norms of the hidden state, the embedding and the head input.
    const bool moe_module = m.moe.has_value();
    const std::int64_t block = per_layer_common + (moe_module ? c.moe_total_per_layer : c.dense_ffn_per_layer);
    const std::int64_t block_active = per_layer_common + (moe_module ? c.moe_active_per_layer : c.dense_ffn_per_layer);
    const std::int64_t glue = 2 * h * h + 3 * norm_params(m, h);
    c.mtp_total = m.mtp_depth * (block + glue);
    c.mtp_active = m.mtp_depth * (block_active + glue);
  }
  return c;
}

}  // namespace trainsim
