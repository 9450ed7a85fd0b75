#include "models/plan_rules.hpp"

#include <algorithm>
#include <limits>

#include "core/json_reader.hpp"
#include "core/scale_limits.hpp"
#include "models/schedule_traits.hpp"

namespace trainsim {

namespace {

void check_divides(PlanIssues& issues, InfeasibleReason reason, const char* field, std::int64_t divisor,
                   std::int64_t value, const std::string& what) {
  if (divisor > 0 && value % divisor != 0) {
    issues.push_back({reason, field, what + " (" + std::to_string(value) + ") is not divisible by " + std::to_string(divisor), ""});
  }
}

// Where the frameworks refuse userbuffers overlap. At tensor_parallel 1 there is nothing to
// overlap and nothing to refuse.
void check_tp_comm_overlap(const ClusterSpec& c, const ParallelPlan& p, PlanIssues& issues) {
  const auto refuse = [&](const std::string& why, const std::string& hint) {
    issues.push_back({InfeasibleReason::tp_comm_overlap, "tp_comm_overlap", why, hint});
  };
  // Megatron-LM asserts it (arguments.py, --tp-comm-overlap): userbuffers overlap the gathers
  // and scatters of sequence parallelism.
  if (!p.sequence_parallel) {
    refuse("tp_comm_overlap at tensor_parallel " + std::to_string(p.tensor) +
               " needs sequence parallelism (Megatron-LM refuses --tp-comm-overlap without it)",
           "set \"sequence_parallel\": true, or \"tp_comm_overlap\": false");
  }
  // The bulk reduce-scatter runs beside the weight gradient, which these schedules defer:
  // Transformer Engine asserts "ub_bulk_wgrad is not supported when enabling delay_wgrad_compute".
  if (schedule_traits(p.schedule).defers_weight_gradients()) {
    refuse(std::string("tp_comm_overlap cannot run with schedule ") + std::string(to_string(p.schedule)) +
               ", which defers weight gradients (Transformer Engine refuses userbuffers' bulk overlap with delayed "
               "weight gradients)",
           "a schedule that keeps weight gradients in the backward pass, or \"tp_comm_overlap\": false");
  }
  // Userbuffers exchange through peer memory: the tensor group must share one NVLink domain.
  if (p.tensor > c.gpus_per_node) {
    refuse("tp_comm_overlap needs the tensor group (" + std::to_string(p.tensor) + " GPUs) inside one NVLink domain of " +
               std::to_string(c.gpus_per_node) + " GPUs (userbuffers exchange through peer memory)",
           "tensor_parallel at most the NVLink domain, or \"tp_comm_overlap\": false");
  }
}

}  // namespace

PlanIssues plan_structure_issues(const ModelSpec& m, const ClusterSpec& c, const ParallelPlan& p) {
  PlanIssues issues;
  if (p.gpus() != c.gpu_count) {
    const auto product = p.gpus() == std::numeric_limits<std::int64_t>::max() ? std::string("more than 2^63")
                                                                                : std::to_string(p.gpus());
    issues.push_back({InfeasibleReason::gpu_count, "",
                      "tensor x pipeline x data x context = " + product + " but the cluster has " +
                          std::to_string(c.gpu_count) + " GPUs",
                      "the four degrees must multiply to cluster.gpu_count"});
  }
  const auto& a = m.attention;
  check_divides(issues, InfeasibleReason::heads_split, "tensor_parallel", p.tensor, a.num_heads, "num_heads");
  if (a.kind == AttentionKind::gqa && a.num_kv_heads % p.tensor != 0 && p.tensor % a.num_kv_heads != 0) {
    issues.push_back({InfeasibleReason::heads_split, "tensor_parallel",
                      "tensor_parallel must divide num_kv_heads (" + std::to_string(a.num_kv_heads) + ") or be a multiple of it", ""});
  }
  check_divides(issues, InfeasibleReason::width_split, "tensor_parallel", p.tensor, m.ffn.intermediate_size,
                "ffn intermediate_size");
  if (p.tp_comm_overlap && p.tensor > 1) check_tp_comm_overlap(c, p, issues);
  if (p.expert > 1 && !m.moe) {
    issues.push_back({InfeasibleReason::experts_without_moe, "expert_parallel", "expert_parallel > 1 needs a mixture-of-experts model", ""});
  }
  if (m.moe) {
    check_divides(issues, InfeasibleReason::experts_split, "expert_parallel", p.expert, m.moe->num_routed_experts,
                  "num_routed_experts");
    // Parallel folding: the expert model-parallel group (ETP x EP) tiles the stage's ranks.
    const std::int64_t etp = p.expert_tensor_degree();
    if (p.stage_ranks() % saturating_product({p.expert, etp}) != 0) {
      issues.push_back({InfeasibleReason::expert_placement, "expert_parallel",
                        "expert_parallel x expert_tensor_parallel (" + std::to_string(p.expert) + " x " +
                            std::to_string(etp) + ") does not divide tensor x data x context parallel (" +
                            std::to_string(p.stage_ranks()) + "), the ranks of a pipeline stage",
                        "choose EP x ETP dividing the ranks of a pipeline stage"});
    }
    check_divides(issues, InfeasibleReason::width_split, p.expert_tensor > 0 ? "expert_tensor_parallel" : "tensor_parallel",
                  etp, m.moe->expert_intermediate_size, "expert_intermediate_size");
    // Megatron-Core refuses to train MoE layers so (MoELayer.forward raises a ValueError):
    // every tensor rank would route the same tokens.
    if (p.tensor > 1 && !p.sequence_parallel) {
      issues.push_back({InfeasibleReason::moe_without_sequence_parallel, "sequence_parallel",
                        "an MoE model at tensor_parallel " + std::to_string(p.tensor) +
                            " needs sequence parallelism (Megatron-Core's MoE layer requires it in training)",
                        "set \"sequence_parallel\": true, or tensor_parallel 1"});
    }
    const auto& routing = p.routing;
    const std::int64_t experts = m.moe->num_routed_experts;
    if (routing.distribution == RoutingDistribution::table && static_cast<std::int64_t>(routing.expert_loads.size()) != experts) {
      issues.push_back({InfeasibleReason::routing, "routing",
                        "expert_loads has " + std::to_string(routing.expert_loads.size()) + " entries but the model has " +
                            std::to_string(experts) + " routed experts",
                        "one load per routed expert, in expert order"});
    }
    const auto with_tokens = std::count_if(routing.expert_loads.begin(), routing.expert_loads.end(), [](double l) { return l > 0.0; });
    if (routing.distribution == RoutingDistribution::table && with_tokens < m.moe->top_k) {
      issues.push_back({InfeasibleReason::routing, "routing",
                        "expert_loads gives tokens to " + std::to_string(with_tokens) + " experts, fewer than the " +
                            std::to_string(m.moe->top_k) + " each token chooses",
                        "at least top_k experts with a positive load"});
    }
    if (routing.redundant_experts > experts) {
      issues.push_back({InfeasibleReason::routing, "routing",
                        "redundant_experts (" + std::to_string(routing.redundant_experts) + ") exceeds the " +
                            std::to_string(experts) + " routed experts it replicates",
                        ""});
    }
    if (routing.redundant_experts > 0 && (experts + routing.redundant_experts) % p.expert != 0) {
      issues.push_back({InfeasibleReason::routing, "routing",
                        "routed plus redundant experts (" + std::to_string(experts) + " + " +
                            std::to_string(routing.redundant_experts) + ") do not split over expert_parallel " +
                            std::to_string(p.expert),
                        "every expert-parallel rank holds the same number of expert slots"});
    }
  } else if (p.expert_tensor > 1 || !p.routing.is_default()) {
    issues.push_back({InfeasibleReason::experts_without_moe, p.expert_tensor > 1 ? "expert_tensor_parallel" : "routing",
                      "expert_tensor_parallel and routing need a mixture-of-experts model", ""});
  }
  if (p.attention_kernel == AttentionKernel::unfused && p.context > 1) {
    issues.push_back({InfeasibleReason::ring_attention_kernel, "attention_kernel",
                      "context parallelism (ring attention) needs fused attention kernels",
                      "set \"attention_kernel\" to \"fused\" or \"flash_attention_2\", or context_parallel 1"});
  }
  if (m.attention.sliding_window && p.context > 1) {
    issues.push_back({InfeasibleReason::ring_attention_window, "context_parallel",
                      "ring attention over a sliding window is not modelled: its ring would carry only the keys "
                      "inside the window",
                      "context_parallel 1 for a sliding-window model"});
  }
  const auto& schedule = schedule_traits(p.schedule);
  schedule.check_plan(p, issues);
  // The first and last chunks may hold only the embedding and only the head (Llama 3's
  // balanced pipeline, arXiv:2407.21783 sec.3.3.2); every other chunk needs a layer.
  const std::int64_t chunks = schedule.chunk_count(p);
  if (chunks > m.num_layers + 2) {
    issues.push_back({InfeasibleReason::chunks_exceed_layers, "pipeline_parallel",
                      "the schedule splits the model into " + std::to_string(chunks) + " chunks but it has only " +
                          std::to_string(m.num_layers) + " layers plus the embedding and the head",
                      ""});
  }
  if (!p.layers_per_chunk.empty()) {
    std::int64_t total = 0;  // each count is at most limits::kMaxLayers, and there are no more than a file holds
    for (const auto layers : p.layers_per_chunk) total += layers;
    if (static_cast<std::int64_t>(p.layers_per_chunk.size()) != chunks || total != m.num_layers) {
      issues.push_back({InfeasibleReason::layers_per_chunk, "layers_per_chunk",
                        "needs " + std::to_string(chunks) + " counts summing to the model's " + std::to_string(m.num_layers) +
                            " layers",
                        ""});
    }
  }
  if (p.precision == Precision::fp8 && !c.gpu.peak(Precision::fp8)) {
    issues.push_back({InfeasibleReason::no_fp8, "precision", "GPU " + c.gpu.id + " has no FP8 tensor cores", "use \"bf16\""});
  }
  if (c.gpu.sm_count && p.communication_sms >= *c.gpu.sm_count) {
    issues.push_back({InfeasibleReason::communication_sms, "communication_sms",
                      "cannot reserve " + std::to_string(p.communication_sms) + " of " + std::to_string(*c.gpu.sm_count) + " SMs",
                      ""});
  }
  return issues;
}

PlanIssues plan_shape_issues(const ModelSpec& m, const ParallelPlan& p, std::int64_t seq, std::int64_t gbs) {
  PlanIssues issues;
  check_divides(issues, InfeasibleReason::sequence_split, "context_parallel", p.context > 1 ? 2 * p.context : 1, seq,
                "sequence_length (context parallelism splits it into 2 x context_parallel load-balanced chunks)");
  if (m.position_embedding == PositionEmbedding::learned && seq > m.max_sequence_length) {
    issues.push_back({InfeasibleReason::sequence_too_long, "",
                      "sequence_length " + std::to_string(seq) + " exceeds the model's learned positions (" +
                          std::to_string(m.max_sequence_length) + ")",
                      ""});
  }
  if (p.micro_batch_size > limits::kMaxMicroBatchTokens / seq) {
    issues.push_back({InfeasibleReason::micro_batch_too_large, "",
                      "micro_batch_size " + std::to_string(p.micro_batch_size) + " x sequence_length " + std::to_string(seq) +
                          " exceeds " + std::to_string(limits::kMaxMicroBatchTokens) + " tokens per micro-batch",
                      "beyond any run trainsim prices (core/scale_limits.hpp)"});
    return issues;
  }
  const std::int64_t per_pipeline = p.data * p.micro_batch_size;  // at most 2^24 x 2^28
  if (gbs % per_pipeline != 0) {
    issues.push_back({InfeasibleReason::batch_split, "",
                      "global_batch_size " + std::to_string(gbs) + " is not a multiple of data_parallel x micro_batch_size = " +
                          std::to_string(per_pipeline),
                      ""});
    return issues;
  }
  schedule_traits(p.schedule).check_micro_batches(p, gbs / per_pipeline, issues);
  return issues;
}

PlanIssues plan_issues(const ModelSpec& m, const ClusterSpec& c, const ParallelPlan& p, std::int64_t seq, std::int64_t gbs) {
  auto issues = plan_structure_issues(m, c, p);
  const auto shape = plan_shape_issues(m, p, seq, gbs);
  issues.insert(issues.end(), shape.begin(), shape.end());
  return issues;
}

void report_plan_issues(const PlanIssues& issues, const std::string& pointer, Diagnostics& diag) {
  for (const auto& issue : issues) {
    diag.error(issue.field.empty() ? pointer : child_pointer(pointer, issue.field), issue.detail, issue.hint);
  }
}

}  // namespace trainsim
