#pragma once
// What one rank does for one layer and one micro-batch: an ordered list of kernels and
// communication steps for the forward pass, the backward pass for inputs and the backward pass
// for weights, with the activations the forward pass leaves for the backward pass. The
// closed-form estimate and the engine's lowering both consume these lists.
#include <cstdint>
#include <string>
#include <vector>

#include "hardware/cluster_spec.hpp"
#include "hardware/kernel.hpp"
#include "models/model_spec.hpp"
#include "models/parallel_plan.hpp"

namespace trainsim {

enum class Pass { forward, backward_input, backward_weight };
// DualPipe splits a chunk into these components to overlap one chunk's communication with
// another's computation (DeepSeek-V3 sec.3.2.1, Fig. 4).
enum class LayerPart { attention, dispatch, mlp, combine };
enum class CommGroup { tensor, context, expert };
enum class Collective {
  all_gather,      // tensor-parallel gather of a sequence-sharded activation
  reduce_scatter,  // tensor-parallel reduction back to sequence shards
  all_reduce,      // tensor-parallel reduction without sequence parallelism
  ring_exchange,   // context-parallel key/value ring (cp - 1 hops)
  moe_dispatch,    // tokens to experts (or, in backward, gradients of expert outputs)
  moe_combine,     // expert outputs back (or, in backward, gradients of expert inputs)
};

std::string_view to_string(Pass p);
std::string_view to_string(LayerPart p);
std::string_view to_string(Collective c);

struct LayerStep {
  std::string name;
  Pass pass = Pass::forward;
  LayerPart part = LayerPart::attention;
  bool is_communication = false;
  Kernel kernel;  // compute steps
  // Communication steps: the collective, its group, the size of the full (gathered) tensor for
  // TP/CP collectives, and for MoE all-to-alls the bytes this rank sends per link class.
  Collective collective = Collective::all_gather;
  CommGroup group = CommGroup::tensor;
  Bytes payload;
  Bytes scale_out_bytes;  // MoE all-to-all only
  Bytes scale_up_bytes;   // MoE all-to-all only
  // Communication that runs beside the next compute step instead of before it; the step after
  // that waits for both (ring attention: keys and values travel while blocks compute).
  bool overlaps_next = false;
};

enum class LayerKind { dense, moe, mtp, embedding, head };
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

LayerCosts layer_costs(LayerKind kind, const ModelSpec& model, const ParallelPlan& plan,
                       const ClusterSpec& cluster, const MicroBatchShape& shape);

}  // namespace trainsim
