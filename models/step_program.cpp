#include "models/step_program.hpp"

namespace trainsim {

namespace {

RankTimes rank_times(const PipelineLayout& layout, const std::vector<ChunkCost>& chunks, int rank) {
  RankTimes t;
  const double share = layout.chunk_share();
  for (const int c : layout.chunks_of_rank[static_cast<std::size_t>(rank)]) {
    const auto& k = chunks[static_cast<std::size_t>(c)];
    t.forward_compute += k.forward_compute * share;
    t.backward_compute += k.backward_input_compute * share;
    t.weight_compute += k.backward_weight_compute * share;
    t.forward_exposed += k.forward_exposed_communication * share;
    t.backward_exposed += k.backward_exposed_communication * share;
    t.communication += k.communication * share;
    t.host_stall += k.host_stall * share;
  }
  return t;
}

// Seconds per micro-batch of a rank whose forward and backward chunks run as overlapped
// pairs: every pairing of one of its forward chunks with one of its backward chunks, weighted
// by the micro-batches each sees; a micro-batch brings as many pairs as chunks it visits here.
Seconds overlapped_pace(const ChunkCostModel& priced, const PipelineLayout& layout, int rank) {
  const auto& held = layout.chunks_of_rank[static_cast<std::size_t>(rank)];
  const double share = layout.chunk_share();
  const double visits = share * static_cast<double>(held.size());
  Seconds weighted(0);
  for (const int f : held) {
    for (const int b : held) {
      weighted += priced.overlapped_pair_time(layout.chunks[static_cast<std::size_t>(f)],
                                              layout.chunks[static_cast<std::size_t>(b)]) *
                  (share * share);
    }
  }
  return visits > 0.0 ? weighted / visits : Seconds(0);
}

RankParameters chunk_parameters(const ChunkCost& c) { return {c.parameters - c.expert_parameters, c.expert_parameters}; }

}  // namespace

PipelineCosts pipeline_costs(const ChunkCostModel& priced, const ModelSpec& model, const ParallelPlan& plan,
                             std::optional<PipelineLayout> layout) {
  PipelineCosts p;
  p.layout = layout ? std::move(*layout) : pipeline_layout(model, plan, priced.layer_kind_costs());
  for (const auto& c : p.layout.chunks) p.chunks.push_back(priced.chunk(c));
  const bool paired = p.layout.schedule->overlapped_pairs();
  for (int r = 0; r < static_cast<int>(p.layout.chunks_of_rank.size()); ++r) {
    p.ranks.push_back(rank_times(p.layout, p.chunks, r));
    const auto& t = p.ranks.back();
    p.paces.push_back(paired ? overlapped_pace(priced, p.layout, r) : t.forward_alone() + t.backward_alone());
  }
  return p;
}

StepProgram::StepProgram(const ModelSpec& model, const ClusterSpec& cluster, const ParallelPlan& plan,
                         const KernelTimeModel& kernels, const StepShape& shape, std::optional<PipelineLayout> layout)
    : model_(model),
      cluster_(cluster),
      plan_(plan),
      kernels_(kernels),
      shape_(shape),
      priced_(std::make_shared<const ChunkCostModel>(model, plan, cluster, kernels,
                                                     MicroBatchShape{shape.sequence_length, plan.micro_batch_size})),
      pipeline_(std::make_shared<const PipelineCosts>(pipeline_costs(*priced_, model, plan, std::move(layout)))),
      comm_(plan, cluster, priced_->rates()) {
  build();
}

StepProgram::StepProgram(std::shared_ptr<const ChunkCostModel> priced, std::shared_ptr<const PipelineCosts> pipeline,
                         const ModelSpec& model, const ClusterSpec& cluster, const ParallelPlan& plan,
                         const KernelTimeModel& kernels, const StepShape& shape)
    : model_(model),
      cluster_(cluster),
      plan_(plan),
      kernels_(kernels),
      shape_(shape),
      priced_(std::move(priced)),
      pipeline_(std::move(pipeline)),
      comm_(plan, cluster, priced_->rates()) {
  build();
}

void StepProgram::build() {
  micro_batches_ = plan_.micro_batches(shape_.global_batch_size);
  stage_boundary_ = stage_boundary_bytes(model_, plan_, {shape_.sequence_length, plan_.micro_batch_size});
  const auto& layout = pipeline_->layout;
  // A rank's dense parameters travel over the data group, its routed experts over the
  // expert-data group.
  const auto exchange = [&](Collective collective, const RankParameters& params, std::int64_t bytes_per_param) {
    std::vector<CollectiveStep> steps;
    const auto add = [&](CommGroup group, std::int64_t count) {
      if (count > 0 && comm_.layout(group).ranks > 1) {
        steps.push_back(comm_.collective(collective, group, Bytes(count * bytes_per_param)));
      }
    };
    add(CommGroup::data, params.dense);
    add(CommGroup::expert_data, params.experts);
    return steps;
  };
  const std::int64_t gradient_bytes = bytes_per_parameter(plan_, TrainingState::gradients);
  constexpr std::int64_t kBf16 = 2;  // weights travel as their BF16 working copy

  for (const auto& c : pipeline_->chunks) {
    ChunkSync sync;
    const auto params = chunk_parameters(c);
    if (plan_.zero_stage == 3) sync.weight_gathers = exchange(Collective::all_gather, params, kBf16);
    if (plan_.zero_stage >= 2) sync.gradient_shards = exchange(Collective::reduce_scatter, params, gradient_bytes);
    chunk_sync_.push_back(std::move(sync));
  }

  for (int r = 0; r < plan_.pipeline; ++r) {
    RankSync sync;
    for (const int c : layout.chunks_of_rank[static_cast<std::size_t>(r)]) {
      sync.parameters += chunk_parameters(pipeline_->chunks[static_cast<std::size_t>(c)]);
    }
    // Without ZeRO the gradients are all-reduced after the last backward, with ZeRO-1
    // reduce-scattered there (ZeRO-2/3 did it after every backward pass); ZeRO-1/2 gather the
    // updated weights (ZeRO-3 gathers them before every pass).
    if (plan_.zero_stage == 0) sync.gradient_reduction = exchange(Collective::all_reduce, sync.parameters, gradient_bytes);
    if (plan_.zero_stage == 1) sync.gradient_reduction = exchange(Collective::reduce_scatter, sync.parameters, gradient_bytes);
    const auto owned = held_parameters(plan_, sync.parameters, TrainingState::optimizer_states);
    sync.optimizer = memory_kernel(Bytes((owned.dense + owned.experts) * optimizer_traffic_per_parameter(plan_)), Bytes(0));
    if (plan_.zero_stage == 1 || plan_.zero_stage == 2) sync.weight_gather = exchange(Collective::all_gather, sync.parameters, kBf16);
    if (plan_.overlap_data_parallel) {
      const auto& t = pipeline_->ranks[static_cast<std::size_t>(r)];
      sync.reduction_overlap = t.backward_alone();
      sync.gather_overlap = t.forward_alone();
    }
    rank_sync_.push_back(std::move(sync));
  }
}

double StepProgram::tokens_per_step() const {
  return static_cast<double>(shape_.global_batch_size) * static_cast<double>(shape_.sequence_length);
}

LayerPrograms StepProgram::chunk_layers(int chunk) const {
  return priced_->programs(layout().chunks[static_cast<std::size_t>(chunk)]);
}

std::vector<ScheduleItem> StepProgram::order(int pipeline_rank, const ScheduleOptions& options) const {
  return schedule().order(plan_, pipeline_rank, micro_batches_, options);
}

Seconds StepProgram::backward_work(const ScheduleItem& item) const {
  if (item.kind == ItemKind::forward || item.kind == ItemKind::optimizer) return Seconds(0);
  const auto& c = pipeline_->chunks[static_cast<std::size_t>(item.backward.chunk)];
  if (item.kind == ItemKind::weight) return c.backward_weight_compute;
  const Seconds weights = item.defer_weights ? Seconds(0) : c.backward_weight_compute;
  return c.backward_input_compute + weights + c.backward_exposed_communication;
}

Seconds StepProgram::forward_work(const ScheduleItem& item) const {
  if (item.kind != ItemKind::forward && item.kind != ItemKind::forward_backward) return Seconds(0);
  const auto& c = pipeline_->chunks[static_cast<std::size_t>(item.forward.chunk)];
  return c.forward_compute + c.forward_exposed_communication;
}

std::size_t StepProgram::reduction_start(int pipeline_rank, const std::vector<ScheduleItem>& items) const {
  const Seconds window = rank_sync(pipeline_rank).reduction_overlap;
  std::size_t start = items.size();
  Seconds covered(0);
  while (start > 0 && covered < window) covered += backward_work(items[--start]);
  return start;
}

std::size_t StepProgram::gather_deadline(int pipeline_rank, const std::vector<ScheduleItem>& items) const {
  const Seconds window = rank_sync(pipeline_rank).gather_overlap;
  std::size_t deadline = 0;
  Seconds covered(0);
  while (deadline < items.size() && covered < window) covered += forward_work(items[deadline++]);
  return deadline;
}

}  // namespace trainsim
