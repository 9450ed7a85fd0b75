#pragma once
// Why a plan cannot run, as a value: a reason from a fixed list (what the planner counts
// candidates by) and the detail with its numbers (what a user reads). The scenario parser turns
// issues into configuration errors at the plan's JSON pointer; the planner keeps them as results.
#include <string>
#include <string_view>
#include <vector>

namespace trainsim {

enum class InfeasibleReason {
  gpu_count,              // the degrees do not multiply to the cluster's GPU count
  heads_split,            // attention or key/value heads do not split over tensor parallelism
  width_split,            // an FFN or expert width does not split over tensor parallelism
  experts_without_moe,    // expert parallelism on a dense model
  experts_split,          // routed experts do not split over expert parallelism
  expert_placement,       // expert x expert tensor parallelism does not divide a pipeline stage's ranks
  moe_without_sequence_parallel,  // MoE layers at tensor parallelism > 1 without sequence parallelism
  routing,                // a routing table or redundant experts that do not match the experts
  ring_attention_kernel,  // context parallelism without fused attention kernels
  ring_attention_window,  // context parallelism on sliding-window attention (not modelled)
  schedule_shape,         // the schedule does not accept the pipeline degree or virtual stages
  chunks_exceed_layers,   // more model chunks than layers (plus the embedding and the head)
  layers_per_chunk,       // an explicit split that does not fit the schedule or the model
  no_fp8,                 // FP8 on a GPU without FP8 tensor cores
  communication_sms,      // more SMs reserved for communication than the GPU has
  sequence_split,         // the sequence does not split into 2 x context-parallel chunks
  sequence_too_long,      // longer than the model's learned positions
  batch_split,            // the global batch is not a multiple of data x micro-batch
  schedule_micro_batches, // the schedule does not accept this many micro-batches
  micro_batch_too_large,  // more tokens in one micro-batch than trainsim accepts (core/scale_limits.hpp)
  out_of_memory,          // the fullest rank needs more than the GPU holds
  below_headroom,         // it fits, with less memory left than the planner's min_headroom
  tp_comm_overlap,        // userbuffers overlap where Megatron-Core or Transformer Engine refuse it
};
inline constexpr int kInfeasibleReasonCount = 23;
// A short phrase naming the reason ("out of memory").
std::string_view to_string(InfeasibleReason reason);

struct PlanIssue {
  InfeasibleReason reason = InfeasibleReason::gpu_count;
  std::string field;   // the plan's key it concerns ("tensor_parallel"), or "" for the plan or shape
  std::string detail;  // what is wrong, with the numbers
  std::string hint;    // how to fix it; may be empty
};
using PlanIssues = std::vector<PlanIssue>;

}  // namespace trainsim
