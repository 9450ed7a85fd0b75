#include "models/layer_costs.hpp"

#include <algorithm>
#include <cmath>

#include "models/layer_builder.hpp"
#include "models/tensor_overlap.hpp"
#include "models/parameter_count.hpp"

namespace trainsim {

std::string_view to_string(Pass p) {
  switch (p) {
    case Pass::forward: return "forward";
    case Pass::backward_input: return "backward_input";
    case Pass::backward_weight: return "backward_weight";
  }
  return "?";
}
std::string_view to_string(LayerPart p) {
  switch (p) {
    case LayerPart::attention: return "attention";
    case LayerPart::dispatch: return "dispatch";
    case LayerPart::mlp: return "mlp";
    case LayerPart::combine: return "combine";
  }
  return "?";
}
std::string_view to_string(LayerKind k) {
  switch (k) {
    case LayerKind::dense: return "dense";
    case LayerKind::moe: return "moe";
    case LayerKind::mtp: return "mtp";
    case LayerKind::embedding: return "embedding";
    case LayerKind::head: return "head";
    case LayerKind::dense_sliding: return "dense_sliding";
    case LayerKind::moe_sliding: return "moe_sliding";
  }
  return "?";
}

LayerKind transformer_layer_kind(const ModelSpec& model, std::int64_t layer) {
  const bool sliding = model.is_sliding_layer(layer);
  if (model.is_moe_layer(layer)) return sliding ? LayerKind::moe_sliding : LayerKind::moe;
  return sliding ? LayerKind::dense_sliding : LayerKind::dense;
}

const Kernel* LayerStep::kernel() const {
  const auto* k = std::get_if<KernelStep>(&work);
  return k != nullptr ? &k->kernel : nullptr;
}

bool moe_gathers_before_routing(const ParallelPlan& p) {
  return p.expert == 1 && p.expert_tensor_degree() == p.tensor && p.tensor > 1;
}

std::int64_t moe_routed_rows(const ParallelPlan& p, std::int64_t tokens) {
  const bool sp = p.sequence_parallel && p.tensor > 1;
  return moe_gathers_before_routing(p) || !sp ? tokens : tokens / p.tensor;
}

namespace {

constexpr std::int64_t kBf16 = 2;

// What every block builder needs to know about the rank it runs on.
struct Context {
  const ModelSpec& model;
  const ParallelPlan& plan;
  const ClusterSpec& cluster;
  const CommunicationModel& comm;
  std::int64_t tokens;     // T: tokens of the micro-batch on this rank (context-parallel shard)
  std::int64_t sp_tokens;  // T / tp under sequence parallelism: what norms and residuals see
  std::int64_t tp;
  std::int64_t h;
  Precision gemm;
  std::int64_t window;  // the attention window of this layer kind; 0: full attention

