#include "models/flop_count.hpp"

#include "hardware/kernel.hpp"
#include "models/parameter_count.hpp"

namespace trainsim {

std::string_view to_string(AttentionConvention c) {
  return c == AttentionConvention::causal ? "causal" : "non-causal";
}

namespace {
// Forward FLOPs of one layer's attention core for one query token, over `window` keys at most
// (0: all): the pairs of the attention kernel's convention (hardware/kernel.hpp), per query.
double attention_forward_per_token(const ModelSpec& m, std::int64_t seq, AttentionConvention c, std::int64_t window) {
  const AttentionShape shape{.seq_q = seq, .seq_kv = seq, .causal = c == AttentionConvention::causal, .window = window};
  const double keys = attention_pairs_per_head(shape) / static_cast<double>(seq);
  return 2.0 * static_cast<double>(m.attention.num_heads) *
         static_cast<double>(m.attention.qk_head_dim() + m.attention.v_head_dim()) * keys;
}

// The same over the model's transformer layers, each with its attention span.
double attention_forward_all_layers(const ModelSpec& m, std::int64_t seq, AttentionConvention c) {
  const auto sliding = m.sliding_layers();
  const double full = static_cast<double>(m.num_layers - sliding) * attention_forward_per_token(m, seq, c, 0);
  if (sliding == 0) return full;
  return full + static_cast<double>(sliding) * attention_forward_per_token(m, seq, c, m.attention.sliding_window->window);
}
}  // namespace

TokenFlops model_flops_per_token(const ModelSpec& m, std::int64_t seq, AttentionConvention c) {
  const auto p = count_parameters(m);
  TokenFlops f;
  f.matmul = Flops(6.0 * static_cast<double>(p.matmul_active));
  f.attention = Flops(3.0 * attention_forward_all_layers(m, seq, c));
  return f;
}

TokenFlops mtp_flops_per_token(const ModelSpec& m, std::int64_t seq, AttentionConvention c) {
  TokenFlops f;
  if (m.mtp_depth == 0) return f;
  const auto p = count_parameters(m);
  const std::int64_t ffn = m.moe ? (m.moe->top_k + m.moe->num_shared_experts) * p.expert + m.hidden_size * m.moe->num_routed_experts
                                 : ffn_matmul_params(m, m.ffn.intermediate_size);
  const std::int64_t per_module = 2 * m.hidden_size * m.hidden_size + attention_matmul_params(m) + ffn +
                                  m.vocab_size * m.hidden_size;
  f.matmul = Flops(6.0 * static_cast<double>(m.mtp_depth * per_module));
  f.attention = Flops(3.0 * static_cast<double>(m.mtp_depth) * attention_forward_per_token(m, seq, c, 0));
  return f;
}

TokenFlops hardware_flops_per_token(const ModelSpec& m, std::int64_t seq, AttentionConvention c,
                                    const RecomputeSet& recompute) {
  TokenFlops f = model_flops_per_token(m, seq, c);
  const double layers = static_cast<double>(m.num_layers);
  const double attention_forward = attention_forward_all_layers(m, seq, c);
  if (recompute.has(RecomputePart::full_layer)) {
    const auto p = count_parameters(m);
    const double layer_matmul = static_cast<double>(p.matmul_active - m.vocab_size * m.hidden_size);
    f.matmul += Flops(2.0 * layer_matmul);
    f.attention += Flops(attention_forward);
    return f;
  }
  if (recompute.has(RecomputePart::attention_core)) f.attention += Flops(attention_forward);
  if (recompute.has(RecomputePart::mla_up_projection) && m.attention.kind == AttentionKind::mla) {
    const auto& a = m.attention;
    const double up = static_cast<double>(a.mla.q_lora_rank * a.num_heads * a.qk_head_dim() +
                                          a.mla.kv_lora_rank * a.num_heads * (a.mla.qk_nope_head_dim + a.mla.v_head_dim));
    f.matmul += Flops(2.0 * layers * up);
  }
  return f;
}

}  // namespace trainsim
