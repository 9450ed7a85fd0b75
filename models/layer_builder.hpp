#pragma once
// Builds a LayerCosts from the forward operations of a layer: each operation declares its
// forward kernel, and the builder derives its backward kernels (data gradient, weight
// gradient), FP8 casts, recomputation and saved activations in one consistent way.
#include <optional>
#include <string>
#include <vector>

#include "models/layer_costs.hpp"
#include "models/moe_traffic.hpp"

namespace trainsim {

struct LinearOp {
  std::string name;
  LayerPart part = LayerPart::attention;
  std::int64_t m = 0, n = 0, k = 0;  // y[m,n] = x[m,k] W[k,n], per group (GemmShape's order)
  std::int64_t groups = 1;
  Precision precision = Precision::bf16;  // bf16 or fp8 GEMMs (all three: fprop, dgrad, wgrad)
  bool input_is_fp8 = false;  // x arrives already quantized (FP8 dispatch): no forward cast
  bool input_saved = true;    // false when x is recomputed in backward or saved by another op
  bool recomputed = false;    // this GEMM's forward runs again in backward
  // x was all-gathered from this many sequence shards (tensor parallelism with sequence
  // parallelism): only this rank's shard is kept, and backward gathers it again for the weight
  // gradient, beside the data-gradient GEMM (Megatron-LM; Korthikanti et al., arXiv:2205.05198
  // sec.4.2.2).
  std::int64_t input_shards = 1;
  // y is reduce-scattered over the tensor group (row-parallel under sequence parallelism): its
  // gradient arrives in shards, which per-tensor current scaling quantizes on one scale.
  bool output_scattered = false;
  // y is a buffer the layer keeps for backward (the logits Transformer Engine's loss overwrites
  // with their gradient): its forward GEMM allocates nothing beyond the saved activations.
  bool output_kept = false;
  // x's gradient is all-reduced over the tensor group after the data-gradient GEMM: a
  // column-parallel linear without sequence parallelism whose block has no exit collective to
  // stand for it (the output layer; Megatron's copy_to_tensor_model_parallel_region).
  bool input_gradient_reduced = false;
};

// A memory-bound kernel and, when it has one, its gradient kernel (zero bytes: none): what
// each reads and writes, what the forward keeps for backward, whether backward reruns it, and
// whether it reduces along each row (norms, softmax, cross-entropy, top-k) rather than streams.
struct MemoryOp {
  std::string name;
  LayerPart part = LayerPart::attention;
  Bytes read{}, written{};
  Bytes backward_read{}, backward_written{};
  Bytes saved{};
  bool recomputed = false;
  bool row_reduction = false;
  // Framework operations the kernel stands for, forward and backward (small ops that trainsim
  // times as one kernel: the router's score, top-k and auxiliary loss, the dispatcher's counts).
  int operations = 1;
  int backward_operations = 1;
  // What its kernels allocate when not what they write (LayerStep::allocated), both passes.
  std::optional<Bytes> allocated = std::nullopt;
};

// An attention core: its shape, the fused kernel generation that times it (unfused attention
// has none), what the forward keeps for backward and whether backward reruns it.
struct AttentionOp {
  std::string name;
  LayerPart part = LayerPart::attention;
  AttentionShape shape;
  FusedAttention generation = FusedAttention::current;
  Bytes saved{};
  bool recomputed = false;
};

// Context parallelism's key/value ring: its members and the bytes of one shard.
struct ContextRing {
  std::int64_t ranks = 1;
  Bytes kv_shard{};
};

class LayerBuilder {
 public:
  // `gradient_precision`: the buffer weight gradients accumulate into across micro-batches.
  // `comm` chooses the collectives the builder adds itself (a linear's input gather, the
  // context ring); a layer without them may have none. `fp8_recipe`: how FP8 linears' casts
  // get their scales.
  LayerBuilder(LayerKind kind, Precision gradient_precision, const CommunicationModel* comm = nullptr,
               Fp8Recipe fp8_recipe = Fp8Recipe::delayed)
      : gradient_precision_(gradient_precision), comm_(comm), fp8_recipe_(fp8_recipe) {
    costs_.kind = kind;
  }

