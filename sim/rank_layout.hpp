#pragma once
// Where every global rank sits in the plan (Megatron-LM order: tensor innermost, then context,
// then data, then pipeline; the MoE layers' expert groups folded over each stage's ranks), its
// communication groups, and which ranks a simulation runs.
#include <cstdint>
#include <vector>

#include "models/communication.hpp"
#include "models/parallel_plan.hpp"

namespace trainsim {

enum class Fidelity {
  full,     // every GPU runs its program; every flow is simulated
  reduced,  // one pipeline runs; symmetric peers' traffic is mirrored onto its links
};

struct RankCoordinates {
  std::int32_t tensor = 0, context = 0, data = 0, pipeline = 0;
};

class RankLayout {
 public:
  RankLayout(const ParallelPlan& plan, Fidelity fidelity);

  [[nodiscard]] std::int32_t world() const { return world_; }
  [[nodiscard]] RankCoordinates coordinates(std::int32_t global) const;
  [[nodiscard]] std::int32_t global(const RankCoordinates& c) const;

  // Members of `global`'s group of kind `group`, in ring order, `global` itself included (the
  // data group spans data x context: context-parallel ranks hold the same weights).
  [[nodiscard]] std::vector<std::int32_t> group(CommGroup group, std::int32_t global) const;
  // The rank of the same replica (tensor, context, data position) at another pipeline rank.
  [[nodiscard]] std::int32_t pipeline_peer(std::int32_t global, std::int32_t pipeline_rank) const;

  // Simulated ranks in index order, and the index of a global rank (-1 when not simulated).
  [[nodiscard]] const std::vector<std::int32_t>& simulated() const { return simulated_; }
  [[nodiscard]] std::int32_t simulated_index(std::int32_t global) const;
  [[nodiscard]] Fidelity fidelity() const { return fidelity_; }

 private:
  // Ranks of a pipeline stage, and a rank's index among its stage's (pipeline is outermost).
  [[nodiscard]] std::int32_t stage_ranks() const { return tensor_ * context_ * data_; }
  [[nodiscard]] std::int32_t stage_index(std::int32_t global) const { return global % stage_ranks(); }

  std::int32_t tensor_, context_, data_, pipeline_, expert_, expert_tensor_, world_;
  Fidelity fidelity_;
  std::vector<std::int32_t> simulated_;
  std::vector<std::int32_t> index_;  // global -> simulated index
};

}  // namespace trainsim