  [[nodiscard]] bool recompute(RecomputePart part) const { return plan.recompute.has(part); }
  [[nodiscard]] Bytes hidden_bytes(std::int64_t rows) const { return Bytes(rows * h * kBf16); }
  // Sequence shards a GEMM input gathered by tp_enter() comes from.
  // Row-parallel outputs are reduce-scattered over the tensor group (sequence parallelism).
  [[nodiscard]] bool scatters_outputs() const { return tp > 1 && plan.sequence_parallel; }
  [[nodiscard]] std::int64_t gathered_shards() const { return tokens / sp_tokens; }
};

Context make_context(LayerKind kind, const ModelSpec& m, const ParallelPlan& p, const ClusterSpec& c,
                     const CommunicationModel& comm, const MicroBatchShape& s) {
  const std::int64_t tokens = s.tokens(p);
  const bool sp = p.sequence_parallel && p.tensor > 1;
  const std::int64_t window = is_sliding(kind) ? m.attention.sliding_window->window : 0;
  return {m, p, c, comm, tokens, sp ? tokens / p.tensor : tokens, p.tensor, m.hidden_size, p.precision, window};
}

// A tensor-parallel collective over the micro-batch's hidden states and its backward
// counterpart, and how each overlaps its GEMM under --tp-comm-overlap.
void tp_collective(LayerBuilder& b, const Context& c, const std::string& name, LayerPart part, Collective forward,
                   Collective backward, TensorOverlap forward_overlap = TensorOverlap::none,
                   TensorOverlap backward_overlap = TensorOverlap::none) {
  const Bytes states = c.hidden_bytes(c.tokens);
  b.collective(name, part, c.comm.collective(forward, CommGroup::tensor, states),
               c.comm.collective(backward, CommGroup::tensor, states), forward_overlap, backward_overlap);
}

// Fused residual-add + normalisation over `rows` tokens: reads input and residual, writes the
// normalised output and the new residual; its gradient reads three tensors and writes two.
void norm(LayerBuilder& b, const Context& c, const std::string& name, LayerPart part, std::int64_t rows) {
  const Bytes x = c.hidden_bytes(rows);
  b.memory({.name = name, .part = part, .read = x * 2, .written = x * 2, .backward_read = x * 3,
            .backward_written = x * 2, .saved = x, .recomputed = c.recompute(RecomputePart::norm),
            .row_reduction = true});
}

// Tensor-parallel collectives around a block: gather the sequence shards before it and
// scatter-reduce after it (sequence parallelism), or one all-reduce after it without.
// `userbuffers`: the block's GEMMs are Transformer Engine's userbuffers GEMMs, which
// --tp-comm-overlap overlaps with these collectives (Megatron-Core's qkv, proj, fc1 and fc2).
void tp_enter(LayerBuilder& b, const Context& c, const std::string& name, LayerPart part, bool userbuffers = false) {
  if (c.tp <= 1 || !c.plan.sequence_parallel) return;
  const bool overlap = userbuffers && c.plan.tp_comm_overlap;
  // Without userbuffers a Transformer Engine linear's FP8 input is still gathered quantized.
  const bool quantized = userbuffers && c.gemm == Precision::fp8;
  tp_collective(b, c, name, part, Collective::all_gather, Collective::reduce_scatter,
                overlap ? TensorOverlap::ring_gather : (quantized ? TensorOverlap::quantized_gather : TensorOverlap::none),
                overlap ? TensorOverlap::bulk_scatter : TensorOverlap::none);
}
void tp_exit(LayerBuilder& b, const Context& c, const std::string& name, LayerPart part, bool userbuffers = false) {
  if (c.tp <= 1) return;
  if (c.plan.sequence_parallel) {
    const bool overlap = userbuffers && c.plan.tp_comm_overlap;
    tp_collective(b, c, name, part, Collective::reduce_scatter, Collective::all_gather,
                  overlap ? TensorOverlap::pipelined_scatter : TensorOverlap::none,
                  overlap ? TensorOverlap::ring_gather : TensorOverlap::none);
  } else {
    tp_collective(b, c, name, part, Collective::all_reduce, Collective::all_reduce);
  }
}

void attention_core(LayerBuilder& b, const Context& c, std::int64_t heads, std::int64_t kv_heads, bool qkv_saved) {
  const auto& a = c.model.attention;
  const std::int64_t qk = a.qk_head_dim();
  const std::int64_t v = a.v_head_dim();
  AttentionShape shape;
  shape.batch = c.plan.micro_batch_size;
  shape.heads = heads;
  shape.seq_q = c.tokens / c.plan.micro_batch_size;
  shape.seq_kv = shape.seq_q * c.plan.context;  // a context-parallel rank's queries see every key
  shape.head_dim_qk = qk;
  shape.head_dim_v = v;
  shape.causal = true;
  // Megatron's unfused path materialises every score and masks the window's outside: a window
  // saves only fused kernels, which skip the blocks outside it.
  shape.window = c.plan.attention_kernel == AttentionKernel::unfused ? 0 : c.window;
  const Bytes qkv(c.tokens * (heads * qk + kv_heads * (qk + v)) * kBf16);
  const Bytes lse(c.tokens * heads * 4);
  const Bytes saved = (qkv_saved ? qkv : Bytes(0)) + lse;
  const bool fa2 = c.plan.attention_kernel == AttentionKernel::flash_attention_2;
  AttentionOp core{.name = "attention.core",
                   .shape = shape,
                   .generation = fa2 ? FusedAttention::flash_attention_2 : FusedAttention::current,
                   .saved = saved,
                   .recomputed = c.recompute(RecomputePart::attention_core)};
  if (c.plan.attention_kernel == AttentionKernel::unfused) {
    core.saved = qkv_saved ? qkv : Bytes(0);  // the probabilities the softmax keeps are its own
    b.unfused_attention(core, c.model.attention_dropout);
  } else if (c.plan.context > 1) {
    b.ring_attention(core, {.ranks = c.plan.context, .kv_shard = Bytes(c.tokens * kv_heads * (qk + v) * kBf16)});
  } else {
    // A fused kernel applies attention dropout inside itself and regenerates the mask in
    // backward from its random seed: no traffic of its own.
    b.attention(core);
  }
}

void gqa_block(LayerBuilder& b, const Context& c) {
  const auto& a = c.model.attention;
  const std::int64_t heads = a.num_heads / c.tp;
  const std::int64_t kv_heads = std::max<std::int64_t>(1, a.num_kv_heads / c.tp);
  const bool norm_recomputed = c.recompute(RecomputePart::norm);
  b.linear({.name = "attention.qkv", .part = LayerPart::attention, .m = c.tokens,
            .n = (heads + 2 * kv_heads) * a.head_dim, .k = c.h, .precision = c.gemm, .input_saved = !norm_recomputed,
            .input_shards = c.gathered_shards()});
  const Bytes qk_bytes(c.tokens * (heads + kv_heads) * a.head_dim * kBf16);
  if (a.qk_norm) b.memory({.name = "attention.qk_norm", .part = LayerPart::attention, .read = qk_bytes,
                           .written = qk_bytes, .backward_read = qk_bytes * 2, .backward_written = qk_bytes,
                           .saved = qk_bytes, .row_reduction = true});
  if (c.model.position_embedding == PositionEmbedding::rope) {
    b.memory({.name = "attention.rope", .part = LayerPart::attention, .read = qk_bytes, .written = qk_bytes,
              .backward_read = qk_bytes, .backward_written = qk_bytes});
  }
  attention_core(b, c, heads, kv_heads, true);
  b.linear({.name = "attention.out", .part = LayerPart::attention, .m = c.tokens, .n = c.h, .k = heads * a.head_dim,
            .precision = c.gemm, .output_scattered = c.scatters_outputs()});
  const std::int64_t biases = (a.qkv_bias ? (heads + 2 * kv_heads) * a.head_dim : 0) + (a.output_bias ? c.h : 0);
  b.parameters(attention_matmul_params(c.model) / c.tp + biases + (a.qk_norm ? 2 * a.head_dim : 0) +
               (a.sinks ? heads : 0));
}

void mla_block(LayerBuilder& b, const Context& c) {
  const auto& a = c.model.attention;
  const auto& mla = a.mla;
  const std::int64_t heads = a.num_heads / c.tp;
  const std::int64_t qk = mla.qk_nope_head_dim + mla.qk_rope_head_dim;
  const bool norm_recomputed = c.recompute(RecomputePart::norm);
  const bool up_recomputed = c.recompute(RecomputePart::mla_up_projection);
  std::int64_t replicated = c.h * (mla.kv_lora_rank + mla.qk_rope_head_dim);
  std::int64_t sharded = mla.kv_lora_rank * a.num_heads * (mla.qk_nope_head_dim + mla.v_head_dim) +
                         a.num_heads * mla.v_head_dim * c.h;
  // Down-projections are small and replicated across tensor ranks; up-projections are split
  // by heads. q_a and kv_a read the same normalised input, saved once.
  if (mla.q_lora_rank > 0) {
    b.linear({.name = "attention.q_down", .part = LayerPart::attention, .m = c.tokens, .n = mla.q_lora_rank, .k = c.h,
              .precision = c.gemm, .input_saved = !norm_recomputed, .input_shards = c.gathered_shards()});
    const Bytes q_c(c.tokens * mla.q_lora_rank * kBf16);
    b.memory({.name = "attention.q_norm", .part = LayerPart::attention, .read = q_c, .written = q_c,
              .backward_read = q_c * 2, .backward_written = q_c, .saved = q_c, .recomputed = norm_recomputed,
              .row_reduction = true});
    b.linear({.name = "attention.q_up", .part = LayerPart::attention, .m = c.tokens, .n = heads * qk,
              .k = mla.q_lora_rank, .precision = c.gemm, .input_saved = !norm_recomputed, .recomputed = up_recomputed});
    replicated += c.h * mla.q_lora_rank;
    sharded += mla.q_lora_rank * a.num_heads * qk;
  } else {
    b.linear({.name = "attention.q", .part = LayerPart::attention, .m = c.tokens, .n = heads * qk, .k = c.h,
              .precision = c.gemm, .input_saved = !norm_recomputed, .recomputed = up_recomputed,
              .input_shards = c.gathered_shards()});
    sharded += c.h * a.num_heads * qk;
  }
  b.linear({.name = "attention.kv_down", .part = LayerPart::attention, .m = c.tokens,
            .n = mla.kv_lora_rank + mla.qk_rope_head_dim, .k = c.h, .precision = c.gemm, .input_saved = false,
            .input_shards = c.gathered_shards()});
  const Bytes kv_c(c.tokens * mla.kv_lora_rank * kBf16);
  b.memory({.name = "attention.kv_norm", .part = LayerPart::attention, .read = kv_c, .written = kv_c,
            .backward_read = kv_c * 2, .backward_written = kv_c, .saved = kv_c, .recomputed = norm_recomputed,
            .row_reduction = true});
  b.linear({.name = "attention.kv_up", .part = LayerPart::attention, .m = c.tokens,
            .n = heads * (mla.qk_nope_head_dim + mla.v_head_dim), .k = mla.kv_lora_rank, .precision = c.gemm,
            .input_saved = !norm_recomputed, .recomputed = up_recomputed});
  const Bytes rope(c.tokens * (heads + 1) * mla.qk_rope_head_dim * kBf16);
  b.memory({.name = "attention.rope", .part = LayerPart::attention, .read = rope, .written = rope,
            .backward_read = rope, .backward_written = rope, .recomputed = up_recomputed});
  attention_core(b, c, heads, heads, !up_recomputed);
  b.linear({.name = "attention.out", .part = LayerPart::attention, .m = c.tokens, .n = c.h, .k = heads * mla.v_head_dim,
            .precision = c.gemm, .output_scattered = c.scatters_outputs()});
  b.parameters(replicated + sharded / c.tp + mla.kv_lora_rank + mla.q_lora_rank);
}

void attention_projections(LayerBuilder& b, const Context& c) {
  if (c.model.attention.kind == AttentionKind::mla) {
    mla_block(b, c);
  } else {
    gqa_block(b, c);
  }
}

// Dropout on a residual branch's output, on the rows the residual sees. Megatron-LM fuses it
// with the bias and the residual add (the next norm here), so what it adds is its one-byte mask
// written in forward, and in backward a kernel that reads the gradient and the mask and writes
// the branch's gradient, which without dropout is the residual's gradient itself.
void residual_dropout(LayerBuilder& b, const Context& c, const std::string& name, LayerPart part) {
  if (c.model.hidden_dropout <= 0.0) return;
  const Bytes x = c.hidden_bytes(c.sp_tokens);
  const Bytes mask(c.sp_tokens * c.h);
  b.memory({.name = name, .part = part, .read = Bytes(0), .written = mask, .backward_read = x + mask,
            .backward_written = x, .saved = mask, .recomputed = c.recompute(RecomputePart::norm)});
}

void attention_block(LayerBuilder& b, const Context& c) {
  norm(b, c, "attention.norm", LayerPart::attention, c.sp_tokens);
  // Megatron-Core's MLA down-projections are not userbuffers GEMMs; its output projection is.
  tp_enter(b, c, "attention.tp_gather", LayerPart::attention, c.model.attention.kind != AttentionKind::mla);
  attention_projections(b, c);
  tp_exit(b, c, "attention.tp_scatter", LayerPart::attention, true);
  residual_dropout(b, c, "attention.dropout", LayerPart::attention);
  b.parameters(layer_norm_params(c.model));
}

// Where an FFN's input comes from: gathered from `shards` sequence shards, or the input of a
// parallel block's attention projections, whose GEMM it joins (saved, cast and gathered once).
struct FfnInput {
  std::int64_t shards = 1;
  bool shared_with_attention = false;
};

// An FFN (dense, or the shared experts) on `rows` tokens, split `split` ways.
void ffn(LayerBuilder& b, const Context& c, const std::string& name, std::int64_t rows, std::int64_t intermediate,
         std::int64_t split, FfnInput input) {
  const bool gated = is_gated(c.model.ffn.activation);
  const std::int64_t inner = intermediate / split;
  const bool act_recomputed = c.recompute(RecomputePart::activation);
  const bool shared = input.shared_with_attention;
  b.linear({.name = name + ".up", .part = LayerPart::mlp, .m = rows, .n = (gated ? 2 : 1) * inner, .k = c.h,
            .precision = c.gemm, .input_is_fp8 = shared && c.gemm == Precision::fp8,
            .input_saved = !shared && !c.recompute(RecomputePart::norm), .input_shards = shared ? 1 : input.shards});
  const Bytes out(rows * inner * kBf16);
  const Bytes in = gated ? out * 2 : out;
  b.memory({.name = name + ".activation", .part = LayerPart::mlp, .read = in, .written = out, .backward_read = in + out,
            .backward_written = in, .saved = in, .recomputed = act_recomputed});
  b.linear({.name = name + ".down", .part = LayerPart::mlp, .m = rows, .n = c.h, .k = inner, .precision = c.gemm,
            .input_saved = !act_recomputed, .output_scattered = split > 1 && c.scatters_outputs()});
  b.parameters(ffn_matmul_params(c.model, intermediate) / split + ffn_bias_params(c.model, inner, c.model.ffn.bias));
}

void dense_block(LayerBuilder& b, const Context& c) {
  norm(b, c, "mlp.norm", LayerPart::mlp, c.sp_tokens);
  tp_enter(b, c, "mlp.tp_gather", LayerPart::mlp, true);
  ffn(b, c, "mlp", c.tokens, c.model.ffn.intermediate_size, c.tp, {.shards = c.gathered_shards()});
  tp_exit(b, c, "mlp.tp_scatter", LayerPart::mlp, true);
  residual_dropout(b, c, "mlp.dropout", LayerPart::mlp);
}

// The parallel layer of GPT-J and PaLM (Chowdhery et al., arXiv:2204.02311 sec.2), as MegaScale
// trains it (Jiang et al., arXiv:2402.15627 sec.3.1): y = x + attention(norm(x)) + mlp(norm(x)).
// One norm, one gathered input for the attention and MLP projections, and the two branches'
// partial sums leave in one tensor-parallel reduction.
void parallel_block(LayerBuilder& b, const Context& c) {
  norm(b, c, "block.norm", LayerPart::attention, c.sp_tokens);
  tp_enter(b, c, "block.tp_gather", LayerPart::attention);
  attention_projections(b, c);
  ffn(b, c, "mlp", c.tokens, c.model.ffn.intermediate_size, c.tp, {.shared_with_attention = true});
  tp_exit(b, c, "block.tp_scatter", LayerPart::mlp);
  residual_dropout(b, c, "block.dropout", LayerPart::mlp);
  b.parameters(layer_norm_params(c.model));
}

// An MoE layer as Megatron-Core runs it. Without expert parallelism and with experts split
// like the dense FFN (ETP = TP), tokens are gathered over the tensor group before the router
// (the allgather dispatcher). Otherwise each rank routes its own sequence shard, the
// all-to-all over the expert group carries the tokens to their experts, and with expert tensor
// parallelism they are gathered over the expert-tensor group before the split expert GEMMs and
// scatter-reduced after them (the alltoall dispatcher, token_dispatcher.py).
void moe_block(LayerBuilder& b, const Context& c) {
  const auto& moe = *c.model.moe;
  const std::int64_t ep = c.plan.expert;
  const std::int64_t etp = c.plan.expert_tensor_degree();
  const bool dense_like = moe_gathers_before_routing(c.plan);
  const std::int64_t rows = moe_routed_rows(c.plan, c.tokens);
  const bool fp8 = c.gemm == Precision::fp8;
  const std::int64_t experts = moe.num_routed_experts;

  norm(b, c, "moe.norm", LayerPart::attention, c.sp_tokens);
  if (dense_like) tp_enter(b, c, "moe.tp_gather", LayerPart::attention);
  // The router stays in BF16 (DeepSeek-V3 sec.3.3.1 keeps gating in higher precision).
  const std::int64_t input_shards = dense_like ? c.gathered_shards() : 1;
  b.linear({.name = "moe.router", .part = LayerPart::attention, .m = rows, .n = experts, .k = c.h,
            .precision = Precision::bf16, .input_saved = !c.recompute(RecomputePart::norm),
            .input_shards = input_shards});
  // Framework operations per stage, counted in Megatron-Core's code on its fused path
  // (--moe-router-fusion, --moe-permute-fusion, fused SwiGLU; the fewest it issues, and what the
  // Megatron-Bridge performance scripts set): after the gating GEMM the router issues 6 more
  // forward and 7 backward (fused top-k, auxiliary-loss scores and loss); the dispatcher 7 for
  // the token counts and their all-gather, then the permute, forward, and after the host's wait
  // the tokens' and the probabilities' all-to-alls and the chunk sort (3); its backward 3 and 1;
  // the combine the chunk sort and its all-to-all (2), both ways. Megatron-Core @d98e8a6
  // router.py, moe_utils.py, token_dispatcher.py.
  const Bytes scores(rows * experts * 4);
  b.memory({.name = "moe.topk", .part = LayerPart::attention, .read = scores, .written = Bytes(rows * moe.top_k * 8),
            .backward_read = scores, .backward_written = scores, .saved = scores, .row_reduction = true,
            .operations = 6, .backward_operations = 7});
  const Bytes tokens_in = c.hidden_bytes(rows);
  const Bytes tokens_wire(rows * c.h * (fp8 ? 1 : kBf16));
  b.memory({.name = "moe.permute", .part = LayerPart::attention, .read = tokens_in, .written = tokens_wire,
            .backward_read = tokens_in, .backward_written = tokens_in, .operations = 8});

  // Dropless, the split sizes of the all-to-all and of the grouped GEMMs are counted on the
  // device and read by the host, which waits for them before it issues the dispatch (Megatron-Core
  // token_dispatcher.py, cuda_sync_point "before_ep_alltoall"; TE GroupedLinear's m_splits);
  // padded to capacity, every expert's count is known beforehand.
  if (!c.plan.moe_pad_to_capacity) b.host_waits_before_next();
  const Precision wire = fp8 ? Precision::fp8 : Precision::bf16;
  const auto traffic = moe_traffic(c.model, c.plan, c.cluster, rows, wire);
  // Under skewed routing every rank of the expert group waits for the hottest one: its expert
  // GEMMs run on its tokens, and each exchange takes as long as the hottest rank's incoming
  // share (the same program runs on every rank, so all carry that share).
  const auto loads = expert_rank_loads(c.plan.routing, experts, moe.top_k, ep);
  const double hot = loads.hottest_factor();
  // Backward: the combine's gradient travels dispatch-shaped (FP8 under FP8 training,
  // DeepSeek-V3 sec.3.3.3) and the dispatch's gradient combine-shaped in BF16.
  const auto exchange = [&](AllToAllPhase phase) {
    const auto& volume = phase == AllToAllPhase::dispatch ? traffic.dispatch : traffic.combine;
    return AllToAllStep{phase, traffic.hierarchical, volume.scale_out.scaled(hot), volume.scale_up.scaled(hot)};
  };
  if (ep > 1) {
    b.all_to_all("moe.dispatch", LayerPart::dispatch, exchange(AllToAllPhase::dispatch), exchange(AllToAllPhase::combine), 3, 3);
  }
  // The rank's own routed copies; the hottest rank's arrivals; and its expert shards' tokens,
  // which the expert-tensor gather brings from each of its members.
  const std::int64_t routed = rows * moe.top_k;
  const auto arrived = static_cast<std::int64_t>(std::llround(static_cast<double>(routed) * hot));
  const bool expert_gather = !dense_like && etp > 1;
  const std::int64_t shard_rows = expert_gather ? etp * arrived : arrived;
  if (expert_gather) {
    b.collective("moe.etp_gather", LayerPart::dispatch,
                 c.comm.collective(Collective::all_gather, CommGroup::expert_tensor, Bytes(shard_rows * c.h * bytes_per_element(wire))),
                 c.comm.collective(Collective::reduce_scatter, CommGroup::expert_tensor, c.hidden_bytes(shard_rows)));
  }
  const std::int64_t local_experts = loads.slots_per_rank;  // redundant replicas included
  const std::int64_t per_expert = shard_rows / local_experts;
  const std::int64_t inner = moe.expert_intermediate_size / etp;
  const bool act_recomputed = c.recompute(RecomputePart::activation) || c.recompute(RecomputePart::expert_activation);
  const bool gated = is_gated(c.model.ffn.activation);
  b.linear({.name = "moe.experts.up", .part = LayerPart::mlp, .m = per_expert, .n = (gated ? 2 : 1) * inner, .k = c.h,
            .groups = local_experts, .precision = c.gemm, .input_is_fp8 = fp8});
  // The gate weights scale the activation output before the down projection (the down
  // projection is linear), so the gate gradient needs no stored expert outputs.
  const std::int64_t assigned = per_expert * local_experts;
  const Bytes out(assigned * inner * kBf16);
  const Bytes in = gated ? out * 2 : out;
  const Bytes in_saved(assigned * inner * (gated ? 2 : 1) * (fp8 ? 1 : kBf16));  // FP8 cache, sec.3.3.3
  b.memory({.name = "moe.experts.activation", .part = LayerPart::mlp, .read = in, .written = out,
            .backward_read = in + out, .backward_written = in, .saved = in_saved, .recomputed = act_recomputed});
  b.linear({.name = "moe.experts.down", .part = LayerPart::mlp, .m = per_expert, .n = c.h, .k = inner,
            .groups = local_experts, .precision = c.gemm, .input_saved = !act_recomputed});
  b.expert_parameters(local_experts * (ffn_matmul_params(c.model, moe.expert_intermediate_size) / etp +
                                       ffn_bias_params(c.model, inner, moe.expert_bias)));
  if (expert_gather) {
    b.collective("moe.etp_scatter", LayerPart::combine,
                 c.comm.collective(Collective::reduce_scatter, CommGroup::expert_tensor, c.hidden_bytes(shard_rows)),
                 c.comm.collective(Collective::all_gather, CommGroup::expert_tensor, c.hidden_bytes(shard_rows)));
  }
  if (moe.num_shared_experts > 0) {
    ffn(b, c, "moe.shared", rows, moe.num_shared_experts * moe.expert_intermediate_size, dense_like ? c.tp : 1,
        {.shards = input_shards});
  }
  if (ep > 1) {
    b.all_to_all("moe.combine", LayerPart::combine, exchange(AllToAllPhase::combine), exchange(AllToAllPhase::dispatch), 2, 2);
  }
  const Bytes gathered(routed * c.h * kBf16);
  b.memory({.name = "moe.unpermute", .part = LayerPart::combine, .read = gathered, .written = tokens_in,
            .backward_read = tokens_in, .backward_written = gathered});
  if (dense_like) tp_exit(b, c, "moe.tp_scatter", LayerPart::combine);
  residual_dropout(b, c, "moe.dropout", LayerPart::combine);
  b.parameters(c.h * experts + (moe.router_bias ? experts : 0));
}

// A transformer layer of the model's layout: sequential attention then FFN or experts, or the
// parallel block.
void transformer_layer(LayerBuilder& b, const Context& c, bool moe) {
  if (c.model.parallel_block) {
    parallel_block(b, c);
    return;
  }
  attention_block(b, c);
  if (moe) {
    moe_block(b, c);
  } else {
    dense_block(b, c);
  }
}

// The logits' sizes and the per-token statistics of a loss over this rank's vocabulary shard.
struct Logits {
  Bytes bf16, fp32, per_token;
};

Logits logits_of(const Context& c, std::int64_t vocab) {
  const std::int64_t elements = c.tokens * vocab;
  constexpr std::int64_t fp32 = bytes_per_element(Precision::fp32);
  return {Bytes(elements * kBf16), Bytes(elements * fp32), Bytes(c.tokens * fp32)};
}

// A per-token statistic of the loss crossing the tensor group, when the vocabulary is split.
void loss_statistic(LayerBuilder& b, const Context& c, const std::string& name, Collective collective, Bytes payload) {
  if (c.tp > 1) b.forward_collective(name, LayerPart::mlp, c.comm.collective(collective, CommGroup::tensor, payload));
}

// Megatron-Core's vocab_parallel_cross_entropy (megatron/core/tensor_parallel/cross_entropy.py):
// an FP32 copy of the logits (kept: every later pass works on it in place), its row max,
// subtracted, exp, row sum, divided, the FP32 softmax kept for backward, which scales it by the
// loss gradient in place; autograd then casts it to the logits' BF16, the one new tensor. The
// max, the target logit and the sum are all-reduced across tensor ranks (the native fusion
// merges the last two: one small all-reduce less, not modelled). Host operations: the masks,
// gather and zeroing of the target logit are 9 torch calls in forward and the gradient's update
// at the targets 4 in backward; the division comes with the log and loss subtraction (3).
void megatron_loss(LayerBuilder& b, const Context& c, const std::string& name, const Logits& l) {
  b.memory({.name = name + ".to_fp32", .part = LayerPart::mlp, .read = l.bf16, .written = l.fp32,
            .backward_read = l.fp32, .backward_written = l.bf16, .allocated = l.bf16});
  b.memory({.name = name + ".max", .part = LayerPart::mlp, .read = l.fp32, .written = l.per_token, .row_reduction = true});
  loss_statistic(b, c, name + ".max_reduce", Collective::all_reduce, l.per_token);
  b.memory({.name = name + ".subtract", .part = LayerPart::mlp, .read = l.fp32, .written = l.fp32, .allocated = Bytes(0)});
  b.memory({.name = name + ".target", .part = LayerPart::mlp, .read = l.per_token, .written = l.per_token,
            .backward_read = l.per_token, .backward_written = l.per_token, .operations = 9, .backward_operations = 4});
  b.memory({.name = name + ".exp", .part = LayerPart::mlp, .read = l.fp32, .written = l.fp32, .allocated = Bytes(0)});
  b.memory({.name = name + ".sum", .part = LayerPart::mlp, .read = l.fp32, .written = l.per_token, .row_reduction = true});
  loss_statistic(b, c, name + ".target_reduce", Collective::all_reduce, l.per_token);
  loss_statistic(b, c, name + ".sum_reduce", Collective::all_reduce, l.per_token);
  b.memory({.name = name + ".normalise", .part = LayerPart::mlp, .read = l.fp32, .written = l.fp32,
            .backward_read = l.fp32, .backward_written = l.fp32, .saved = l.fp32, .operations = 3, .allocated = Bytes(0)});
}

// Transformer Engine's Triton kernels (transformer_engine/common/triton/cross_entropy.py): an
// online softmax writes each row's max, sum and target logit (all-gathered across tensor
// ranks; the Python wrapper's call and the kernel: 2 operations); the loss kernel computes the
// whole gradient in forward, which backward scales by the loss gradient in place. TE 2.2-2.17
// writes it over the BF16 logits, so the projection's output is the kept buffer; TE 2.18 keeps
// it in a new FP32 buffer, which autograd casts to BF16 after the scaling (timed with it: 2
// operations).
void transformer_engine_loss(LayerBuilder& b, const Context& c, const std::string& name, const Logits& l) {
  const bool fp32_gradient = c.plan.cross_entropy == CrossEntropyKernel::transformer_engine_fp32_gradient;
  b.memory({.name = name + ".online_softmax", .part = LayerPart::mlp, .read = l.bf16, .written = l.per_token * 3,
            .row_reduction = true, .operations = 2});
  loss_statistic(b, c, name + ".statistics_gather", Collective::all_gather, l.per_token * 3 * c.tp);
  if (fp32_gradient) {
    b.memory({.name = name + ".gradient", .part = LayerPart::mlp, .read = l.bf16, .written = l.fp32,
              .backward_read = l.fp32 * 2, .backward_written = l.fp32 + l.bf16, .saved = l.fp32,
              .backward_operations = 2, .allocated = l.bf16});
  } else {
    b.memory({.name = name + ".gradient", .part = LayerPart::mlp, .read = l.bf16, .written = l.bf16,
              .backward_read = l.bf16, .backward_written = l.bf16, .saved = l.bf16, .allocated = Bytes(0)});
  }
}

// Output head and loss on `rows` tokens: BF16 (DeepSeek-V3 keeps the head out of FP8).
void head_and_loss(LayerBuilder& b, const Context& c, const std::string& name) {
  norm(b, c, name + ".norm", LayerPart::mlp, c.sp_tokens);
  tp_enter(b, c, name + ".tp_gather", LayerPart::mlp);
  const std::int64_t vocab = c.model.vocab_size / c.tp;
  const bool in_place = c.plan.cross_entropy == CrossEntropyKernel::transformer_engine;
  b.linear({.name = name + ".projection", .part = LayerPart::mlp, .m = c.tokens, .n = vocab, .k = c.h,
            .precision = Precision::bf16, .input_shards = c.gathered_shards(), .output_kept = in_place,
            .input_gradient_reduced = c.tp > 1 && !c.plan.sequence_parallel});
  // The loss as its kernels run (models/README.md, "The loss").
  const Logits logits = logits_of(c, vocab);
  if (c.plan.cross_entropy == CrossEntropyKernel::megatron) {
    megatron_loss(b, c, name + ".loss", logits);
  } else {
    transformer_engine_loss(b, c, name + ".loss", logits);
  }
}

}  // namespace

Bytes stage_boundary_bytes(const ModelSpec& model, const ParallelPlan& plan, const MicroBatchShape& shape) {
  const bool sp = plan.sequence_parallel && plan.tensor > 1;
  return Bytes(shape.tokens(plan) / (sp ? plan.tensor : 1) * model.hidden_size * kBf16);
}

LayerCosts layer_costs(LayerKind kind, const ModelSpec& model, const ParallelPlan& plan, const ClusterSpec& cluster,
                       const CommunicationModel& comm, const MicroBatchShape& shape) {
  const Context c = make_context(kind, model, plan, cluster, comm, shape);
  LayerBuilder b(kind, plan.gradient_precision, &comm, plan.fp8_recipe);
  switch (kind) {
    case LayerKind::dense:
    case LayerKind::moe:
    case LayerKind::dense_sliding:
    case LayerKind::moe_sliding:
      transformer_layer(b, c, has_experts(kind));
      break;
    case LayerKind::mtp: {
      // DeepSeek-V3 sec.2.2: norms of the hidden state and of the next token's embedding, a
      // 2h -> h projection, one transformer block, then the shared head and its loss.
      const Bytes x = c.hidden_bytes(c.sp_tokens);
      b.memory({.name = "mtp.norms", .part = LayerPart::attention, .read = x * 2, .written = x * 2,
                .backward_read = x * 4, .backward_written = x * 2, .saved = x * 2,
                .recomputed = c.recompute(RecomputePart::norm), .row_reduction = true});
      b.linear({.name = "mtp.projection", .part = LayerPart::attention, .m = c.sp_tokens, .n = c.h, .k = 2 * c.h,
                .precision = c.gemm});
      b.parameters(2 * c.h * c.h + 3 * norm_params(model, c.h));
      transformer_layer(b, c, model.moe.has_value());
      // Full recomputation reruns the module up to its head (it reads two hidden-sized inputs:
      // the main model's state and the next token's embedding); head and loss keep their own,
      // as Megatron-Core checkpoints only the MTP projection and transformer layer.
      if (plan.recompute.has(RecomputePart::full_layer)) b.recompute_everything(x * 2);
      head_and_loss(b, c, "mtp.head");
      break;
    }
    case LayerKind::embedding: {
      const Bytes x = c.hidden_bytes(c.sp_tokens);
      b.memory({.name = "embedding.lookup", .part = LayerPart::attention, .read = x, .written = x, .backward_read = x,
                .backward_written = x});
      // Vocabulary-parallel lookup: partial rows are summed across tensor ranks. Without sequence
      // parallelism the sum's backward is the identity (Megatron-Core's
      // reduce_from_tensor_model_parallel_region); with it, the scatter's is a gather.
      if (c.tp > 1 && plan.sequence_parallel) {
        tp_collective(b, c, "embedding.tp_reduce", LayerPart::attention, Collective::reduce_scatter, Collective::all_gather);
      } else if (c.tp > 1) {
        b.forward_collective("embedding.tp_reduce", LayerPart::attention,
                             c.comm.collective(Collective::all_reduce, CommGroup::tensor, c.hidden_bytes(c.tokens)));
      }
      if (model.embedding_norm) {  // BLOOM's LayerNorm of the embedded tokens: no residual to add
        b.memory({.name = "embedding.norm", .part = LayerPart::attention, .read = x, .written = x,
                  .backward_read = x * 2, .backward_written = x, .saved = x, .row_reduction = true});
      }
      const auto params = count_parameters(model);
      b.parameters(params.embedding / c.tp + params.position_embedding + params.embedding_norm);
      break;
    }
    case LayerKind::head:
      head_and_loss(b, c, "head");
      b.parameters(model.vocab_size * c.h / c.tp + norm_params(model, c.h));
      break;
  }
  // Full recomputation covers transformer layers (the MTP module's above); embedding and head
  // keep their own.
  const bool transformer = kind != LayerKind::embedding && kind != LayerKind::head && kind != LayerKind::mtp;
  if (transformer && plan.recompute.has(RecomputePart::full_layer)) b.recompute_everything(c.hidden_bytes(c.sp_tokens));
  LayerCosts costs = b.finish();
  if (c.tp > 1) overlap_tensor_collectives(costs.steps, comm, c.tp, userbuffer_gemm_sm_share(cluster.gpu));
  return costs;
}

}  // namespace trainsim