  void linear(const LinearOp& op);
  void memory(const MemoryOp& op);
  void attention(const AttentionOp& op);
  // Attention without a fused kernel: scores = Q K^T and context = P V as batched BF16 GEMMs
  // around a fused scale-mask-softmax that reads and writes the whole score matrix (2 bytes per
  // score each way; its backward reads P and dP and writes dS); the probabilities stay saved
  // for backward unless recomputed. The full matrix is computed: masking happens in the softmax.
  // With `dropout` (a probability above 0) a dropout kernel rewrites the probabilities with a
  // one-byte mask per score, and its backward reads the gradient and the mask.
  void unfused_attention(const AttentionOp& op, double dropout);
  // Context-parallel ring attention: the key/value shards (their gradients travel back with
  // them) circulate while the blocks they complete compute, and the block of the last shard to
  // arrive runs after the ring (forward) or the local block before it (backward).
  void ring_attention(const AttentionOp& op, const ContextRing& ring);
  // A collective with its backward counterpart (gather <-> scatter, dispatch <-> combine), and
  // how each overlaps its GEMM under --tp-comm-overlap (models/tensor_overlap.hpp).
  void collective(const std::string& name, LayerPart part, const CollectiveStep& forward, const CollectiveStep& backward,
                  TensorOverlap forward_overlap = TensorOverlap::none, TensorOverlap backward_overlap = TensorOverlap::none);
  // A collective of the forward pass whose backward needs none (a vocabulary-parallel
  // embedding's all-reduce, the cross-entropy's statistics across tensor ranks).
  void forward_collective(const std::string& name, LayerPart part, const CollectiveStep& forward);
  // `operations`: what the host issues with it, forward and backward (the probabilities' own
  // exchange, a chunk sort).
  void all_to_all(const std::string& name, LayerPart part, const AllToAllStep& forward, const AllToAllStep& backward,
                  int operations = 1, int backward_operations = 1);
  // Parameters this rank holds: dense ones, and routed experts' (sharded over expert
  // parallelism rather than data parallelism).
  void parameters(std::int64_t count);
  void expert_parameters(std::int64_t count);
  // Full recomputation (Megatron "full"): the backward pass reruns every forward operation
  // added so far, collectives and all-to-alls included, and only the layer's input stays saved
  // of theirs (what is added after keeps its own).
  void recompute_everything(Bytes layer_input);

  // The host waits for the device before the forward step of the operation added next (and
  // of its recomputation), which the framework issues only once counts computed on the device
  // have reached the host.
  void host_waits_before_next() { host_wait_at_ = ops_.size(); }

  LayerCosts finish();

 private:
  struct Op {
    LayerStep forward;
    std::vector<LayerStep> backward_input;
    std::vector<LayerStep> backward_weight;
    bool recomputed = false;
  };
  // C[m,n] = A[m,k] B[k,n] once per group (a head), in BF16, with its backward products
  // dA = dC B^T and dB = A^T dC, named by the suffixes.
  struct BatchedProduct {
    std::int64_t groups, m, n, k;
    const char* a_gradient;
    const char* b_gradient;
  };
  void batched_product(const std::string& name, LayerPart part, const BatchedProduct& product, bool recomputed);
  // A linear's FP8 cast of a rows x cols BF16 tensor and what its recipe runs before it.
  [[nodiscard]] std::vector<LayerStep> scaled_cast(const LinearOp& l, Pass pass, const std::string& suffix,
                                                   std::int64_t rows, std::int64_t cols, bool reduce_amax) const;
  // A communication step in forward and its counterpart in backward.
  void communication(const std::string& name, LayerPart part, LayerWork forward, std::optional<LayerWork> backward);
  [[nodiscard]] CollectiveStep chosen(Collective collective, CommGroup group, Bytes payload) const;

  std::vector<Op> ops_;
  std::optional<std::size_t> host_wait_at_;
  LayerCosts costs_;
  Precision gradient_precision_;
  const CommunicationModel* comm_;
  Fp8Recipe fp8_recipe_;
};

}  // namespace trainsim
