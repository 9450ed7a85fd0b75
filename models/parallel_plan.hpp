#pragma once
// How a model is split over GPUs and scheduled: the degrees of each kind of parallelism, the
// pipeline schedule, optimizer-state sharding, recomputation and arithmetic precision. A pure
// description; schedules become per-rank op orders in sim/.
#include <cstdint>
#include <string>
#include <vector>

#include "core/checked_math.hpp"
#include "core/json_reader.hpp"
#include "core/units.hpp"
#include "hardware/precision.hpp"
#include "models/moe_routing.hpp"

namespace trainsim {

enum class Schedule { gpipe, one_f_one_b, interleaved_1f1b, zb_h1, dualpipe, dualpipe_v, zb_v };
std::string_view to_string(Schedule s);

// The attention kernels a run used.
enum class AttentionKernel {
  fused,              // the GPU's current fused kernels (FlashAttention-3 class on Hopper)
  flash_attention_2,  // the FlashAttention-2 generation (Hopper runs from before FA3, July 2024)
  // Two batched GEMMs around a softmax over the materialised score matrix, as every framework
  // ran attention before FlashAttention (Dao et al., arXiv:2205.14135, 2022).
  unfused,
};

// How the language-model loss runs over the logits (models/layer_costs.cpp, head_and_loss).
enum class CrossEntropyKernel {
  // Megatron-Core's vocab_parallel_cross_entropy, eager or with --cross-entropy-loss-fusion's
  // native implementation: passes over an FP32 copy of the logits, the FP32 softmax kept.
  megatron,
  // Transformer Engine 2.2-2.17's parallel_cross_entropy (--cross-entropy-fusion-impl te): two
  // passes over the BF16 logits in forward, the gradient written over them, one in backward.
  transformer_engine,
  // Transformer Engine 2.18 and later: the same passes, the gradient kept in FP32 and cast back.
  transformer_engine_fp32_gradient,
};
std::string_view to_string(CrossEntropyKernel k);

// How FP8 GEMMs get their scales (Megatron-Core's --fp8-recipe). Delayed scaling takes each
// tensor's scale from past amaxes and updates them inside the cast; block scales (MXFP8 on
// Blackwell, DeepSeek-V3's 1x128 / 128x128 blocks) are computed by the cast itself; per-tensor
// current scaling ("tensorwise") reads the tensor once more for its amax first. How fast the
// GEMMs run under each is the calibration's (its FP8 rows name their scaling).
enum class Fp8Recipe { delayed, tensorwise, mxfp8, blockwise };
std::string_view to_string(Fp8Recipe r);

// Parts of a layer's forward pass recomputed in the backward pass instead of being stored.
enum class RecomputePart : unsigned {
  norm = 1U << 0,               // normalisations (DeepSeek-V3 sec.3.2.3)
  mla_up_projection = 1U << 1,  // MLA up-projections (DeepSeek-V3 sec.3.2.3)
  attention_core = 1U << 2,     // softmax(QK^T)V: Megatron "selective" recomputation
  activation = 1U << 3,         // the FFN activation (DeepSeek-V3 sec.3.3.3 recomputes SwiGLU)
  full_layer = 1U << 4,         // the whole layer's forward: Megatron "full"
  expert_activation = 1U << 5,  // the routed experts' activation only (Megatron-Core "moe_act")
};

class RecomputeSet {
 public:
  constexpr RecomputeSet() = default;
  constexpr explicit RecomputeSet(unsigned bits) : bits_(bits) {}
  [[nodiscard]] constexpr bool has(RecomputePart p) const {
    return (bits_ & static_cast<unsigned>(p)) != 0 ||
           (p != RecomputePart::full_layer && (bits_ & static_cast<unsigned>(RecomputePart::full_layer)) != 0);
  }
  [[nodiscard]] constexpr unsigned bits() const { return bits_; }
  [[nodiscard]] std::string describe() const;
  constexpr bool operator==(const RecomputeSet&) const = default;

