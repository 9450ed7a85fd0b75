#include "models/chunk_costs.hpp"

#include <algorithm>

#include "models/schedule_traits.hpp"

namespace trainsim {

namespace {
// In LayerKind's order: programs_ and priced_ are indexed by it.
constexpr LayerKind kKinds[kLayerKinds] = {LayerKind::dense, LayerKind::moe,           LayerKind::mtp,
                                           LayerKind::embedding, LayerKind::head, LayerKind::dense_sliding,
                                           LayerKind::moe_sliding};

// Whether the model has layers of `kind`: the others are not priced.
bool present(LayerKind kind, const ModelSpec& model) {
  return (!has_experts(kind) || model.moe) && (!is_sliding(kind) || model.attention.sliding_window);
}

Seconds time_of(const std::vector<Segment>& segments, bool communication) {
  Seconds total;
  for (const auto& s : segments) {
    if (s.is_communication == communication) total += s.duration;
  }
  return total;
}
}  // namespace

ChunkCostModel::ChunkCostModel(const ModelSpec& model, const ParallelPlan& plan, const ClusterSpec& cluster,
                               const KernelTimeModel& kernels, const MicroBatchShape& shape)
    : comm_(plan, cluster, link_rates(cluster, kernels)) {
  if (plan.communication_sms > 0 && kernels.gpu().sm_count && *kernels.gpu().sm_count > plan.communication_sms) {
    const double sms = *kernels.gpu().sm_count;
    sm_slowdown_ = sms / (sms - static_cast<double>(plan.communication_sms));
  }
  for (const auto kind : kKinds) {
    Priced p;
    if (present(kind, model)) p.costs = layer_costs(kind, model, plan, cluster, comm_, shape);
    priced_.push_back(std::move(p));
  }
  const HostIssue host{cluster.host, plan.cuda_graphs, schedule_traits(plan.schedule).defers_weight_gradients()};
  for (auto& p : priced_) {
    programs_.push_back(layer_program(p.costs, kernels, sm_slowdown_, comm_, host));
    const auto& program = programs_.back();
    auto& cost = p.cost;
    cost.forward_compute = time_of(program.forward, false);
    cost.backward_input_compute = time_of(program.backward, false);
    cost.communication = time_of(program.forward, true) + time_of(program.backward, true);
    cost.backward_weight_compute = program.weight_total();
    cost.host_stall = program.host_stall;
    // Alone (no partner chunk to overlap with), a layer waits for the communication that its
    // own compute does not cover: the two-stream time beyond its compute.
    cost.forward_exposed_communication = two_stream_time(forward_units({&program})) - cost.forward_compute;
    cost.backward_exposed_communication = two_stream_time(backward_units({&program}, false)) - cost.backward_input_compute;
    for (const auto& s : p.costs.steps) {
      if (const auto* kernel = s.kernel()) cost.transient = std::max(cost.transient, s.allocated.value_or(kernel->bytes_written));
    }
    cost.saved_activations = p.costs.saved_activations;
    cost.parameters = p.costs.parameters;
    cost.expert_parameters = p.costs.expert_parameters;
  }
}

LayerPrograms ChunkCostModel::programs(const PipelineChunk& chunk) const {
  LayerPrograms layers;
  for (const auto kind : chunk.layers) layers.push_back(&programs_[static_cast<std::size_t>(kind)]);
  return layers;
}

Seconds ChunkCostModel::overlapped_pair_time(const PipelineChunk& forward, const PipelineChunk& backward) const {
  const auto known = pair_times_.find(std::make_pair(&forward.layers, &backward.layers));
  if (known != pair_times_.end()) return known->second;
  const Seconds t = two_stream_time(pair_units(programs(forward), programs(backward)));
  pair_times_.emplace(std::make_pair(forward.layers, backward.layers), t);
  return t;
}

LayerKindCosts ChunkCostModel::layer_kind_costs() const {
  LayerKindCosts costs{};
  for (std::size_t k = 0; k < priced_.size(); ++k) {
    const auto& c = priced_[k].cost;
    costs[k] = (c.forward_compute + c.backward_input_compute + c.backward_weight_compute +
                c.forward_exposed_communication + c.backward_exposed_communication)
                   .si();
  }
  return costs;
}

const LayerCosts& ChunkCostModel::layer(LayerKind kind) const { return priced_[static_cast<std::size_t>(kind)].costs; }

ChunkCost ChunkCostModel::chunk(const PipelineChunk& chunk) const {
  ChunkCost total;
  for (const auto kind : chunk.layers) {
    const auto& c = priced_[static_cast<std::size_t>(kind)].cost;
    total.forward_compute += c.forward_compute;
    total.backward_input_compute += c.backward_input_compute;
    total.backward_weight_compute += c.backward_weight_compute;
    total.forward_exposed_communication += c.forward_exposed_communication;
    total.backward_exposed_communication += c.backward_exposed_communication;
    total.communication += c.communication;
    total.host_stall += c.host_stall;
    total.saved_activations += c.saved_activations;
    total.transient = std::max(total.transient, c.transient);
    total.parameters += c.parameters;
    total.expert_parameters += c.expert_parameters;
    total.largest_layer_parameters = std::max(total.largest_layer_parameters, c.parameters);
  }
  return total;
}

}  // namespace trainsim
