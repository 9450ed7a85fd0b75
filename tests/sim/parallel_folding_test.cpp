// Megatron-Core's parallel folding (Liu et al., arXiv:2504.14960): the MoE layers lay expert
// tensor x expert x expert data parallelism over the tensor x context x data ranks of each
// pipeline stage, expert tensor innermost. The rank layout (simulator), the group layouts
// (closed form), the plan rules and the MoE layer program must agree on it.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "hardware/kernel_time_model.hpp"
#include "models/collective_time.hpp"
#include "models/layer_costs.hpp"
#include "models/parameter_count.hpp"
#include "scenario_fixture.hpp"
#include "sim/rank_layout.hpp"

namespace trainsim {
namespace {
using namespace testing;

ParallelPlan plan(std::int64_t tp, std::int64_t cp, std::int64_t dp, std::int64_t pp, std::int64_t ep, std::int64_t etp) {
  ParallelPlan p;
  p.tensor = tp;
  p.context = cp;
  p.data = dp;
  p.pipeline = pp;
  p.expert = ep;
  p.expert_tensor = etp;
  return p;
}

std::vector<std::int32_t> range(std::int32_t first, std::int32_t count, std::int32_t stride) {
  std::vector<std::int32_t> out;
  for (std::int32_t i = 0; i < count; ++i) out.push_back(first + i * stride);
  return out;
}

// Grok-1 as NeMo ran it: TP4 CP2 DP8 EP8 with expert tensor parallelism 4, 64 ranks per stage.
TEST(ParallelFolding, GroupsTileTheStageExpertTensorInnermost) {
  const RankLayout ranks(plan(4, 2, 8, 8, 8, 4), Fidelity::full);
  const std::int32_t g = 64 + 5;  // stage 1, index 5 of its 64 ranks
  EXPECT_EQ(ranks.group(CommGroup::expert_tensor, g), range(68, 4, 1));
  EXPECT_EQ(ranks.group(CommGroup::expert, g), range(65, 8, 4));
  EXPECT_EQ(ranks.group(CommGroup::expert_data, g), range(69, 2, 32));
}

// Every group kind partitions each stage: a rank's group is the group of each of its members,
// and the folded degrees multiply to the stage's ranks.
TEST(ParallelFolding, EachFoldedGroupPartitionsTheStage) {
  for (const auto& p : {plan(4, 2, 8, 2, 8, 4), plan(2, 1, 16, 2, 32, 1), plan(2, 1, 8, 2, 4, 2), plan(1, 2, 8, 2, 4, 1)}) {
    const RankLayout ranks(p, Fidelity::full);
    EXPECT_EQ(p.expert * p.expert_tensor_degree() * p.expert_data_parallel(), p.stage_ranks());
    for (const auto kind : {CommGroup::expert_tensor, CommGroup::expert, CommGroup::expert_data}) {
      for (std::int32_t g = 0; g < ranks.world(); ++g) {
        const auto members = ranks.group(kind, g);
        EXPECT_TRUE(std::find(members.begin(), members.end(), g) != members.end());
        for (const auto m : members) {
          EXPECT_EQ(ranks.coordinates(m).pipeline, ranks.coordinates(g).pipeline);
          EXPECT_EQ(ranks.group(kind, m), members) << to_string(kind) << " of " << g << " and of " << m;
        }
      }
    }
  }
}

// The closed form's group layouts count the same members and the same members per node.
TEST(ParallelFolding, ClosedFormLayoutsMatchTheRankLayout) {
  auto c = parse(scenario_json("validation/runs/mb-6.json")).cluster;
  for (const auto& p : {plan(4, 2, 8, 2, 8, 4), plan(2, 1, 16, 2, 32, 1), plan(2, 1, 8, 2, 4, 2)}) {
    c.gpu_count = p.gpus();
    const RankLayout ranks(p, Fidelity::full);
    for (const auto kind : {CommGroup::expert_tensor, CommGroup::expert, CommGroup::expert_data}) {
      const auto layout = group_layout(kind, p, c);
      const auto members = ranks.group(kind, 0);
      const auto same_node = std::count_if(members.begin(), members.end(), [&](std::int32_t m) { return m / c.gpus_per_node == 0; });
      EXPECT_EQ(layout.ranks, static_cast<std::int64_t>(members.size())) << to_string(kind);
      EXPECT_EQ(layout.ranks_per_node, same_node) << to_string(kind);
    }
  }
}

// MB-6 (Qwen3-235B-A22B at TP2 PP8 EP32 on 256 H100) needs the fold: EP32 exceeds DP16. With
// Megatron-Core's default expert tensor degree (TP2) the expert groups would need 64 ranks of
// a 32-rank stage, and the plan rules say so at the field.
TEST(ParallelFolding, ExpertGroupsNeedNotDivideDataParallelOnlyTheStage) {
  auto doc = scenario_json("validation/runs/mb-6.json");
  EXPECT_TRUE(issues(doc).empty());
  doc["parallel"].erase("expert_tensor_parallel");
  EXPECT_TRUE(has_issue(issues(doc), "/parallel/expert_parallel", "(32 x 2) does not divide"));
}

LayerCosts moe_layer(const Scenario& s, const ParallelPlan& p) {
  const CommunicationModel comm(p, s.cluster, link_rates(s.cluster, kernel_model(s.cluster)));
  return layer_costs(LayerKind::moe, s.model, p, s.cluster, comm, {8192, 1});
}

const LayerStep& step(const LayerCosts& c, const std::string& name, Pass pass) {
  const auto it = std::find_if(c.steps.begin(), c.steps.end(), [&](const LayerStep& s) { return s.name == name && s.pass == pass; });
  if (it == c.steps.end()) throw std::runtime_error("no step " + name);
  return *it;
}

// Expert tensor parallelism gathers the dispatched tokens of its group, so each expert shard
// sees ETP times the rows at 1/ETP of the width: the same FLOPs per rank, a quarter of the
// expert weights, and the gather and its reduce-scatter over the expert-tensor group.
TEST(ParallelFolding, ExpertTensorParallelismSplitsTheExpertsNotTheWork) {
  const auto s = parse(scenario_json("validation/runs/dgxc-grok-512-bf16.json"));
  auto whole = s.plan;
  whole.expert_tensor = 1;
  const auto split = moe_layer(s, s.plan);  // ETP4, Megatron-Core's default of TP
  const auto kept = moe_layer(s, whole);
  ASSERT_EQ(s.plan.expert_tensor_degree(), 4);
  const auto& up = step(split, "moe.experts.up", Pass::forward).kernel()->gemm;
  const auto& up_whole = step(kept, "moe.experts.up", Pass::forward).kernel()->gemm;
  // 8,192 tokens over CP2 and SP4: 1,024 per rank, top-2, one local expert, gathered from 4.
  EXPECT_EQ(up_whole.m, 1024 * 2);
  EXPECT_EQ(up.m, 4 * 1024 * 2);
  EXPECT_EQ(up.n * 4, up_whole.n);
  EXPECT_EQ(step(split, "moe.experts.up", Pass::forward).kernel()->flops,
            step(kept, "moe.experts.up", Pass::forward).kernel()->flops);
  EXPECT_EQ(split.expert_parameters * 4, kept.expert_parameters);

  const auto* gather = std::get_if<CollectiveStep>(&step(split, "moe.etp_gather", Pass::forward).work);
  ASSERT_NE(gather, nullptr);
  EXPECT_EQ(gather->collective, Collective::all_gather);
  EXPECT_EQ(gather->group, CommGroup::expert_tensor);
  EXPECT_EQ(gather->payload.count(), 4 * 1024 * 2 * s.model.hidden_size * 2);  // BF16 tokens
  const auto* scatter = std::get_if<CollectiveStep>(&step(split, "moe.etp_scatter", Pass::forward).work);
  ASSERT_NE(scatter, nullptr);
  EXPECT_EQ(scatter->collective, Collective::reduce_scatter);
  EXPECT_EQ(scatter->payload, gather->payload);
  EXPECT_FALSE(std::any_of(kept.steps.begin(), kept.steps.end(), [](const LayerStep& x) { return x.name.starts_with("moe.etp"); }));
}

}  // namespace
}  // namespace trainsim
