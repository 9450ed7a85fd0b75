#pragma once
// Closed-form evaluation of many plans of one scenario at one step shape. Plans share most of
// their work: layers are priced once per combination of the fields that change their costs
// (tensor, expert and context degrees, micro-batch, recomputation, precision, ...), and a
// pipeline once per priced layers, pipeline degree and schedule; each plan's step program is
// built on them. A test checks that cached and uncached estimates agree exactly.
#include <memory>
#include <string>
#include <unordered_map>

#include "models/chunk_costs.hpp"
#include "models/plan_issue.hpp"
#include "models/scenario.hpp"
#include "models/step_estimate.hpp"
#include "models/step_program.hpp"

namespace trainsim {

struct PlanOutcome {
  bool feasible = false;
  PlanIssue issue;        // why not (the first rule it breaks), when not feasible
  StepEstimate estimate;  // set when the plan got as far as the memory check
};

class PlanEvaluator {
 public:
  PlanEvaluator(const Scenario& scenario, const StepShape& shape);
  PlanEvaluator(const PlanEvaluator&) = delete;
  PlanEvaluator& operator=(const PlanEvaluator&) = delete;

  // `gpu_count` replaces the scenario cluster's (the planner may vary it).
  PlanOutcome evaluate(const ParallelPlan& plan, std::int64_t gpu_count);
  [[nodiscard]] const ClusterSpec& cluster(std::int64_t gpu_count);
  [[nodiscard]] const KernelTimeModel& kernels() const { return kernels_; }

 private:
  const Scenario& scenario_;
  StepShape shape_;
  KernelTimeModel kernels_;
  std::unordered_map<std::int64_t, ClusterSpec> clusters_;
  std::unordered_map<std::string, std::shared_ptr<const ChunkCostModel>> priced_;
  std::unordered_map<std::string, std::shared_ptr<const PipelineCosts>> pipelines_;
};

}  // namespace trainsim
