#include "models/plan_issue.hpp"

namespace trainsim {

std::string_view to_string(InfeasibleReason reason) {
  switch (reason) {
    case InfeasibleReason::gpu_count: return "degrees do not multiply to the GPU count";
    case InfeasibleReason::heads_split: return "heads do not split over tensor parallelism";
    case InfeasibleReason::width_split: return "FFN or expert width does not split over tensor parallelism";
    case InfeasibleReason::experts_without_moe: return "expert parallelism on a dense model";
    case InfeasibleReason::experts_split: return "experts do not split over expert parallelism";
    case InfeasibleReason::expert_placement: return "expert groups do not tile a pipeline stage";
    case InfeasibleReason::routing: return "routing does not match the experts";
    case InfeasibleReason::moe_without_sequence_parallel: return "MoE with tensor parallelism needs sequence parallelism";
    case InfeasibleReason::ring_attention_kernel: return "context parallelism needs fused attention";
    case InfeasibleReason::ring_attention_window: return "context parallelism with sliding-window attention";
    case InfeasibleReason::schedule_shape: return "schedule does not accept the pipeline degree or virtual stages";
    case InfeasibleReason::chunks_exceed_layers: return "more pipeline chunks than layers";
    case InfeasibleReason::layers_per_chunk: return "layers_per_chunk does not fit";
    case InfeasibleReason::no_fp8: return "no FP8 tensor cores";
    case InfeasibleReason::communication_sms: return "too many SMs reserved for communication";
    case InfeasibleReason::sequence_split: return "sequence does not split over context parallelism";
    case InfeasibleReason::sequence_too_long: return "sequence longer than the learned positions";
    case InfeasibleReason::batch_split: return "global batch not a multiple of data x micro-batch";
    case InfeasibleReason::schedule_micro_batches: return "schedule does not accept the micro-batch count";
    case InfeasibleReason::micro_batch_too_large: return "micro-batch beyond the size limit";
    case InfeasibleReason::out_of_memory: return "out of memory";
    case InfeasibleReason::below_headroom: return "less memory headroom than planner.min_headroom";
    case InfeasibleReason::tp_comm_overlap: return "tensor-parallel overlap not possible with this plan";
  }
  return "?";
}

}  // namespace trainsim
