#include <gtest/gtest.h>

#include <numeric>
#include <optional>

#include "models/model_catalog.hpp"
#include "models/schedule_traits.hpp"
#include "models/pipeline_layout.hpp"

namespace trainsim {
namespace {

ParallelPlan plan(Schedule s, std::int64_t pp, std::int64_t v = 1) {
  ParallelPlan p;
  p.schedule = s;
  p.pipeline = pp;
  p.virtual_stages = v;
  return p;
}

TEST(PipelineBubble, PublishedFormulas) {
  // DeepSeek-V3 Table 2 with F = 1, B = 2, W = 0.5, F&B = 2.5 (uniform chunks).
  const ChunkTimes t{Seconds(1), Seconds(2), Seconds(0.5), Seconds(2.5)};
  EXPECT_DOUBLE_EQ(schedule_traits(Schedule::one_f_one_b).bubble(plan(Schedule::one_f_one_b, 8, 1), t).si(), 7 * 3.0);
  EXPECT_DOUBLE_EQ(schedule_traits(Schedule::gpipe).bubble(plan(Schedule::gpipe, 8, 1), t).si(), 7 * 3.0);
  EXPECT_DOUBLE_EQ(schedule_traits(Schedule::interleaved_1f1b).bubble(plan(Schedule::interleaved_1f1b, 8, 4), t).si(), 7 * 3.0 / 4);
  EXPECT_DOUBLE_EQ(schedule_traits(Schedule::zb_h1).bubble(plan(Schedule::zb_h1, 8, 1), t).si(), 7 * (1 + 2 - 1.0));
  EXPECT_DOUBLE_EQ(schedule_traits(Schedule::dualpipe).bubble(plan(Schedule::dualpipe, 8, 1), t).si(), 3 * (2.5 + 2 - 1.5));
  EXPECT_DOUBLE_EQ(schedule_traits(Schedule::dualpipe_v).bubble(plan(Schedule::dualpipe_v, 4, 1), t).si(), 3 * (2.5 + 2 - 1.5));
  EXPECT_DOUBLE_EQ(schedule_traits(Schedule::one_f_one_b).bubble(plan(Schedule::one_f_one_b, 1, 1), t).si(), 0.0);
}

TEST(PipelineLayout, RanksHoldTheirScheduleChunks) {
  const auto& m = *find_model("deepseek-v3");
  const auto dual = pipeline_layout(m, plan(Schedule::dualpipe, 16));
  EXPECT_EQ(dual.chunks.size(), 16U);
  EXPECT_EQ(dual.chunks_of_rank[0], (std::vector<int>{0, 15}));
  EXPECT_EQ(dual.chunks_of_rank[7], (std::vector<int>{7, 8}));
  const auto v = pipeline_layout(m, plan(Schedule::dualpipe_v, 8));
  EXPECT_EQ(v.chunks.size(), 16U);
  EXPECT_EQ(v.chunks_of_rank[0], (std::vector<int>{0, 15}));
  const auto inter = pipeline_layout(m, plan(Schedule::interleaved_1f1b, 4, 3));
  EXPECT_EQ(inter.chunks_of_rank[1], (std::vector<int>{1, 5, 9}));
  std::int64_t layers = 0;
  for (const auto& c : dual.chunks) layers += c.transformer_layers;
  EXPECT_EQ(layers, 61);
  EXPECT_EQ(dual.chunks.front().layers.front(), LayerKind::embedding);
  EXPECT_EQ(dual.chunks.back().layers.back(), LayerKind::head);
}

double slowest_rank(const PipelineLayout& l, const LayerKindCosts& costs) {
  double worst = 0;
  for (const auto& mine : l.chunks_of_rank) {
    double t = 0;
    for (const int c : mine) {
      for (const auto k : l.chunks[static_cast<std::size_t>(c)].layers) t += costs[static_cast<std::size_t>(k)] * l.chunk_share();
    }
    worst = std::max(worst, t);
  }
  return worst;
}

TEST(PipelineLayout, BalancingNeverMakesTheSlowestRankSlower) {
  const auto& m = *find_model("deepseek-v3");
  // Per-layer costs in arbitrary units: dense 0.6, MoE 1, MTP 1.2, embedding 0.1, head 2.
  const LayerKindCosts costs{0.6, 1.0, 1.2, 0.1, 2.0};
  for (const auto s : {Schedule::one_f_one_b, Schedule::dualpipe}) {
    const auto even = pipeline_layout(m, plan(s, 16));
    const auto balanced = pipeline_layout(m, plan(s, 16), costs);
    EXPECT_LT(slowest_rank(balanced, costs), slowest_rank(even, costs)) << to_string(s);
    // No chunk can do better than the average load per rank.
    double total = 0;
    for (const auto& c : balanced.chunks) {
      for (const auto k : c.layers) total += costs[static_cast<std::size_t>(k)];
    }
    EXPECT_GE(slowest_rank(balanced, costs), total / 16.0 - 1e-12);
  }
}

// Llama 3 405B (arXiv:2407.21783 sec.3.3.2): 126 layers on 16 ranks, one layer per chunk, "the
// first model chunk on the first stage has only the embedding, and the last model chunk on the
// last stage has only output projection and loss": 128 chunks, 8 per rank.
TEST(PipelineLayout, EmbeddingAndHeadCanEachFillAChunk) {
  const auto& m = *find_model("llama-3.1-405b");
  for (const auto& costs : {std::optional<LayerKindCosts>{}, std::optional<LayerKindCosts>{LayerKindCosts{1, 1, 1, 0.1, 0.7}}}) {
    const auto l = pipeline_layout(m, plan(Schedule::interleaved_1f1b, 16, 8), costs);
    ASSERT_EQ(l.chunks.size(), 128U);
    EXPECT_EQ(l.chunks.front().layers, (std::vector<LayerKind>{LayerKind::embedding}));
    EXPECT_EQ(l.chunks.back().layers, (std::vector<LayerKind>{LayerKind::head}));
    for (std::size_t c = 1; c + 1 < l.chunks.size(); ++c) EXPECT_EQ(l.chunks[c].transformer_layers, 1) << c;
  }
}

TEST(PipelineLayout, ExplicitSplitIsKept) {
  const auto& m = *find_model("llama-3.1-8b");
  auto p = plan(Schedule::one_f_one_b, 4);
  p.layers_per_chunk = {6, 9, 9, 8};
  const auto l = pipeline_layout(m, p, LayerKindCosts{1, 1, 1, 1, 5});
  EXPECT_EQ(l.chunks[0].transformer_layers, 6);
  EXPECT_EQ(l.chunks[3].transformer_layers, 8);
  EXPECT_EQ(l.chunks[1].first_layer, 6);
}

}  // namespace
}  // namespace trainsim
