#pragma once
// The cross-field rules a parallel plan follows on a model and a cluster, and for a phase's
// shape (sequence length, global batch): each broken rule is a typed issue. The scenario parser
// reports them as configuration errors at the plan's JSON pointer; the planner counts
// candidates by their reason; the lowering refuses a plan that has any.
#include <cstdint>
#include <string>

#include "core/config_error.hpp"
#include "hardware/cluster_spec.hpp"
#include "models/model_spec.hpp"
#include "models/parallel_plan.hpp"
#include "models/plan_issue.hpp"

namespace trainsim {

// Rules on the plan alone, on this model and cluster.
PlanIssues plan_structure_issues(const ModelSpec& model, const ClusterSpec& cluster, const ParallelPlan& plan);
// Rules on the plan at one phase shape.
PlanIssues plan_shape_issues(const ModelSpec& model, const ParallelPlan& plan, std::int64_t sequence_length,
                             std::int64_t global_batch_size);
// Both, structure first.
PlanIssues plan_issues(const ModelSpec& model, const ClusterSpec& cluster, const ParallelPlan& plan,
                       std::int64_t sequence_length, std::int64_t global_batch_size);

// Reports `issues` as errors at `pointer`, the plan's location (a field's issue at its key).
void report_plan_issues(const PlanIssues& issues, const std::string& pointer, Diagnostics& diag);

}  // namespace trainsim
