#include "sim/rank_layout.hpp"

namespace trainsim {

RankLayout::RankLayout(const ParallelPlan& p, Fidelity fidelity)
    : tensor_(static_cast<std::int32_t>(p.tensor)),
      context_(static_cast<std::int32_t>(p.context)),
      data_(static_cast<std::int32_t>(p.data)),
      pipeline_(static_cast<std::int32_t>(p.pipeline)),
      expert_(static_cast<std::int32_t>(p.expert)),
      expert_tensor_(static_cast<std::int32_t>(p.expert_tensor_degree())),
      world_(static_cast<std::int32_t>(p.gpus())),
      fidelity_(fidelity),
      index_(static_cast<std::size_t>(world_), -1) {
  for (std::int32_t g = 0; g < world_; ++g) {
    const auto c = coordinates(g);
    const bool first_replica = c.tensor == 0 && c.context == 0 && c.data == 0;
    if (fidelity == Fidelity::full || first_replica) {
      index_[static_cast<std::size_t>(g)] = static_cast<std::int32_t>(simulated_.size());
      simulated_.push_back(g);
    }
  }
}

RankCoordinates RankLayout::coordinates(std::int32_t g) const {
  RankCoordinates c;
  c.tensor = g % tensor_;
  c.context = (g / tensor_) % context_;
  c.data = (g / (tensor_ * context_)) % data_;
  c.pipeline = g / (tensor_ * context_ * data_);
  return c;
}

std::int32_t RankLayout::global(const RankCoordinates& c) const {
  return ((c.pipeline * data_ + c.data) * context_ + c.context) * tensor_ + c.tensor;
}

std::vector<std::int32_t> RankLayout::group(CommGroup group, std::int32_t g) const {
  const auto c = coordinates(g);
  std::vector<std::int32_t> members;
  // Members by their flattened context x data index (context innermost), at c's tensor and
  // pipeline place.
  const auto flat = [&](std::int32_t f) { members.push_back(global({c.tensor, f % context_, f / context_, c.pipeline})); };
  // Members by their index among the stage's ranks (the MoE layers' folded groups).
  const auto folded = [&](std::int32_t l) { members.push_back(c.pipeline * stage_ranks() + l); };
  switch (group) {
    case CommGroup::tensor: {
      auto m = c;
      for (m.tensor = 0; m.tensor < tensor_; ++m.tensor) members.push_back(global(m));
      break;
    }
    case CommGroup::context: {
      auto m = c;
      for (m.context = 0; m.context < context_; ++m.context) members.push_back(global(m));
      break;
    }
    case CommGroup::expert_tensor:
      for (std::int32_t i = 0; i < expert_tensor_; ++i) folded(stage_index(g) / expert_tensor_ * expert_tensor_ + i);
      break;
    case CommGroup::expert: {
      const std::int32_t model = expert_tensor_ * expert_;
      const std::int32_t first = stage_index(g) / model * model + stage_index(g) % expert_tensor_;
      for (std::int32_t i = 0; i < expert_; ++i) folded(first + i * expert_tensor_);
      break;
    }
    case CommGroup::data:
      for (std::int32_t f = 0; f < context_ * data_; ++f) flat(f);
      break;
    case CommGroup::expert_data: {
      const std::int32_t model = expert_tensor_ * expert_;
      for (std::int32_t l = stage_index(g) % model; l < stage_ranks(); l += model) folded(l);
      break;
    }
    case CommGroup::pipeline: {
      auto m = c;
      for (m.pipeline = 0; m.pipeline < pipeline_; ++m.pipeline) members.push_back(global(m));
      break;
    }
  }
  return members;
}

std::int32_t RankLayout::pipeline_peer(std::int32_t g, std::int32_t pipeline_rank) const {
  auto c = coordinates(g);
  c.pipeline = pipeline_rank;
  return global(c);
}

std::int32_t RankLayout::simulated_index(std::int32_t g) const { return index_[static_cast<std::size_t>(g)]; }

}  // namespace trainsim
