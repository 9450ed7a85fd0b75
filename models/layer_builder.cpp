#include "models/layer_builder.hpp"

#include <algorithm>
#include <stdexcept>

namespace trainsim {
namespace {

LayerStep step(std::string name, Pass pass, LayerPart part) {
  LayerStep s;
  s.name = std::move(name);
  s.pass = pass;
  s.part = part;
  return s;
}

// A step the host issues as `operations` framework operations of one kernel each.
LayerStep issued_as(LayerStep s, int operations) {
  s.operations = operations;
  s.launches = operations;
  return s;
}

LayerStep compute_step(std::string name, Pass pass, LayerPart part, const Kernel& kernel) {
  LayerStep s = step(std::move(name), pass, part);
  s.work = KernelStep{kernel};
  return s;
}

LayerStep communication_step(std::string name, Pass pass, LayerPart part, LayerWork work) {
  LayerStep s = step(std::move(name), pass, part);
  s.work = std::move(work);
  return s;
}

// A fused cast(-transpose) to FP8 of an m x k BF16 tensor: both the row-wise copy for the
// GEMM and the column-wise copy the other backward GEMM needs (1x128 tiles, DeepSeek-V3
// sec.3.3.2), so 2 bytes read and 2 written per element.
Kernel fp8_cast(std::int64_t rows, std::int64_t cols) {
  const Bytes elements(rows * cols);
  return memory_kernel(elements * 2, elements * 2);
}

}  // namespace

void LayerBuilder::linear(const LinearOp& l) {
  const bool fp8 = l.precision == Precision::fp8;
  const std::int64_t rows = l.m * l.groups;
  // Transformer Engine's GroupedLinear (Megatron-Core's grouped experts) launches one cuBLAS
  // GEMM and one quantize per expert (multi_stream_cublas_gemm; quantizer.cpp, v2.8-v2.19):
  // one operation, `groups` kernels.
  const auto per_group = [&](LayerStep s) {
    s.launches = static_cast<int>(l.groups);
    return s;
  };
  Op op;
  op.recomputed = l.recomputed;
  op.forward = per_group(compute_step(l.name, Pass::forward, l.part, gemm_kernel({l.m, l.n, l.k, l.groups, l.precision})));
  if (l.output_kept) op.forward.allocated = Bytes(0);
  // dX[m,k] = dY[m,n] W^T and dW[k,n] = X^T[k,m] dY[m,n]: the same FLOPs as the forward GEMM.
  op.backward_input.push_back(per_group(compute_step(l.name + ".dgrad", Pass::backward_input, l.part,
                                                     gemm_kernel({l.m, l.k, l.n, l.groups, l.precision}))));
  if (l.input_gradient_reduced) {
    op.backward_input.push_back(communication_step(l.name + ".input_reduce", Pass::backward_input, l.part,
                                                   chosen(Collective::all_reduce, CommGroup::tensor, Bytes(rows * l.k * 2))));
  }
  // The weight gradient is accumulated across micro-batches in the gradient buffer: the GEMM
  // reads and writes it instead of writing a BF16 result.
  Kernel wgrad = gemm_kernel({l.k, l.n, l.m, l.groups, l.precision});
  const Bytes accumulator(l.groups * l.k * l.n * bytes_per_element(gradient_precision_));
  wgrad.bytes_read += accumulator;
  wgrad.bytes_written = accumulator;
  op.backward_weight.push_back(per_group(compute_step(l.name + ".wgrad", Pass::backward_weight, l.part, wgrad)));
  op.backward_weight.back().allocated = Bytes(0);  // the gradient buffer is the memory model's own line
  const Bytes input(rows * l.k * (fp8 ? 1 : 2));
  if (l.input_shards > 1) {
    LayerStep gather = communication_step(l.name + ".input_gather", Pass::backward_input, l.part,
                                          chosen(Collective::all_gather, CommGroup::tensor, input));
    gather.overlaps_next = true;
    op.backward_input.insert(op.backward_input.begin(), gather);
  }
  const bool tensorwise = fp8 && fp8_recipe_ == Fp8Recipe::tensorwise;
  if (fp8) {
    auto cast_grad = scaled_cast(l, Pass::backward_input, ".cast_grad", rows, l.n, tensorwise && l.output_scattered);
    op.backward_input.insert(op.backward_input.begin(), cast_grad.begin(), cast_grad.end());
  }
  if (fp8 && !l.input_is_fp8) {
    // The cast runs as its own operations so that recomputation repeats it with the GEMM.
    for (auto& s : scaled_cast(l, Pass::forward, ".cast", rows, l.k, tensorwise && l.input_shards > 1)) {
      Op cast;
      cast.recomputed = l.recomputed;
      cast.forward = std::move(s);
      ops_.push_back(cast);
    }
  }
  ops_.push_back(op);
  if (l.input_saved) costs_.saved_activations += Bytes(input.count() / l.input_shards);
}

std::vector<LayerStep> LayerBuilder::scaled_cast(const LinearOp& l, Pass pass, const std::string& suffix, std::int64_t rows,
                                                 std::int64_t cols, bool reduce_amax) const {
  const auto launches = static_cast<int>(l.groups);
  LayerStep cast = compute_step(l.name + suffix, pass, l.part, fp8_cast(rows, cols));
  cast.launches = launches;
  if (fp8_recipe_ != Fp8Recipe::tensorwise) return {cast};
  // Per-tensor current scaling (Transformer Engine's Float8CurrentScalingQuantizer::quantize_impl,
  // transformer_engine/pytorch/csrc/quantizer.cpp @d0067d0 lines 980-1031): an amax kernel
  // reads the BF16 tensor, a second computes the scale, then the cast; a tensor that travels
  // quantized in shards (a sequence-parallel input before its gather, an output gradient
  // before its reduce-scatter's counterpart) first all-reduces its amax over the tensor group
  // (module/linear.py and layernorm_mlp.py since TE PR #1471, March 2025). One framework
  // operation issues them all.
  LayerStep amax = compute_step(l.name + suffix + ".amax", pass, l.part, memory_kernel(Bytes(rows * cols * 2), Bytes(0)));
  amax.launches = 2 * launches;
  cast.operations = 0;
  std::vector<LayerStep> steps{amax};
  if (reduce_amax) {
    LayerStep reduce = communication_step(l.name + suffix + ".amax_reduce", pass, l.part,
                                          chosen(Collective::all_reduce, CommGroup::tensor, Bytes(4)));
    reduce.operations = 0;
    steps.push_back(reduce);
  }
  steps.push_back(cast);
  return steps;
}

void LayerBuilder::memory(const MemoryOp& m) {
  Op op;
  op.recomputed = m.recomputed;
  const KernelClass kind = m.row_reduction ? KernelClass::row_reduction : KernelClass::memory_bound;
  op.forward = issued_as(compute_step(m.name, Pass::forward, m.part, memory_kernel(m.read, m.written, kind)), m.operations);
  op.forward.allocated = m.allocated;
  if (m.backward_read.count() + m.backward_written.count() > 0) {
    op.backward_input.push_back(issued_as(compute_step(m.name + ".grad", Pass::backward_input, m.part,
                                                       memory_kernel(m.backward_read, m.backward_written, kind)),
                                          m.backward_operations));
    op.backward_input.back().allocated = m.allocated;
  }
  ops_.push_back(op);
  costs_.saved_activations += m.saved;
}

void LayerBuilder::attention(const AttentionOp& a) {
  Op op;
  op.recomputed = a.recomputed;
  op.forward = compute_step(a.name, Pass::forward, a.part, attention_kernel(a.shape, false, a.generation));
  op.backward_input.push_back(
      compute_step(a.name + ".grad", Pass::backward_input, a.part, attention_kernel(a.shape, true, a.generation)));
  ops_.push_back(op);
  costs_.saved_activations += a.saved;
}

void LayerBuilder::batched_product(const std::string& name, LayerPart part, const BatchedProduct& p, bool recomputed) {
  const auto batched = [&](std::int64_t m, std::int64_t n, std::int64_t k) {
    return gemm_kernel({m, n, k, p.groups, Precision::bf16});
  };
  Op op;
  op.recomputed = recomputed;
  op.forward = compute_step(name, Pass::forward, part, batched(p.m, p.n, p.k));
  op.backward_input.push_back(compute_step(name + p.a_gradient, Pass::backward_input, part, batched(p.m, p.k, p.n)));
  op.backward_input.push_back(compute_step(name + p.b_gradient, Pass::backward_input, part, batched(p.k, p.n, p.m)));
  ops_.push_back(op);
}

void LayerBuilder::unfused_attention(const AttentionOp& a, double dropout) {
  const auto& name = a.name;
  const auto part = a.part;
  const auto& s = a.shape;
  const bool recomputed = a.recomputed;
  const std::int64_t groups = s.batch * s.heads;
  const std::int64_t elements = groups * s.seq_q * s.seq_kv;
  const Bytes scores(elements * bytes_per_element(Precision::bf16));
  batched_product(name + ".scores", part, {groups, s.seq_q, s.seq_kv, s.head_dim_qk, ".dq", ".dk"}, recomputed);
  // Recomputed (Megatron's selective recomputation), the probabilities are made again in
  // backward instead of being kept.
  const Bytes kept = recomputed ? Bytes(0) : scores;
  memory({.name = name + ".softmax", .part = part, .read = scores, .written = scores, .backward_read = scores * 2,
          .backward_written = scores, .saved = kept, .recomputed = recomputed, .row_reduction = true});
  if (dropout > 0.0) {
    const Bytes mask(elements);
    memory({.name = name + ".dropout", .part = part, .read = scores, .written = scores + mask,
            .backward_read = scores + mask, .backward_written = scores, .saved = recomputed ? Bytes(0) : scores + mask,
            .recomputed = recomputed});
  }
  batched_product(name + ".context", part, {groups, s.seq_q, s.head_dim_v, s.seq_kv, ".dp", ".dv"}, recomputed);
  costs_.saved_activations += a.saved;
}

void LayerBuilder::ring_attention(const AttentionOp& a, const ContextRing& r) {
  // Forward: [ring | ranks - 1 blocks] then one block; backward (reversed): one block, then
  // [ring of keys, values and their gradients | ranks - 1 blocks].
  collective(a.name + ".cp_ring", a.part, chosen(Collective::ring_pass, CommGroup::context, r.kv_shard),
             chosen(Collective::ring_pass, CommGroup::context, r.kv_shard * 2));
  auto ring = ops_.back();
  ops_.pop_back();
  ring.recomputed = a.recomputed;
  ring.forward.overlaps_next = true;
  LayerStep ring_grad = ring.backward_input.front();
  ring_grad.overlaps_next = true;
  ring.backward_input.clear();
  // Transformer Engine's context-parallel attention steps through the ring in Python: one
  // exchange and one attention call per arriving shard.
  const int hops = static_cast<int>(r.ranks - 1);
  ring.forward = issued_as(ring.forward, hops);
  ring_grad = issued_as(ring_grad, hops);
  ops_.push_back(ring);

  AttentionOp arriving = a;
  arriving.shape.seq_kv = a.shape.seq_kv / r.ranks * (r.ranks - 1);
  AttentionOp last = a;
  last.name = a.name + ".last_block";
  last.shape.seq_kv = a.shape.seq_kv / r.ranks;
  last.saved = Bytes(0);
  attention(arriving);
  ops_.back().forward = issued_as(ops_.back().forward, hops);
  ops_.back().backward_input.front() = issued_as(ops_.back().backward_input.front(), hops);
  ops_.back().backward_input.insert(ops_.back().backward_input.begin(), ring_grad);
  attention(last);
}

void LayerBuilder::communication(const std::string& name, LayerPart part, LayerWork forward,
                                 std::optional<LayerWork> backward) {
  Op op;
  op.forward = communication_step(name, Pass::forward, part, std::move(forward));
  if (backward) op.backward_input.push_back(communication_step(name + ".grad", Pass::backward_input, part, std::move(*backward)));
  ops_.push_back(op);
}

void LayerBuilder::collective(const std::string& name, LayerPart part, const CollectiveStep& forward,
                              const CollectiveStep& backward, TensorOverlap forward_overlap,
                              TensorOverlap backward_overlap) {
  communication(name, part, forward, backward);
  ops_.back().forward.tensor_overlap = forward_overlap;
  ops_.back().backward_input.front().tensor_overlap = backward_overlap;
}

void LayerBuilder::forward_collective(const std::string& name, LayerPart part, const CollectiveStep& forward) {
  communication(name, part, forward, std::nullopt);
}

void LayerBuilder::all_to_all(const std::string& name, LayerPart part, const AllToAllStep& forward,
                              const AllToAllStep& backward, int operations, int backward_operations) {
  communication(name, part, forward, backward);
  ops_.back().forward = issued_as(ops_.back().forward, operations);
  ops_.back().backward_input.front() = issued_as(ops_.back().backward_input.front(), backward_operations);
}

CollectiveStep LayerBuilder::chosen(Collective collective, CommGroup group, Bytes payload) const {
  if (comm_ == nullptr) throw std::logic_error("a layer with collectives of its own needs a communication model");
  return comm_->collective(collective, group, payload);
}

void LayerBuilder::parameters(std::int64_t count) { costs_.parameters += count; }

void LayerBuilder::expert_parameters(std::int64_t count) {
  costs_.parameters += count;
  costs_.expert_parameters += count;
}

void LayerBuilder::recompute_everything(Bytes layer_input) {
  for (auto& op : ops_) op.recomputed = true;
  costs_.saved_activations = layer_input;
}

LayerCosts LayerBuilder::finish() {
  if (host_wait_at_ && *host_wait_at_ < ops_.size()) ops_[*host_wait_at_].forward.host_waits = true;
  for (const auto& op : ops_) costs_.steps.push_back(op.forward);
  // Recomputed forward operations run first in the backward pass, in forward order.
  for (const auto& op : ops_) {
    if (!op.recomputed) continue;
    LayerStep again = op.forward;
    again.name += ".recompute";
    again.pass = Pass::backward_input;
    costs_.steps.push_back(again);
  }
  for (auto it = ops_.rbegin(); it != ops_.rend(); ++it) {
    costs_.steps.insert(costs_.steps.end(), it->backward_input.begin(), it->backward_input.end());
  }
  for (auto it = ops_.rbegin(); it != ops_.rend(); ++it) {
    costs_.steps.insert(costs_.steps.end(), it->backward_weight.begin(), it->backward_weight.end());
  }
  return std::move(costs_);
}

}  // namespace trainsim
