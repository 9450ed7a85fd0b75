#pragma once
// A training step as a program: for each pipeline rank, its chunk passes in the schedule's
// order (forward, backward for inputs, backward for weights, each a run of priced layer
// segments with their TP/CP/EP communication), the pipeline transfers between chunks, ZeRO's
// per-pass weight gathers and gradient reduce-scatters, and the step-end data-parallel
// exchange and optimizer, each communication with its group, algorithm and payload, and the
// overlap each is allowed. The closed form (models/step_estimate) prices this program; sim/
// lowers it to per-GPU streams. Neither re-derives a rule: a plan field either changes the
// program or is rejected by the plan rules.
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "hardware/kernel_time_model.hpp"
#include "models/chunk_costs.hpp"
#include "models/collective_time.hpp"
#include "models/pipeline_layout.hpp"
#include "models/schedule_traits.hpp"
#include "models/training_state.hpp"

namespace trainsim {

struct StepShape {
  std::int64_t sequence_length = 0;
  std::int64_t global_batch_size = 0;  // sequences per step
};

// Per-micro-batch times of one pipeline rank, its chunks weighted by the share of
// micro-batches each sees; "exposed" is the communication its compute does not cover.
struct RankTimes {
  Seconds forward_compute, backward_compute, weight_compute;
  Seconds forward_exposed, backward_exposed;
  Seconds communication;  // all of it, exposed or hidden
  Seconds host_stall;     // of its compute, the device's waits for the host
  [[nodiscard]] Seconds forward_alone() const { return forward_compute + forward_exposed; }
  [[nodiscard]] Seconds backward_alone() const { return backward_compute + weight_compute + backward_exposed; }
};

// What a step needs from the priced layers and the pipeline alone (not from the data-parallel
// degree, the ZeRO stage or the batch): the layout, its chunks and each rank's times. The
// planner computes it once for the many plans that share it.
struct PipelineCosts {
  PipelineLayout layout;
  std::vector<ChunkCost> chunks;
  std::vector<RankTimes> ranks;
  // Each rank's seconds per micro-batch in the steady phase: its passes one after another, or
  // for overlapped-pair schedules its pairs (what a bubble formula calls F&B, per micro-batch).
  std::vector<Seconds> paces;
};
// `layout`: a custom split instead of the plan's (balanced by cost) one.
PipelineCosts pipeline_costs(const ChunkCostModel& priced, const ModelSpec& model, const ParallelPlan& plan,
                             std::optional<PipelineLayout> layout = std::nullopt);

// ZeRO's traffic around every pass over one chunk: its dense weights over the data group and
// its routed experts over the expert-data group.
struct ChunkSync {
  std::vector<CollectiveStep> weight_gathers;   // ZeRO-3: BF16 weights, before every pass
  std::vector<CollectiveStep> gradient_shards;  // ZeRO-2/3: reduce-scatter after every backward pass
};

// What one pipeline rank does for data parallelism and the optimizer at the step's end.
struct RankSync {
  RankParameters parameters;                       // of the chunks it holds
  std::vector<CollectiveStep> gradient_reduction;  // no ZeRO: all-reduce; ZeRO-1: reduce-scatter
  Kernel optimizer;                                // the update of the parameters it owns
  std::vector<CollectiveStep> weight_gather;       // ZeRO-1/2: the updated BF16 weights
  // With overlap_data_parallel (Megatron's --overlap-grad-reduce and --overlap-param-gather),
  // the gradient reduction may run beside one micro-batch's backward over the rank's chunks
  // (the last ones), and the weight gather beside one micro-batch's forward (the next step's
  // first); zero: the exchange is exposed.
  Seconds reduction_overlap;
  Seconds gather_overlap;
};

class StepProgram {
 public:
  // ZeRO-3 prefetches a pass's weights: its gather may start once the item this many before it
  // has computed (whose weights are then freed), so it runs beside the item just before
  // (FSDP's one-ahead prefetch, at the granularity of chunk passes).
  static constexpr std::size_t kPrefetchItems = 2;

