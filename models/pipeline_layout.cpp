#include "models/pipeline_layout.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace trainsim {

std::int64_t chunk_count(const ParallelPlan& plan) {
  switch (plan.schedule) {
    case Schedule::interleaved_1f1b: return plan.pipeline * plan.virtual_stages;
    case Schedule::dualpipe_v: return 2 * plan.pipeline;
    default: return plan.pipeline;
  }
}

double PipelineLayout::chunk_share(int /*chunk*/) const {
  // DualPipe sends half of the micro-batches from each end, so each chunk (held by two ranks
  // as two model copies) sees half of them per copy; every other schedule passes every
  // micro-batch through every chunk once.
  return schedule == Schedule::dualpipe ? 0.5 : 1.0;
}

namespace {

std::vector<std::int64_t> even_counts(std::int64_t layers, std::int64_t chunks) {
  // Extra layers go to the chunks nearest the middle first, since the first and last chunks
  // also carry the embedding and the head.
  std::vector<std::int64_t> counts(static_cast<std::size_t>(chunks), layers / chunks);
  std::vector<std::int64_t> order(static_cast<std::size_t>(chunks));
  std::iota(order.begin(), order.end(), 0);
  const double middle = static_cast<double>(chunks - 1) / 2.0;
  std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
    return std::abs(static_cast<double>(a) - middle) < std::abs(static_cast<double>(b) - middle);
  });
  for (std::int64_t i = 0; i < layers % chunks; ++i) ++counts[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])];
  return counts;
}

std::vector<PipelineChunk> build_chunks(const ModelSpec& model, const std::vector<std::int64_t>& counts) {
  std::vector<PipelineChunk> chunks;
  std::int64_t layer = 0;
  const auto last = static_cast<std::int64_t>(counts.size()) - 1;
  for (std::int64_t c = 0; c <= last; ++c) {
    PipelineChunk chunk;
    chunk.first_layer = layer;
    chunk.transformer_layers = counts[static_cast<std::size_t>(c)];
    if (c == 0) chunk.layers.push_back(LayerKind::embedding);
    for (std::int64_t i = 0; i < chunk.transformer_layers; ++i, ++layer) {
      chunk.layers.push_back(model.is_moe_layer(layer) ? LayerKind::moe : LayerKind::dense);
    }
    if (c == last) {
      for (std::int64_t d = 0; d < model.mtp_depth; ++d) chunk.layers.push_back(LayerKind::mtp);
      chunk.layers.push_back(LayerKind::head);
    }
    chunks.push_back(std::move(chunk));
  }
  return chunks;
}

std::vector<std::vector<int>> rank_chunks(const ParallelPlan& plan) {
  std::vector<std::vector<int>> ranks(static_cast<std::size_t>(plan.pipeline));
  for (std::int64_t r = 0; r < plan.pipeline; ++r) {
    auto& mine = ranks[static_cast<std::size_t>(r)];
    switch (plan.schedule) {
      case Schedule::interleaved_1f1b:
        for (std::int64_t v = 0; v < plan.virtual_stages; ++v) mine.push_back(static_cast<int>(r + v * plan.pipeline));
        break;
      case Schedule::dualpipe: mine = {static_cast<int>(r), static_cast<int>(plan.pipeline - 1 - r)}; break;
      case Schedule::dualpipe_v: mine = {static_cast<int>(r), static_cast<int>(2 * plan.pipeline - 1 - r)}; break;
      default: mine = {static_cast<int>(r)};
    }
  }
  return ranks;
}

// Slowest rank's time and the sum of squares of rank times (a tie-breaker that prefers
// evenly loaded ranks) for a candidate split.
std::pair<double, double> rank_load(const PipelineLayout& layout, const LayerKindCosts& costs) {
  double worst = 0.0;
  double squares = 0.0;
  for (const auto& mine : layout.chunks_of_rank) {
    double t = 0.0;
    for (const int c : mine) {
      for (const auto kind : layout.chunks[static_cast<std::size_t>(c)].layers) {
        t += costs[static_cast<std::size_t>(kind)] * layout.chunk_share(c);
      }
    }
    worst = std::max(worst, t);
    squares += t * t;
  }
  return {worst, squares};
}

}  // namespace

PipelineLayout pipeline_layout(const ModelSpec& model, const ParallelPlan& plan,
                               const std::optional<LayerKindCosts>& costs) {
  PipelineLayout layout;
  layout.schedule = plan.schedule;
  layout.chunks_of_rank = rank_chunks(plan);
  const std::int64_t chunks = chunk_count(plan);
  auto counts = plan.layers_per_chunk.empty() ? even_counts(model.num_layers, chunks) : plan.layers_per_chunk;
  layout.chunks = build_chunks(model, counts);
  if (!plan.layers_per_chunk.empty() || !costs || chunks < 2) return layout;

  // Local search: move one layer between two chunks while that lowers the slowest rank (or,
  // at equal slowest rank, evens the load). Deterministic: candidates are tried in index
  // order and only strict improvements are taken.
  auto best = rank_load(layout, *costs);
  for (bool improved = true; improved;) {
    improved = false;
    for (std::size_t from = 0; from < counts.size(); ++from) {
      if (counts[from] <= 1) continue;
      for (std::size_t to = 0; to < counts.size(); ++to) {
        if (to == from) continue;
        auto candidate = counts;
        --candidate[from];
        ++candidate[to];
        PipelineLayout trial = layout;
        trial.chunks = build_chunks(model, candidate);
        const auto load = rank_load(trial, *costs);
        const bool better = load.first < best.first * (1.0 - 1e-9) ||
                            (load.first <= best.first * (1.0 + 1e-12) && load.second < best.second * (1.0 - 1e-9));
        if (better) {
          best = load;
          counts = std::move(candidate);
          layout = std::move(trial);
          improved = true;
        }
      }
    }
  }
  return layout;
}

}  // namespace trainsim
