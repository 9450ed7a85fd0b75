#pragma once
// What one rank does for one layer and one micro-batch: an ordered list of kernels and
// communication steps for the forward pass, the backward pass for inputs and the backward pass
// for weights, with the activations the forward pass leaves for the backward pass. The
// closed-form estimate and the engine's lowering both consume these lists.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "hardware/cluster_spec.hpp"
#include "hardware/kernel.hpp"
#include "models/collective_time.hpp"
#include "models/communication.hpp"
#include "models/model_spec.hpp"
#include "models/parallel_plan.hpp"

namespace trainsim {

enum class Pass { forward, backward_input, backward_weight };
// DualPipe splits a chunk into these components to overlap one chunk's communication with
// another's computation (DeepSeek-V3 sec.3.2.1, Fig. 4).
enum class LayerPart { attention, dispatch, mlp, combine };

std::string_view to_string(Pass p);
std::string_view to_string(LayerPart p);

// A kernel of the layer, timed by the kernel time model.
struct KernelStep {
  Kernel kernel;
  // The share of the GPU's SMs it runs on: less than 1 beside communication kernels that hold
  // SMs of their own (Transformer Engine's userbuffers reduce-scatters).
  double sm_share = 1.0;
};
// What a layer step does: run a kernel, a collective (TP all-gather, reduce-scatter or
// all-reduce; CP's key/value ring) or an MoE all-to-all.
using LayerWork = std::variant<KernelStep, CollectiveStep, AllToAllStep>;

// How a tensor-parallel collective runs beside the GEMM next to it under Megatron-Core's
// --tp-comm-overlap (Transformer Engine's userbuffers; models/tensor_overlap.hpp): an all-gather
// ring-exchanged chunk by chunk into the GEMM after it, a reduce-scatter pipelined out of the
// GEMM before it, or a backward reduce-scatter beside the weight-gradient GEMM ("bulk").
// Without it, an FP8 GEMM's input gather by NCCL still carries the rank's quantized shard
// ("quantized_gather").
enum class TensorOverlap { none, ring_gather, pipelined_scatter, bulk_scatter, quantized_gather };

struct LayerStep {
  std::string name;
  Pass pass = Pass::forward;
  LayerPart part = LayerPart::attention;
  LayerWork work;
  TensorOverlap tensor_overlap = TensorOverlap::none;  // tensor-parallel collectives
  // Communication that runs beside the next compute step instead of before it; the step after
  // that waits for both (ring attention: keys and values travel while blocks compute).
  bool overlaps_next = false;
  // What the host issues for this step: framework operations (Python calls) and the kernels
  // they launch, the ones beyond an operation's first from C++ inside it (Transformer Engine's
  // GroupedLinear: one GEMM and one quantize per expert; a userbuffers GEMM's row chunks, whose
  // later chunks continue the operation of the first). Priced in layer_program
  // (models/host_pacing.hpp).
  int operations = 1;
  int launches = 1;
  // The host waits here for the device to finish everything before this step (a dropless MoE
  // layer's token counts copied to the host for the all-to-all's split sizes).
  bool host_waits = false;
  // What its kernel allocates, where that is not what it writes: nothing for a pass that writes
  // over a buffer it read or into one the layer keeps for backward (in saved_activations).
  // The memory model's transient is the largest allocation (models/chunk_costs.cpp).
  std::optional<Bytes> allocated = std::nullopt;
  [[nodiscard]] bool is_communication() const { return !std::holds_alternative<KernelStep>(work); }
  // The kernel of a compute step; null for communication.
  [[nodiscard]] const Kernel* kernel() const;
};

// Transformer layers come in four kinds: dense or MoE, each with full or sliding-window
// attention (its window in the model's attention spec).
enum class LayerKind { dense, moe, mtp, embedding, head, dense_sliding, moe_sliding };
inline constexpr std::size_t kLayerKinds = 7;
// Whether a kind carries routed experts, and whether it attends through a sliding window.
[[nodiscard]] constexpr bool has_experts(LayerKind k) { return k == LayerKind::moe || k == LayerKind::moe_sliding; }
[[nodiscard]] constexpr bool is_sliding(LayerKind k) { return k == LayerKind::dense_sliding || k == LayerKind::moe_sliding; }
// The kind of transformer layer `layer` (0-based) of `model`.
LayerKind transformer_layer_kind(const ModelSpec& model, std::int64_t layer);
std::string_view to_string(LayerKind k);

struct LayerCosts {
  LayerKind kind = LayerKind::dense;
  std::vector<LayerStep> steps;  // forward steps, then backward-input, then backward-weight
  Bytes saved_activations;       // kept from forward to backward for one micro-batch
  std::int64_t parameters = 0;          // held by this rank
  std::int64_t expert_parameters = 0;   // of which routed experts (sharded over EP, not DP)
};

// The shape a rank sees: its micro-batch and the tokens it holds.
struct MicroBatchShape {
  std::int64_t sequence_length = 0;
  std::int64_t micro_batch_size = 1;
  // Tokens of the micro-batch on this rank before sequence-parallel sharding.
  [[nodiscard]] std::int64_t tokens(const ParallelPlan& plan) const {
    return micro_batch_size * sequence_length / plan.context;
  }
};

// Whether an MoE layer gathers its tokens over the tensor group before the router, experts split
// like the dense FFN (EP1, ETP = TP > 1: Megatron-Core's allgather dispatcher).
[[nodiscard]] bool moe_gathers_before_routing(const ParallelPlan& plan);
// Tokens a rank routes in an MoE layer, of the `tokens` of its micro-batch (context shard): all
// of them when gathered before routing, else its sequence-parallel shard.
[[nodiscard]] std::int64_t moe_routed_rows(const ParallelPlan& plan, std::int64_t tokens);

// `comm` builds the layer's communication steps (groups laid out on the cluster, algorithms
// chosen on its link rates).
// Bytes of the activation (or its gradient) one micro-batch sends to the next pipeline stage:
// the hidden states of this rank's tokens, sequence-sharded under sequence parallelism.
Bytes stage_boundary_bytes(const ModelSpec& model, const ParallelPlan& plan, const MicroBatchShape& shape);

LayerCosts layer_costs(LayerKind kind, const ModelSpec& model, const ParallelPlan& plan, const ClusterSpec& cluster,
                       const CommunicationModel& comm, const MicroBatchShape& shape);

}  // namespace trainsim
