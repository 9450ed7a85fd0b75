#pragma once
// A transformer architecture: dense or mixture-of-experts, with MHA/GQA or multi-head latent
// attention (MLA), and optional multi-token-prediction (MTP) modules.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/json_reader.hpp"

namespace trainsim {

enum class AttentionKind { gqa, mla };  // multi-head attention is GQA with kv heads == heads
// Gated activations (SwiGLU, GeGLU) multiply two projections of the input: their up
// projection is twice as wide. GELU and squared ReLU (Nemotron-4) act on one.
enum class Activation { swiglu, geglu, gelu, squared_relu };
[[nodiscard]] constexpr bool is_gated(Activation a) { return a == Activation::swiglu || a == Activation::geglu; }
enum class NormKind { rmsnorm, layernorm };
// ALiBi (BLOOM) biases the attention scores inside the attention kernel: no parameters, no
// kernel of its own.
enum class PositionEmbedding { rope, learned, alibi };

// DeepSeek-V2/V3 multi-head latent attention: low-rank query and key-value projections.
struct MlaSpec {
  std::int64_t q_lora_rank = 0;  // 0: queries are projected directly from the hidden state
  std::int64_t kv_lora_rank = 0;
  std::int64_t qk_nope_head_dim = 0;
  std::int64_t qk_rope_head_dim = 0;
  std::int64_t v_head_dim = 0;
};

// Sliding-window attention (GPT-OSS, Mistral): each query sees at most `window` keys, on the
// layers the pattern marks, cycled over the layers (GPT-OSS alternates sliding and full).
struct SlidingWindow {
  std::int64_t window = 0;
  std::vector<bool> pattern{true};  // per layer position in the cycle: sliding (true) or full
};

struct AttentionSpec {
  AttentionKind kind = AttentionKind::gqa;
  std::int64_t num_heads = 0;
  std::int64_t num_kv_heads = 0;  // GQA only
  std::int64_t head_dim = 0;      // GQA only
  bool qkv_bias = false;
  bool output_bias = false;
  bool qk_norm = false;  // per-head RMSNorm of q and k (Qwen3)
  bool sinks = false;    // a learned sink logit per head in the softmax (GPT-OSS)
  std::optional<SlidingWindow> sliding_window;
  MlaSpec mla;

  // Per-head dimensions the attention core multiplies with (for MLA: nope + rope, and v).
  [[nodiscard]] std::int64_t qk_head_dim() const;
  [[nodiscard]] std::int64_t v_head_dim() const;
};

struct FfnSpec {
  Activation activation = Activation::swiglu;
  std::int64_t intermediate_size = 0;
  bool bias = false;
};

struct MoeSpec {
  std::int64_t num_routed_experts = 0;
  std::int64_t num_shared_experts = 0;
  std::int64_t top_k = 0;
  std::int64_t expert_intermediate_size = 0;
  std::int64_t first_dense_layers = 0;   // leading layers that keep a dense FFN
  std::int64_t max_nodes_per_token = 0;  // node-limited routing (DeepSeek M); 0 = unlimited
  bool router_bias = false;              // per-expert bias of aux-loss-free balancing
  bool expert_bias = false;              // biases in the experts' linears (GPT-OSS)
};

// Published headline figures, shown beside trainsim's own counts.
struct PublishedSize {
  std::optional<double> total_params;
  std::optional<double> active_params;
  std::string source;
};

struct ModelSpec {
  std::string id;
  std::string name;
  std::vector<std::string> sources;
  std::int64_t vocab_size = 0;
  std::int64_t hidden_size = 0;
  std::int64_t num_layers = 0;
  std::int64_t max_sequence_length = 0;  // learned position embeddings have this many rows
  AttentionSpec attention;
  FfnSpec ffn;                 // the FFN of dense layers
  std::optional<MoeSpec> moe;  // MoE layers replace the FFN after first_dense_layers
  NormKind norm = NormKind::rmsnorm;
  PositionEmbedding position_embedding = PositionEmbedding::rope;
  bool tied_embeddings = false;
  bool embedding_norm = false;  // a norm right after the word embedding (BLOOM)
  // Attention and MLP read the same normalised input and their outputs are summed (GPT-J,
  // PaLM, MegaScale): one norm and one tensor-parallel exchange per side of the layer.
  bool parallel_block = false;
  std::int64_t mtp_depth = 0;  // DeepSeek-V3 multi-token-prediction modules
  // Dropout probabilities in training: on the attention probabilities and on each residual
  // branch's output. They cost memory traffic (masks) where no fused kernel hides them.
  double attention_dropout = 0.0;
  double hidden_dropout = 0.0;
  PublishedSize published;

  // Whether transformer layer `layer` (0-based) carries routed experts.
  [[nodiscard]] bool is_moe_layer(std::int64_t layer) const;
  // Whether transformer layer `layer` attends through a sliding window.
  [[nodiscard]] bool is_sliding_layer(std::int64_t layer) const;
  // Transformer layers of each attention span (full + sliding = num_layers).
  [[nodiscard]] std::int64_t sliding_layers() const;
};

// Reads a model description (catalog entry or inline), with cross-field checks.
ModelSpec parse_model_spec(ObjectReader& reader);

}  // namespace trainsim
