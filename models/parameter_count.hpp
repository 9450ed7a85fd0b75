#pragma once
// Parameter counts of a model, part by part, computed from its hyper-parameters.
#include <cstdint>

#include "models/model_spec.hpp"

namespace trainsim {

struct ParameterCounts {
  std::int64_t embedding = 0;           // token embedding (V x h)
  std::int64_t position_embedding = 0;  // learned positions (max_seq x h), 0 with RoPE
  std::int64_t embedding_norm = 0;      // a norm after the lookup (BLOOM), else 0
  std::int64_t head = 0;                // output projection; 0 when tied to the embedding
  std::int64_t final_norm = 0;
  std::int64_t attention_per_layer = 0;     // projections, biases and attention-internal norms
  std::int64_t layer_norms_per_layer = 0;   // a layer's pre-norms: two, or one in a parallel block
  std::int64_t dense_ffn_per_layer = 0;
  std::int64_t expert = 0;                  // one routed (or shared) expert
  std::int64_t router = 0;
  std::int64_t moe_total_per_layer = 0;     // all experts + router
  std::int64_t moe_active_per_layer = 0;    // top-k + shared experts + router
  std::int64_t dense_layers = 0;
  std::int64_t moe_layers = 0;

  std::int64_t total = 0;   // main model; MTP modules excluded
  std::int64_t active = 0;  // used by one token, embedding and head included
  // Weights of the matrix multiplies one token goes through (head included; embedding
  // lookup, norms and biases excluded): the N of "6N FLOPs per token".
  std::int64_t matmul_active = 0;
  std::int64_t mtp_total = 0;   // unique to the MTP modules (embedding and head are shared)
  std::int64_t mtp_active = 0;
};

ParameterCounts count_parameters(const ModelSpec& model);

// Matrix-multiply weights of one attention block (no biases or norms).
std::int64_t attention_matmul_params(const ModelSpec& model);
// Weights of one expert's (or one dense FFN's) matrices for an intermediate size.
std::int64_t ffn_matmul_params(const ModelSpec& model, std::int64_t intermediate_size);
// Parameters of one normalisation of width `width`.
std::int64_t norm_params(const ModelSpec& model, std::int64_t width);
// Biases of one FFN's (or expert's) linears when `biased`: the up projection's (both halves
// of a gated one) and the down projection's.
std::int64_t ffn_bias_params(const ModelSpec& model, std::int64_t intermediate_size, bool biased);
// Pre-norm parameters of one transformer layer.
std::int64_t layer_norm_params(const ModelSpec& model);

}  // namespace trainsim
