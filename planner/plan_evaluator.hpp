#pragma once
// Closed-form evaluation of many plans of one scenario at one step shape. Plans share most of
// their work: layers are priced once per combination of the fields that change their costs
// (tensor, expert and context degrees, micro-batch, recomputation, precision, ...), and a
// pipeline once per priced layers, pipeline degree and schedule; each plan's step program is
// built on them. A test checks that cached and uncached estimates agree exactly.
#include <compare>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "models/chunk_costs.hpp"
#include "models/plan_issue.hpp"
#include "models/scenario.hpp"
#include "models/step_estimate.hpp"
#include "models/step_program.hpp"

namespace trainsim {

struct PlanOutcome {
  bool feasible = false;
  bool timed = false;     // estimate's step time is set (feasible, and worth timing)
  PlanIssue issue;        // why not (the first rule it breaks), when not feasible
  StepEstimate estimate;  // set when the plan got as far as the memory check
};

// Whether a feasible plan is worth the replay that times it, given its accounting (memory) and
// a lower bound on its step (step_lower_bound).
using WorthTiming = std::function<bool(const StepEstimate& accounting, Seconds lower_bound)>;

class PlanEvaluator {
 public:
  // A plan that fits but leaves less than `min_headroom` free on its fullest GPU is infeasible
  // (InfeasibleReason::below_headroom).
  PlanEvaluator(const Scenario& scenario, const StepShape& shape, Bytes min_headroom = Bytes(0));
  PlanEvaluator(const PlanEvaluator&) = delete;
  PlanEvaluator& operator=(const PlanEvaluator&) = delete;

  // `gpu_count` replaces the scenario cluster's (the planner may vary it).
  PlanOutcome evaluate(const ParallelPlan& plan, std::int64_t gpu_count);
  // The same, timing the plan only when `worth` says so (a search for the fastest plan skips
  // plans that cannot beat its best).
  PlanOutcome evaluate_if(const ParallelPlan& plan, std::int64_t gpu_count, const WorthTiming& worth);
  // A lower bound on the plan's step from its priced layers alone, before any pipeline layout
  // or memory accounting (average_rank_lower_bound); none when the plan breaks a rule.
  std::optional<Seconds> layout_free_bound(const ParallelPlan& plan, std::int64_t gpu_count);
  [[nodiscard]] const ClusterSpec& cluster(std::int64_t gpu_count);
  [[nodiscard]] const KernelTimeModel& kernels() const { return kernels_; }

 private:
  // The plan fields the layer prices depend on: the tensor, context and expert groups (their
  // layouts do not depend on the data or pipeline degree), the routing, and what shapes the
  // layers' kernels.
  struct PricedKey {
    std::int64_t gpus, tensor, expert, expert_tensor, context, micro_batch_size;
    unsigned recompute;
    Precision precision, gradient_precision;
    std::int64_t communication_sms;
    bool sequence_parallel;
    bool tp_comm_overlap;
    bool cuda_graphs;
    bool moe_pad_to_capacity;
    bool separate_weight_pass;  // the host issues weight gradients apart (layer_program)
    AttentionKernel attention_kernel;
    CrossEntropyKernel cross_entropy;
    Fp8Recipe fp8_recipe;
    RoutingDistribution distribution;
    double zipf_exponent;
    std::uint64_t seed;
    std::int64_t redundant_experts;
    std::vector<double> expert_loads;
    auto operator<=>(const PricedKey&) const = default;
  };
  struct Priced {
    std::shared_ptr<const ChunkCostModel> model;
    ChunkCost whole_model;  // every layer as one chunk
  };
  // The first rule the plan breaks, if any.
  std::optional<PlanIssue> rule_issue(const ParallelPlan& plan, std::int64_t gpu_count);
  const Priced& priced(const ParallelPlan& plan, std::int64_t gpu_count);
  // One priced model's pipeline: its pipeline degree, virtual stages and schedule.
  using PipelineKey = std::tuple<const ChunkCostModel*, std::int64_t, std::int64_t, Schedule>;

  const Scenario& scenario_;
  StepShape shape_;
  Bytes min_headroom_;
  KernelTimeModel kernels_;
  std::unordered_map<std::int64_t, ClusterSpec> clusters_;
  std::map<PricedKey, Priced> priced_;
  std::map<PipelineKey, std::shared_ptr<const PipelineCosts>> pipelines_;
};

}  // namespace trainsim
