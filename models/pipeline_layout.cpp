#include "models/pipeline_layout.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace trainsim {

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
      chunk.layers.push_back(transformer_layer_kind(model, layer));
    }
    if (c == last) {
      for (std::int64_t d = 0; d < model.mtp_depth; ++d) chunk.layers.push_back(LayerKind::mtp);
      chunk.layers.push_back(LayerKind::head);
    }
    chunks.push_back(std::move(chunk));
  }
  return chunks;
}

// Slowest rank's time, which rank it is, and the sum of squares of rank times (a tie-breaker
// that prefers evenly loaded ranks) of a split given as layer counts per chunk. Chunk costs come from prefix sums
// over the transformer layers, so a candidate costs O(chunks) and allocates nothing.
class SplitCost {
 public:
  SplitCost(const ModelSpec& model, const PipelineLayout& layout, const LayerKindCosts& costs)
      : layout_(layout), chunk_cost_(layout.chunks.size()) {
    const auto cost = [&](LayerKind k) { return costs[static_cast<std::size_t>(k)]; };
    prefix_.push_back(0.0);
    for (std::int64_t l = 0; l < model.num_layers; ++l) {
      prefix_.push_back(prefix_.back() + cost(transformer_layer_kind(model, l)));
    }
    first_extra_ = cost(LayerKind::embedding);
    last_extra_ = cost(LayerKind::mtp) * static_cast<double>(model.mtp_depth) + cost(LayerKind::head);
  }

  struct Load {
    double worst = 0.0;    // the slowest rank's time
    double squares = 0.0;  // sum of squared rank times
    int slowest = 0;
  };

  Load operator()(const std::vector<std::int64_t>& counts) {
    std::size_t start = 0;
    for (std::size_t c = 0; c < counts.size(); ++c) {
      const auto end = start + static_cast<std::size_t>(counts[c]);
      chunk_cost_[c] = (prefix_[end] - prefix_[start]) * layout_.chunk_share();
      start = end;
    }
    chunk_cost_.front() += first_extra_ * layout_.chunk_share();
    chunk_cost_.back() += last_extra_ * layout_.chunk_share();
    Load load;
    for (std::size_t r = 0; r < layout_.chunks_of_rank.size(); ++r) {
      double t = 0.0;
      for (const int c : layout_.chunks_of_rank[r]) t += chunk_cost_[static_cast<std::size_t>(c)];
      if (t > load.worst) {
        load.worst = t;
        load.slowest = static_cast<int>(r);
      }
      load.squares += t * t;
    }
    return load;
  }

 private:
  const PipelineLayout& layout_;
  std::vector<double> prefix_;  // cost of transformer layers [0, i)
  double first_extra_ = 0.0;
  double last_extra_ = 0.0;
  std::vector<double> chunk_cost_;
};

}  // namespace

PipelineChunk whole_model_chunk(const ModelSpec& model) { return build_chunks(model, {model.num_layers}).front(); }

PipelineLayout pipeline_layout(const ModelSpec& model, const ParallelPlan& plan,
                               const std::optional<LayerKindCosts>& costs) {
  PipelineLayout layout;
  layout.schedule = &schedule_traits(plan.schedule);
  for (int r = 0; r < plan.pipeline; ++r) layout.chunks_of_rank.push_back(layout.schedule->chunks_of_rank(plan, r));
  const std::int64_t chunks = layout.schedule->chunk_count(plan);
  auto counts = plan.layers_per_chunk.empty() ? even_counts(model.num_layers, chunks) : plan.layers_per_chunk;
  layout.chunks = build_chunks(model, counts);
  if (!plan.layers_per_chunk.empty() || !costs || chunks < 2) return layout;

  // Local search: move one layer out of a chunk of the slowest rank into any other chunk
  // while that lowers the slowest rank's time (or, at an equal time, evens the load).
  // Deterministic: candidates are tried in index order and only strict improvements taken.
  SplitCost load_of(model, layout, *costs);
  auto best = load_of(counts);
  auto candidate = counts;
  for (bool improved = true; improved;) {
    improved = false;
    for (const int from : layout.chunks_of_rank[static_cast<std::size_t>(best.slowest)]) {
      const auto f = static_cast<std::size_t>(from);
      for (std::size_t to = 0; to < counts.size() && !improved; ++to) {
        if (to == f || counts[f] <= 1) continue;
        candidate = counts;
        --candidate[f];
        ++candidate[to];
        const auto load = load_of(candidate);
        if (load.worst < best.worst * (1.0 - 1e-9) ||
            (load.worst <= best.worst * (1.0 + 1e-12) && load.squares < best.squares * (1.0 - 1e-9))) {
          best = load;
          counts = candidate;
          improved = true;
        }
      }
      if (improved) break;  // the slowest rank may have changed
    }
  }
  layout.chunks = build_chunks(model, counts);
  return layout;
}

}  // namespace trainsim
