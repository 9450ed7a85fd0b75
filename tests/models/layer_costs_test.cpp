#include <gtest/gtest.h>

#include "models/flop_count.hpp"
#include "hardware/kernel_time_model.hpp"
#include "models/layer_costs.hpp"
#include "models/moe_traffic.hpp"
#include "models/parameter_count.hpp"
#include "scenario_fixture.hpp"

namespace trainsim {
namespace {
using namespace testing;

// A layer's costs on the scenario's cluster, its communication priced on the cluster's links.
LayerCosts costs_of(LayerKind kind, const Scenario& s, const ParallelPlan& plan, const MicroBatchShape& mb) {
  const CommunicationModel comm(plan, s.cluster, link_rates(s.cluster, kernel_model(s.cluster)));
  return layer_costs(kind, s.model, plan, s.cluster, comm, mb);
}

Flops sum_flops(const LayerCosts& c, Pass pass, bool gemm_only, bool skip_recompute = true) {
  Flops total;
  for (const auto& s : c.steps) {
    if (s.is_communication() || s.pass != pass) continue;
    if (skip_recompute && s.name.find(".recompute") != std::string::npos) continue;
    const bool gemm = !is_attention(s.kernel()->kind);
    if (gemm_only && !gemm) continue;
    total += s.kernel()->flops;
  }
  return total;
}

TEST(LayerCosts, ForwardFlopsMatchTheModelAccounting) {
  const auto s = parse(scenario_json("scenarios/deepseek-v3-h800.json"));
  const MicroBatchShape mb{4096, 1};
  const auto moe = costs_of(LayerKind::moe, s, s.plan, mb);
  const auto p = count_parameters(s.model);
  const auto& a = s.model.attention;
  // One MoE layer, one token, forward: 2 per active matmul weight + causal attention scores.
  const double per_token = 2.0 * static_cast<double>(attention_matmul_params(s.model) + p.moe_active_per_layer -
                                                     (s.model.moe->router_bias ? s.model.moe->num_routed_experts : 0)) +
                           2.0 * static_cast<double>(a.num_heads * (a.qk_head_dim() + a.v_head_dim())) * 2048.0;
  EXPECT_NEAR(sum_flops(moe, Pass::forward, false).si(), per_token * 4096.0, per_token * 4096.0 * 1e-6);
  // Backward GEMMs (data and weight gradients) do twice the forward GEMM work.
  const Flops forward_gemm = sum_flops(moe, Pass::forward, true);
  const Flops backward_gemm = sum_flops(moe, Pass::backward_input, true) + sum_flops(moe, Pass::backward_weight, true);
  EXPECT_NEAR(backward_gemm.si(), 2.0 * forward_gemm.si(), 1e-6 * forward_gemm.si());
}

TEST(LayerCosts, UnfusedAttentionComputesTheWholeScoreMatrixAndMovesIt) {
  auto doc = scenario_json("validation/runs/sc21-1.json");  // GPT 1.7B: 24 heads of 96, TP1
  doc["parallel"]["recomputation"] = "none";
  const auto s = parse(doc);
  const MicroBatchShape mb{2048, 1};
  const auto layer = costs_of(LayerKind::dense, s, s.phases[0].segments[0].plan, mb);
  const double scores = 24.0 * 2048.0 * 2048.0;
  Flops attention_gemms;
  Bytes softmax_traffic;
  Bytes dropout_traffic;
  for (const auto& step : layer.steps) {
    if (step.name.rfind("attention.core", 0) != 0 || step.is_communication()) continue;
    EXPECT_NE(step.kernel()->kind, KernelClass::attention_forward) << step.name;
    // Batched over heads: one launch of many GEMMs, the grouped class.
    if (step.pass == Pass::forward && step.kernel()->kind == KernelClass::grouped_gemm_bf16) attention_gemms += step.kernel()->flops;
    if (!is_memory_bound(step.kernel()->kind)) continue;
    const bool dropout = step.name.find(".dropout") != std::string::npos;
    // The softmax reduces along each row of scores; dropout streams over them.
    EXPECT_EQ(step.kernel()->kind, dropout ? KernelClass::memory_bound : KernelClass::row_reduction) << step.name;
    (dropout ? dropout_traffic : softmax_traffic) += step.kernel()->bytes_read + step.kernel()->bytes_written;
  }
  // Q K^T and P V over the full matrix: 2 x 2 x scores x head_dim, nothing halved by the mask.
  EXPECT_DOUBLE_EQ(attention_gemms.si(), 4.0 * scores * 96.0);
  // Softmax forward reads and writes the scores, its backward reads P and dP and writes dS:
  // 2 bytes each, five passes over the matrix.
  EXPECT_DOUBLE_EQ(softmax_traffic.as_double(), 5.0 * 2.0 * scores);
  // Megatron-LM's attention dropout (0.1 in 2021): forward reads P, writes P and a one-byte
  // mask; backward reads the gradient and the mask and writes the gradient: 5 + 5 bytes a score.
  EXPECT_DOUBLE_EQ(dropout_traffic.as_double(), 10.0 * scores);
}

// DeepSeek-V2 ran FlashAttention-2 kernels (arXiv:2405.04434 sec.3.1.3): the same work as the
// current generation's kernels, timed by another curve.
TEST(LayerCosts, TheAttentionKernelGenerationChangesTheCurveNotTheWork) {
  auto doc = scenario_json("validation/runs/ds-v2.json");
  const auto attention_core = [&](const char* kernel) {
    doc["parallel"]["attention_kernel"] = kernel;
    const auto s = parse(doc);
    const auto layer = costs_of(LayerKind::moe, s, s.phases[0].segments[0].plan, {4096, 1});
    std::vector<LayerStep> steps;
    for (const auto& step : layer.steps) {
      if (!step.is_communication() && is_attention(step.kernel()->kind)) steps.push_back(step);
    }
    return steps;
  };
  const auto fa2 = attention_core("flash_attention_2");
  const auto fa3 = attention_core("fused");
  ASSERT_EQ(fa2.size(), fa3.size());
  ASSERT_FALSE(fa2.empty());
  for (std::size_t i = 0; i < fa2.size(); ++i) {
    const bool backward = is_backward_attention(fa3[i].kernel()->kind);
    EXPECT_EQ(fa3[i].kernel()->kind, backward ? KernelClass::attention_backward : KernelClass::attention_forward);
    EXPECT_EQ(fa2[i].kernel()->kind, backward ? KernelClass::attention_fa2_backward : KernelClass::attention_fa2_forward);
    EXPECT_EQ(fa2[i].kernel()->flops.si(), fa3[i].kernel()->flops.si());
    EXPECT_EQ(fa2[i].kernel()->bytes_read.as_double(), fa3[i].kernel()->bytes_read.as_double());
  }
}

TEST(LayerCosts, DropoutCostsOnlyWhereNoFusedKernelHidesIt) {
  auto doc = scenario_json("validation/runs/sc21-1.json");  // hidden 2304, dropout 0.1, learned positions
  doc["parallel"]["recomputation"] = "none";
  doc["parallel"]["attention_kernel"] = "fused";
  const auto s = parse(doc);
  const auto layer = costs_of(LayerKind::dense, s, s.phases[0].segments[0].plan, {2048, 1});
  int residual_dropouts = 0;
  for (const auto& step : layer.steps) {
    EXPECT_EQ(step.name.find("attention.core.dropout"), std::string::npos);  // inside the fused kernel
    EXPECT_EQ(step.name.find("rope"), std::string::npos);                    // positions are learned
    if (step.name == "attention.dropout" || step.name == "mlp.dropout") {
      ++residual_dropouts;
      EXPECT_EQ(step.kernel()->bytes_written.as_double(), 2048.0 * 2304.0);  // the one-byte mask
    }
  }
  EXPECT_EQ(residual_dropouts, 2);
}

// Korthikanti et al., arXiv:2205.05198 Table 2, activations per GPT layer (16-bit, with
// dropout) under selective recomputation: sbh(10 + 24/t) with tensor parallelism alone,
// sbh * 34/t with sequence parallelism, which keeps only the shard of a gathered GEMM input
// and gathers it again in backward (sec.4.2.2).
TEST(LayerCosts, SelectiveRecomputationKeepsKorthikantisActivations) {
  auto doc = scenario_json("validation/runs/sc21-1.json");  // GPT 1.7B: h 2304, dropout 0.1
  doc["parallel"]["tensor_parallel"] = 8;
  doc["parallel"]["data_parallel"] = 4;
  doc["parallel"]["recomputation"] = "selective";
  const double s = 2048.0, b = 1.0, h = 2304.0, t = 8.0;
  for (const bool sp : {false, true}) {
    doc["parallel"]["sequence_parallel"] = sp;
    const auto scenario = parse(doc);
    const auto layer =
        costs_of(LayerKind::dense, scenario, scenario.phases[0].segments[0].plan, {2048, 1});
    EXPECT_DOUBLE_EQ(layer.saved_activations.as_double(), s * b * h * (sp ? 34.0 / t : 10.0 + 24.0 / t)) << sp;
    int gathers = 0;
    for (const auto& step : layer.steps) {
      if (step.name.find(".input_gather") == std::string::npos) continue;
      ++gathers;
      EXPECT_EQ(step.pass, Pass::backward_input);
      const auto& gather = std::get<CollectiveStep>(step.work);
      EXPECT_EQ(gather.collective, Collective::all_gather);
      EXPECT_EQ(gather.group, CommGroup::tensor);
      EXPECT_TRUE(step.overlaps_next);  // beside the data-gradient GEMM
      EXPECT_DOUBLE_EQ(gather.payload.as_double(), s * b * h * 2.0);
    }
    EXPECT_EQ(gathers, sp ? 2 : 0);  // the QKV and MLP up-projection inputs
  }
}

TEST(LayerCosts, RecomputationRepeatsOnlyTheChosenParts) {
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  const auto s = parse(doc);
  const MicroBatchShape mb{4096, 1};
  const auto moe = costs_of(LayerKind::moe, s, s.plan, mb);
  // DeepSeek-V3 recomputes norms, MLA up-projections and SwiGLU (sec.3.2.3, sec.3.3.3).
  const Flops recomputed = sum_flops(moe, Pass::backward_input, false, false) - sum_flops(moe, Pass::backward_input, false);
  const auto& mla = s.model.attention.mla;
  const double up = 2.0 * 4096.0 * static_cast<double>(mla.q_lora_rank * 128 * 192 + mla.kv_lora_rank * 128 * 256);
  EXPECT_NEAR(recomputed.si(), up, up * 1e-9);
}

TEST(LayerCosts, FullRecomputationRepeatsTheWholeForwardAndKeepsOnlyTheInput) {
  auto s = parse(scenario_json("scenarios/deepseek-v3-h800.json"));
  s.plan.recompute = RecomputeSet(static_cast<unsigned>(RecomputePart::full_layer));
  const MicroBatchShape mb{4096, 1};
  const auto moe = costs_of(LayerKind::moe, s, s.plan, mb);
  const Flops recomputed = sum_flops(moe, Pass::backward_input, false, false) - sum_flops(moe, Pass::backward_input, false);
  EXPECT_NEAR(recomputed.si(), sum_flops(moe, Pass::forward, false).si(), 1e-9 * recomputed.si());
  // The all-to-alls run again: dispatch and combine in the recomputed forward, then their
  // gradients.
  int dispatches = 0;
  for (const auto& step : moe.steps) dispatches += step.pass == Pass::backward_input && step.is_communication();
  EXPECT_EQ(dispatches, 4);
  // One 4K x 7168 BF16 input.
  EXPECT_EQ(moe.saved_activations.count(), 4096 * 7168 * 2);
  // The head is not a transformer layer: its norm's input and its projection's input stay, and
  // the loss's gradient, which Transformer Engine's kernel writes over the BF16 logits.
  const auto head = costs_of(LayerKind::head, s, s.plan, mb);
  EXPECT_EQ(head.saved_activations.count(), 2 * 4096 * 7168 * 2 + 4096 * s.model.vocab_size * 2);
  // An MTP module reruns up to its head, keeping its two inputs; its head and loss keep theirs
  // and run once (the head's norm is rerun as the plan's norm recomputation says, as the head's).
  const auto mtp = costs_of(LayerKind::mtp, s, s.plan, mb);
  for (const auto& step : mtp.steps) {
    const bool in_head = step.name.rfind("mtp.head.projection", 0) == 0 || step.name.rfind("mtp.head.loss", 0) == 0;
    EXPECT_FALSE(in_head && step.name.ends_with(".recompute")) << step.name;
  }
  EXPECT_EQ(mtp.saved_activations.count(), 2 * 4096 * 7168 * 2 + head.saved_activations.count());
}

// ../shared/reference/deepseek-v3.md sec.9.7: per token, FP8 dispatch 7,392 B and BF16
// combine 14,336 B to 3.5 remote nodes on average; 2.49 GB over IB per 4-layer chunk pair.
TEST(MoeTraffic, DeepSeekV3NodeLimitedRouting) {
  const auto s = parse(scenario_json("scenarios/deepseek-v3-h800.json"));
  EXPECT_EQ(token_wire_bytes(7168, Precision::fp8).count(), 7392);
  EXPECT_EQ(token_wire_bytes(7168, Precision::bf16).count(), 14336);
  const auto t = moe_traffic(s.model, s.plan, s.cluster, 4096, Precision::fp8);
  EXPECT_TRUE(t.hierarchical);
  EXPECT_DOUBLE_EQ(t.remote_nodes_per_token, 3.5);
  const double pair = 4.0 * 2.0 * (t.dispatch.scale_out.as_double() + t.combine.scale_out.as_double());
  EXPECT_NEAR(pair, 2.49e9, 2.49e9 * 0.01);
  // NVLink forwarding: k/M = 2 experts per selected node, 4 experts per GPU, 8 GPUs per node:
  // 4 nodes x 7 x (1 - C(28,2)/C(32,2)) = 6.677 copies per token.
  EXPECT_NEAR(t.scale_up_copies_per_token, 4.0 * 7.0 * (1.0 - 378.0 / 496.0), 1e-9);
}

TEST(MoeTraffic, FlatAllToAllWithoutANodeLimit) {
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  doc["model"] = "mixtral-8x7b";
  doc["parallel"] = {{"tensor_parallel", 1}, {"pipeline_parallel", 16}, {"data_parallel", 128}, {"expert_parallel", 8},
                     {"schedule", "1f1b"}, {"micro_batch_size", 1}, {"zero_stage", 1},
                     {"recomputation", "selective"}, {"precision", "bf16"}};
  doc["training"]["phases"] = nlohmann::json::array(
      {{{"name", "p"}, {"steps", 10}, {"sequence_length", 4096}, {"global_batch_size", 1024}}});
  const auto s = parse(doc);
  const auto t = moe_traffic(s.model, s.plan, s.cluster, 1000, Precision::bf16);
  EXPECT_FALSE(t.hierarchical);
  // 8 experts on 8 ranks of one node, top-2: both go to distinct ranks; 7/8 of them elsewhere.
  EXPECT_EQ(t.dispatch.scale_out.count(), 0);
  EXPECT_NEAR(t.scale_up_copies_per_token, 7.0 * (1.0 - 7.0 * 6.0 / (8.0 * 7.0)), 1e-9);
}

}  // namespace
}  // namespace trainsim

