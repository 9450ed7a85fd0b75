#include "models/chunk_costs.hpp"

#include <algorithm>

namespace trainsim {

namespace {
constexpr LayerKind kKinds[] = {LayerKind::dense, LayerKind::moe, LayerKind::mtp, LayerKind::embedding, LayerKind::head};

// Context-parallel key/value exchange overlaps the attention blocks it feeds (ring
// attention); only what exceeds the attention kernel stays exposed.
Seconds exposed(const LayerStep& step, Seconds comm, Seconds attention_time) {
  if (step.collective == Collective::ring_exchange) return max(Seconds(0), comm - attention_time);
  return comm;
}
}  // namespace

ChunkCostModel::ChunkCostModel(const ModelSpec& model, const ParallelPlan& plan, const ClusterSpec& cluster,
                               const KernelTimeModel& kernels, const MicroBatchShape& shape)
    : rates_(link_rates(cluster, kernels)) {
  if (plan.communication_sms > 0 && kernels.gpu().sm_count && *kernels.gpu().sm_count > plan.communication_sms) {
    const double sms = *kernels.gpu().sm_count;
    sm_slowdown_ = sms / (sms - static_cast<double>(plan.communication_sms));
  }
  const bool sp = plan.sequence_parallel && plan.tensor > 1;
  const std::int64_t boundary_tokens = shape.tokens(plan) / (sp ? plan.tensor : 1);
  const Bytes boundary(boundary_tokens * model.hidden_size * 2);
  pipeline_send_ = plan.pipeline > 1 ? boundary / rates_.scale_out + rates_.scale_out_latency : Seconds(0);

  const bool model_has_moe = model.moe.has_value();
  for (const auto kind : kKinds) {
    Priced p;
    if (kind == LayerKind::moe && !model_has_moe) {
      priced_.push_back(std::move(p));
      continue;
    }
    p.costs = layer_costs(kind, model, plan, cluster, shape);
    Seconds attention_time(0);
    for (const auto& s : p.costs.steps) {
      if (!s.is_communication && s.kernel.kind == KernelClass::attention_forward) attention_time += kernels.time(s.kernel);
    }
    for (const auto& s : p.costs.steps) {
      if (s.is_communication) {
        const Seconds t = layer_step_comm_time(s, plan, cluster, rates_);
        if (s.pass == Pass::forward) {
          p.cost.forward_communication += t;
          p.cost.forward_exposed_communication += exposed(s, t, attention_time);
        } else {
          p.cost.backward_communication += t;
          p.cost.backward_exposed_communication += exposed(s, t, attention_time * 2.0);
        }
        continue;
      }
      const Seconds t = kernels.time(s.kernel) * sm_slowdown_;
      switch (s.pass) {
        case Pass::forward: p.cost.forward_compute += t; break;
        case Pass::backward_input: p.cost.backward_input_compute += t; break;
        case Pass::backward_weight: p.cost.backward_weight_compute += t; break;
      }
      p.cost.transient = std::max(p.cost.transient, s.kernel.bytes_written);
    }
    p.cost.saved_activations = p.costs.saved_activations;
    p.cost.parameters = p.costs.parameters;
    p.cost.expert_parameters = p.costs.expert_parameters;
    priced_.push_back(std::move(p));
  }
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
    total.forward_communication += c.forward_communication;
    total.backward_communication += c.backward_communication;
    total.forward_exposed_communication += c.forward_exposed_communication;
    total.backward_exposed_communication += c.backward_exposed_communication;
    total.saved_activations += c.saved_activations;
    total.transient = std::max(total.transient, c.transient);
    total.parameters += c.parameters;
    total.expert_parameters += c.expert_parameters;
  }
  total.pipeline_send = pipeline_send_;
  return total;
}

}  // namespace trainsim
