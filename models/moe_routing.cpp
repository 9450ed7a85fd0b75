#include "models/moe_routing.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include <fmt/format.h>

namespace trainsim {

std::string MoeRouting::describe() const {
  std::string text;
  switch (distribution) {
    case RoutingDistribution::balanced: text = "balanced"; break;
    case RoutingDistribution::zipf: text = fmt::format("Zipf({:g}), seed {}", zipf_exponent, seed); break;
    case RoutingDistribution::table: text = fmt::format("a table of {} expert loads", expert_loads.size()); break;
  }
  if (redundant_experts > 0) text += fmt::format(", {} redundant experts", redundant_experts);
  return text;
}

MoeRouting parse_routing(ObjectReader& r) {
  static const std::vector<Choice<RoutingDistribution>> kinds{
      {"balanced", RoutingDistribution::balanced}, {"zipf", RoutingDistribution::zipf}, {"table", RoutingDistribution::table}};
  MoeRouting routing;
  routing.distribution = r.choice("distribution", kinds);
  if (routing.distribution == RoutingDistribution::zipf) {
    routing.zipf_exponent = r.number("exponent", 0.0, 4.0);
    routing.seed = static_cast<std::uint64_t>(r.optional_integer("seed", 0).value_or(0));
  }
  // How many experts must have tokens depends on the model's top-k: the plan rules check it.
  if (routing.distribution == RoutingDistribution::table) {
    for (const auto& load : r.array("expert_loads")) {
      if (!load.node->is_number() || load.node->get<double>() < 0.0 || !std::isfinite(load.node->get<double>())) {
        r.diagnostics().error(load.pointer, "expected a non-negative number of tokens, got " + describe_json(*load.node));
        continue;
      }
      routing.expert_loads.push_back(load.node->get<double>());
    }
  }
  routing.redundant_experts = r.optional_integer("redundant_experts", 0, 1 << 20).value_or(0);
  r.finish();
  return routing;
}

double ExpertRankLoads::hottest_factor() const {
  return share[static_cast<std::size_t>(hottest_rank)] * static_cast<double>(share.size());
}

namespace {

// Relative tokens per expert, in expert order.
std::vector<double> expert_weights(const MoeRouting& routing, std::int64_t experts) {
  const auto n = static_cast<std::size_t>(experts);
  switch (routing.distribution) {
    case RoutingDistribution::balanced: return std::vector<double>(n, 1.0);
    case RoutingDistribution::table: return routing.expert_loads;
    case RoutingDistribution::zipf: break;
  }
  // Popularity ranks dealt to experts by a Fisher-Yates shuffle on mt19937_64, whose output the
  // standard fixes (its distributions it does not), so every platform deals the same.
  std::vector<std::size_t> rank(n);
  std::iota(rank.begin(), rank.end(), 0);
  std::mt19937_64 rng(routing.seed);
  for (std::size_t i = n; i > 1; --i) std::swap(rank[i - 1], rank[rng() % i]);
  std::vector<double> w(n);
  for (std::size_t e = 0; e < n; ++e) w[e] = std::pow(static_cast<double>(rank[e] + 1), -routing.zipf_exponent);
  return w;
}

// A token picks `top_k` distinct experts, so no expert is chosen by more than every token: its
// share of the routed copies is at most 1/top_k. Shares above that are capped and the excess
// dealt to the others in proportion to their weights, until none exceeds it.
std::vector<double> routed_shares(std::vector<double> w, std::int64_t top_k) {
  const double cap = 1.0 / static_cast<double>(std::max<std::int64_t>(top_k, 1));
  std::vector<bool> capped(w.size(), false);
  for (bool changed = true; changed;) {
    changed = false;
    double free_weight = 0.0;
    double free_share = 1.0;
    for (std::size_t e = 0; e < w.size(); ++e) {
      if (capped[e]) free_share -= cap;
      else free_weight += w[e];
    }
    if (free_weight <= 0.0) {  // fewer experts with tokens than top_k, which the plan rules refuse
      for (std::size_t e = 0; e < w.size(); ++e) w[e] = capped[e] ? cap : 0.0;
      return w;
    }
    for (std::size_t e = 0; e < w.size(); ++e) {
      if (!capped[e] && w[e] / free_weight * free_share > cap) {
        capped[e] = true;
        changed = true;
      }
    }
    if (!changed) {
      for (std::size_t e = 0; e < w.size(); ++e) w[e] = capped[e] ? cap : w[e] / free_weight * free_share;
    }
  }
  return w;
}

}  // namespace

ExpertRankLoads expert_rank_loads(const MoeRouting& routing, std::int64_t experts, std::int64_t top_k, std::int64_t ranks) {
  const auto w = routed_shares(expert_weights(routing, experts), top_k);
  const double total = 1.0;
  ExpertRankLoads loads;
  loads.share.assign(static_cast<std::size_t>(ranks), 0.0);
  loads.slots_per_rank = (experts + routing.redundant_experts) / ranks;
  if (routing.redundant_experts == 0) {
    for (std::int64_t e = 0; e < experts; ++e) loads.share[static_cast<std::size_t>(e / loads.slots_per_rank)] += w[static_cast<std::size_t>(e)] / total;
  } else {
    // Replicate: each extra slot goes to the expert whose replicas carry the most tokens each.
    std::vector<std::int64_t> replicas(w.size(), 1);
    const auto per_replica = [&](std::size_t e) { return w[e] / static_cast<double>(replicas[e]); };
    for (std::int64_t r = 0; r < routing.redundant_experts; ++r) {
      std::size_t hottest = 0;
      for (std::size_t e = 1; e < w.size(); ++e) {
        if (per_replica(e) > per_replica(hottest)) hottest = e;
      }
      ++replicas[hottest];
    }
    // Pack: heaviest replica first onto the least-loaded rank with a free slot.
    std::vector<std::pair<double, std::size_t>> items;
    for (std::size_t e = 0; e < w.size(); ++e) {
      for (std::int64_t r = 0; r < replicas[e]; ++r) items.emplace_back(per_replica(e) / total, e);
    }
    std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<std::int64_t> used(static_cast<std::size_t>(ranks), 0);
    for (const auto& [share, expert] : items) {
      std::size_t best = loads.share.size();
      for (std::size_t k = 0; k < loads.share.size(); ++k) {
        if (used[k] < loads.slots_per_rank && (best == loads.share.size() || loads.share[k] < loads.share[best])) best = k;
      }
      loads.share[best] += share;
      ++used[best];
    }
  }
  loads.hottest_rank = std::max_element(loads.share.begin(), loads.share.end()) - loads.share.begin();
  return loads;
}

}  // namespace trainsim
