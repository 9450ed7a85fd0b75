#pragma once
// Routing skew: how unevenly a step's tokens choose their experts, where the experts sit, and
// what that leaves on each expert-parallel rank. Balanced routing (every expert the same share,
// what force-balanced benchmark runs use) is the default; a Zipf law or a table of measured
// loads skews it; redundant experts (DeepSeek-V3's EPLB, arXiv:2412.19437 sec.3.4) replicate
// the hottest experts onto spare slots and pack the replicas onto ranks by load.
#include <cstdint>
#include <string>
#include <vector>

#include "core/json_reader.hpp"

namespace trainsim {

enum class RoutingDistribution { balanced, zipf, table };

struct MoeRouting {
  RoutingDistribution distribution = RoutingDistribution::balanced;
  double zipf_exponent = 0.0;        // zipf: the k-th hottest expert draws 1/k^s of the tokens
  std::vector<double> expert_loads;  // table: relative tokens per expert, in expert order
  std::uint64_t seed = 0;            // zipf: which experts are the hot ones (a seeded shuffle)
  std::int64_t redundant_experts = 0;  // extra expert slots, EP-divisible with the experts
  [[nodiscard]] bool skewed() const { return distribution != RoutingDistribution::balanced; }
  // Balanced and without redundant experts: what every plan ran before routing was an input.
  [[nodiscard]] bool is_default() const { return !skewed() && redundant_experts == 0; }
  [[nodiscard]] std::string describe() const;
  bool operator==(const MoeRouting&) const = default;
};

// Reads the plan's "routing" object.
MoeRouting parse_routing(ObjectReader& reader);

// What one MoE layer's routing leaves on each rank of an expert-parallel group.
struct ExpertRankLoads {
  std::vector<double> share;    // of the group's routed tokens, per EP rank (sums to 1)
  std::int64_t slots_per_rank = 1;  // experts and replicas each rank holds
  std::int64_t hottest_rank = 0;
  // The hottest rank's tokens over the mean rank's: what its expert GEMMs and its incoming
  // all-to-all carry against balanced routing.
  [[nodiscard]] double hottest_factor() const;
};

// Loads of `experts` routed experts, `top_k` per token, over `ranks` expert-parallel ranks.
// Without redundant experts, expert e sits on rank e / (experts / ranks), as Megatron-Core and
// DeepSeek place them; with them, the greedy replication and packing of EPLB.
ExpertRankLoads expert_rank_loads(const MoeRouting& routing, std::int64_t experts, std::int64_t top_k, std::int64_t ranks);

}  // namespace trainsim