 private:
  unsigned bits_ = 0;
};

struct ParallelPlan {
  std::int64_t tensor = 1;
  std::int64_t pipeline = 1;
  std::int64_t data = 1;
  std::int64_t expert = 1;
  // Expert tensor parallelism: each expert's GEMMs split this many ways. 0 means "as
  // tensor_parallel", Megatron-Core's default (parallel_state.initialize_model_parallel).
  std::int64_t expert_tensor = 0;
  std::int64_t context = 1;
  std::int64_t virtual_stages = 1;  // model chunks per pipeline rank (interleaved 1F1B)
  Schedule schedule = Schedule::one_f_one_b;
  std::int64_t micro_batch_size = 1;  // sequences per micro-batch
  int zero_stage = 1;                 // 0: none, 1: optimizer states, 2: + gradients, 3: + weights
  RecomputeSet recompute;
  Precision precision = Precision::bf16;                   // GEMM precision (bf16 or fp8)
  Precision optimizer_moment_precision = Precision::fp32;  // AdamW first and second moments
  Precision gradient_precision = Precision::fp32;          // accumulated grads and their reduction
  std::int64_t communication_sms = 0;                      // SMs reserved for communication kernels
  bool sequence_parallel = true;                           // Megatron SP with tensor parallelism
  AttentionKernel attention_kernel = AttentionKernel::fused;
  // The default is what Megatron-Bridge's and NeMo's recipes run (cross_entropy_fusion_impl te).
  CrossEntropyKernel cross_entropy = CrossEntropyKernel::transformer_engine;
  Fp8Recipe fp8_recipe = Fp8Recipe::delayed;  // Megatron-Core's default; FP8 GEMMs only
  // Data-parallel gradient reduction overlapped with the last backward pass, and the updated
  // weights' all-gather with the next first forward. Off by default, like Megatron-LM's
  // --overlap-grad-reduce and --overlap-param-gather.
  bool overlap_data_parallel = false;
  // Tensor-parallel collectives overlapped with the GEMMs beside them, as Megatron-Core's
  // --tp-comm-overlap runs Transformer Engine's userbuffers (models/tensor_overlap.hpp). Off by
  // default, like Megatron-Core's tp_comm_overlap.
  bool tp_comm_overlap = false;
  // Transformer layers captured in CUDA graphs (Megatron-Core's --cuda-graph-impl
  // transformer_engine, or the whole iteration): a captured pass costs the host one graph
  // launch instead of its operations (models/host_pacing.hpp). Dropless MoE layers keep the
  // part from the host's wait onwards outside the graph (dynamic shapes).
  bool cuda_graphs = false;
  // MoE tokens padded to each expert's capacity (Megatron-Core's --moe-expert-capacity-factor 1
  // with --moe-pad-expert-input-to-capacity): static shapes, so the host never waits for token
  // counts. At capacity factor 1 under balanced routing nothing is dropped or padded.
  bool moe_pad_to_capacity = false;
  Bytes memory_overhead;  // CUDA context, allocator slack, communication buffers
  std::vector<std::int64_t> layers_per_chunk;  // explicit pipeline split; empty: balanced by cost
  MoeRouting routing;  // routing skew and redundant experts; balanced by default

  // Saturates: degrees that overflow int64 never match a cluster's GPU count.
  [[nodiscard]] std::int64_t gpus() const { return saturating_product({tensor, pipeline, data, context}); }
  bool operator==(const ParallelPlan&) const = default;
  [[nodiscard]] std::int64_t expert_tensor_degree() const { return expert_tensor > 0 ? expert_tensor : tensor; }
  // Micro-batches each pipeline runs per step of `global_batch_size` sequences.
  [[nodiscard]] std::int64_t micro_batches(std::int64_t global_batch_size) const {
    return global_batch_size / (data * micro_batch_size);
  }
  // Parallel folding (Liu et al., arXiv:2504.14960): the MoE layers lay expert tensor x expert x
  // expert data parallelism over the same tensor x context x data ranks of a pipeline stage
  // that the attention part uses, so EP need not divide data x context.
  [[nodiscard]] std::int64_t stage_ranks() const { return saturating_product({tensor, data, context}); }
  // Data-parallel replicas of each expert shard: the stage's ranks over EP x ETP.
  [[nodiscard]] std::int64_t expert_data_parallel() const { return stage_ranks() / (expert * expert_tensor_degree()); }
};

// The scenario format's spellings of schedules and of GEMM precisions.
std::vector<Choice<Schedule>> schedule_choices();
const std::vector<Choice<Precision>>& gemm_precision_choices();
// Reads a recomputation choice: "none", "selective", "full" or a list of parts; reports what
// is wrong at the field's pointer.
std::optional<RecomputeSet> parse_recomputation(const JsonRef& field, Diagnostics& diag);

// The recomputation as a scenario spells it: "none", "selective", "full" or a list of parts.
nlohmann::json recomputation_json(RecomputeSet recompute);
// Writes the fields the planner searches (degrees, schedule, virtual stages, micro-batch, ZeRO,
// recomputation, precision) into a scenario's `parallel` object, keeping its other fields, so
// that reading it back gives `plan`'s values for them.
void write_searched_fields(const ParallelPlan& plan, nlohmann::json& parallel);

// Reads a plan. With `base`, every key is optional and missing ones keep base's values (a
// training phase overriding part of the scenario's plan). `"data_parallel": "auto"` takes the
// GPUs the other degrees leave, `gpu_count` / (tensor x pipeline x context), so that a question
// about a bigger cluster (`--set /cluster/gpu_count=4096`) needs no second edit; an override
// that changes those degrees without saying data_parallel keeps base's number.
ParallelPlan parse_parallel_plan(ObjectReader& reader, const ParallelPlan* base, std::int64_t gpu_count);

}  // namespace trainsim
