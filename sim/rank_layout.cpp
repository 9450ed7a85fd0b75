#include "sim/rank_layout.hpp"

namespace trainsim {

RankLayout::RankLayout(const ParallelPlan& p, Fidelity fidelity)
    : tensor_(static_cast<std::int32_t>(p.tensor)),
      context_(static_cast<std::int32_t>(p.context)),
      data_(static_cast<std::int32_t>(p.data)),
      pipeline_(static_cast<std::int32_t>(p.pipeline)),
      expert_(static_cast<std::int32_t>(p.expert)),
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

std::vector<std::int32_t> RankLayout::tensor_group(std::int32_t g) const {
  std::vector<std::int32_t> members;
  auto c = coordinates(g);
  for (c.tensor = 0; c.tensor < tensor_; ++c.tensor) members.push_back(global(c));
  return members;
}

std::vector<std::int32_t> RankLayout::context_group(std::int32_t g) const {
  std::vector<std::int32_t> members;
  auto c = coordinates(g);
  for (c.context = 0; c.context < context_; ++c.context) members.push_back(global(c));
  return members;
}

std::vector<std::int32_t> RankLayout::expert_group(std::int32_t g) const {
  const auto c = coordinates(g);
  const std::int32_t first = flat_data(c) / expert_ * expert_;
  std::vector<std::int32_t> members;
  for (std::int32_t f = first; f < first + expert_; ++f) {
    members.push_back(global({c.tensor, f % context_, f / context_, c.pipeline}));
  }
  return members;
}

std::vector<std::int32_t> RankLayout::data_group(std::int32_t g) const {
  const auto c = coordinates(g);
  std::vector<std::int32_t> members;
  for (std::int32_t f = 0; f < context_ * data_; ++f) members.push_back(global({c.tensor, f % context_, f / context_, c.pipeline}));
  return members;
}

std::vector<std::int32_t> RankLayout::expert_data_group(std::int32_t g) const {
  const auto c = coordinates(g);
  std::vector<std::int32_t> members;
  for (std::int32_t f = flat_data(c) % expert_; f < context_ * data_; f += expert_) {
    members.push_back(global({c.tensor, f % context_, f / context_, c.pipeline}));
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