  // The program of `plan` at `shape`. `layout` replaces the plan's own split.
  StepProgram(const ModelSpec& model, const ClusterSpec& cluster, const ParallelPlan& plan,
              const KernelTimeModel& kernels, const StepShape& shape, std::optional<PipelineLayout> layout = std::nullopt);
  // From layers and a pipeline already priced for this plan's layer-cost fields (`priced`)
  // and pipeline (`pipeline`), shared with other plans.
  StepProgram(std::shared_ptr<const ChunkCostModel> priced, std::shared_ptr<const PipelineCosts> pipeline,
              const ModelSpec& model, const ClusterSpec& cluster, const ParallelPlan& plan,
              const KernelTimeModel& kernels, const StepShape& shape);

  [[nodiscard]] const ModelSpec& model() const { return model_; }
  [[nodiscard]] const ClusterSpec& cluster() const { return cluster_; }
  [[nodiscard]] const ParallelPlan& plan() const { return plan_; }
  [[nodiscard]] const KernelTimeModel& kernels() const { return kernels_; }
  [[nodiscard]] const StepShape& shape() const { return shape_; }
  [[nodiscard]] const ScheduleTraits& schedule() const { return *pipeline_->layout.schedule; }
  [[nodiscard]] const ChunkCostModel& priced() const { return *priced_; }
  [[nodiscard]] const PipelineCosts& pipeline() const { return *pipeline_; }
  [[nodiscard]] const PipelineLayout& layout() const { return pipeline_->layout; }
  [[nodiscard]] const CommunicationModel& comm() const { return comm_; }

  [[nodiscard]] std::int64_t micro_batches() const { return micro_batches_; }  // per pipeline per step
  [[nodiscard]] double tokens_per_step() const;
  // The activation (or gradient) one micro-batch sends between neighbouring chunks, and its
  // time from pipeline rank `from` to rank `to`.
  [[nodiscard]] Bytes stage_boundary() const { return stage_boundary_; }
  [[nodiscard]] Seconds pipeline_hop(int from, int to) const { return comm_.pipeline_hop_time(stage_boundary_, from, to); }

  // The priced layers of model chunk `chunk`, in forward order.
  [[nodiscard]] LayerPrograms chunk_layers(int chunk) const;
  [[nodiscard]] const ChunkSync& chunk_sync(int chunk) const { return chunk_sync_[static_cast<std::size_t>(chunk)]; }
  [[nodiscard]] const RankSync& rank_sync(int pipeline_rank) const { return rank_sync_[static_cast<std::size_t>(pipeline_rank)]; }

  // The items pipeline rank `rank` runs, in the schedule's order.
  [[nodiscard]] std::vector<ScheduleItem> order(int pipeline_rank, const ScheduleOptions& options = {}) const;
  // Where a rank's step-end exchange meets its items: the gradient reduction may start with
  // item reduction_start(...) (the last items whose backward work covers reduction_overlap),
  // and item gather_deadline(...) is the first to wait for the weight gather (the items before
  // it do forward work covering gather_overlap). Without overlap: items.size() and 0.
  [[nodiscard]] std::size_t reduction_start(int pipeline_rank, const std::vector<ScheduleItem>& items) const;
  [[nodiscard]] std::size_t gather_deadline(int pipeline_rank, const std::vector<ScheduleItem>& items) const;

 private:
  void build();
  [[nodiscard]] Seconds backward_work(const ScheduleItem& item) const;
  [[nodiscard]] Seconds forward_work(const ScheduleItem& item) const;

  const ModelSpec& model_;
  const ClusterSpec& cluster_;
  const ParallelPlan& plan_;
  const KernelTimeModel& kernels_;
  StepShape shape_;
  std::shared_ptr<const ChunkCostModel> priced_;
  std::shared_ptr<const PipelineCosts> pipeline_;
  CommunicationModel comm_;
  std::int64_t micro_batches_ = 0;
  Bytes stage_boundary_;
  std::vector<ChunkSync> chunk_sync_;  // per model chunk
  std::vector<RankSync> rank_sync_;    // per pipeline rank
};

}  // namespace trainsim
