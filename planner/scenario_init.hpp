#pragma once
// `trainsim init`: a minimal scenario from what a planner knows before anything else (a
// catalog model, a catalog GPU, how many, how many tokens), every assumption it makes stated
// in its description, and a plan that fits: the planner's best on that cluster.
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "planner/plan_search.hpp"

namespace trainsim {

struct InitRequest {
  std::string model = "llama-3.1-8b";
  std::string gpu = "h100-sxm";
  std::int64_t gpu_count = 8;
  std::optional<double> tokens;                     // default: 20 per parameter (Chinchilla)
  std::optional<std::int64_t> sequence_length;      // default: 8,192, or the model's maximum
  std::optional<std::int64_t> global_batch_size;    // default: about 4M tokens
  std::optional<std::int64_t> gpus_per_node;        // default: 8, or the GPU's NVLink domain
  std::string precision = "bf16";
  bool search = true;  // false: keep the first plan that follows the rules (no search)
  int jobs = 1;
  ProgressFn progress;  // of the search; may be empty
};

struct InitResult {
  nlohmann::json scenario;  // reads back as a scenario (checked before it is returned)
  bool searched = false;
  std::optional<PlanSearchResult> search;  // when searched
  std::optional<std::size_t> best;         // the written plan's index in `search`'s shortlist; none fits: nullopt

  [[nodiscard]] const RankedPlan* best_plan() const { return best ? &search->shortlist[*best] : nullptr; }
};

// Throws ConfigError when the model or GPU is unknown or no plan follows the rules.
InitResult initial_scenario(const InitRequest& request);

}  // namespace trainsim