namespace trainsim {
namespace {

bool has_step(const LayerCosts& c, const std::string& name) {
  for (const auto& s : c.steps) {
    if (s.name == name) return true;
  }
  return false;
}

// Megatron-Core's --recompute-modules names mean trainsim's parts; moe_act recomputes the routed
// experts' activation and not the dense layers' (DeepSeek-V3's first three layers are dense).
TEST(Recomputation, MegatronModuleNamesAreTheSameParts) {
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  doc["parallel"]["recomputation"] = {"core_attn", "layernorm", "mla_up_proj"};
  const auto megatron = parse(doc).plan.recompute;
  doc["parallel"]["recomputation"] = {"attention_core", "norm", "mla_up_projection"};
  EXPECT_EQ(megatron, parse(doc).plan.recompute);

  doc["parallel"]["recomputation"] = {"moe_act"};
  const auto s = parse(doc);
  const MicroBatchShape mb{4096, 1};
  EXPECT_TRUE(has_step(costs_of(LayerKind::moe, s, s.plan, mb), "moe.experts.activation.recompute"));
  EXPECT_FALSE(has_step(costs_of(LayerKind::dense, s, s.plan, mb), "mlp.activation.recompute"));
  doc["parallel"]["recomputation"] = {"activation"};
  const auto both = parse(doc);
  EXPECT_TRUE(has_step(costs_of(LayerKind::dense, both, both.plan, mb), "mlp.activation.recompute"));
}

TEST(Recomputation, WholeModulesAreRefusedByName) {
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  doc["parallel"]["recomputation"] = {"layernorm", "mlp"};
  EXPECT_TRUE(has_issue(issues(doc), "/parallel/recomputation/1", "whole mlp module is not modelled yet"));
}

}  // namespace
}  // namespace trainsim
