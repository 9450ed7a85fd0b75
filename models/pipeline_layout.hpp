#pragma once
// Which layers each pipeline chunk holds and which chunks each pipeline rank runs (the
// schedule's placement: models/schedule_traits.hpp).
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "models/layer_costs.hpp"
#include "models/schedule_traits.hpp"

namespace trainsim {

struct PipelineChunk {
  std::vector<LayerKind> layers;  // in execution order; embedding first, head and MTP last
  std::int64_t first_layer = 0;   // index of its first transformer layer
  std::int64_t transformer_layers = 0;
};

struct PipelineLayout {
  std::vector<PipelineChunk> chunks;
  std::vector<std::vector<int>> chunks_of_rank;  // pipeline rank -> chunk indices
  const ScheduleTraits* schedule = &schedule_traits(Schedule::one_f_one_b);  // the schedule that places them
  // Micro-batches that pass through each chunk in one step, out of n per pipeline.
  [[nodiscard]] double chunk_share() const { return schedule->chunk_share(); }
};

// Cost of one layer of each kind for one micro-batch (any consistent unit), indexed by
// LayerKind; used to balance the pipeline.
using LayerKindCosts = std::array<double, kLayerKinds>;

// The plan's layout: its explicit layers_per_chunk when given; otherwise transformer layers
// spread over the chunks so that the slowest pipeline rank is as fast as possible under
// `costs` (embedding, head and MTP weigh on the first and last chunks). Without costs every
// chunk gets an equal share, give or take one layer.
PipelineLayout pipeline_layout(const ModelSpec& model, const ParallelPlan& plan,
                               const std::optional<LayerKindCosts>& costs = std::nullopt);

// Every layer of the model as one chunk: what any layout splits.
PipelineChunk whole_model_chunk(const ModelSpec& model);

}  // namespace trainsim
