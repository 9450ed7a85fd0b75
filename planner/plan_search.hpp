#pragma once
// The planner: every candidate plan of the space checked (divisibility, memory) and ranked by
// the closed-form step time, the best k simulated in worker processes, and the Pareto front
// of time, dollars and memory headroom among them. The plans price the scenario's first
// phase with a shape (its first segment's sequence length and batch, all its tokens).
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/progress.hpp"
#include "models/plan_issue.hpp"
#include "models/step_estimate.hpp"
#include "planner/plan_space.hpp"
#include "sim/step_simulation.hpp"

namespace trainsim {

struct PlanPrice {
  double days = 0.0;
  double gpu_hours = 0.0;
  double cost_usd = 0.0;
};

struct RankedPlan {
  ParallelPlan plan;
  std::int64_t gpu_count = 0;
  std::int64_t rank = 0;   // by closed-form step time among feasible plans, from 1
  StepEstimate estimate;   // closed form
  bool simulated = false;  // `simulation` holds the simulated step
  StepBreakdown simulation;
  std::string simulation_error;
  Bytes headroom;          // memory capacity minus the fullest rank's need
  PlanPrice price;         // of the phase, at the simulated step time when there is one
  bool baseline = false;   // the scenario's own plan
  bool pareto = false;     // no other simulated plan is faster, cheaper and roomier at once
  [[nodiscard]] Seconds step_time() const { return simulated ? simulation.total : estimate.step_time; }
};

// Candidates that broke one rule first, with one of them as an example.
struct InfeasibleCount {
  InfeasibleReason reason = InfeasibleReason::gpu_count;
  std::int64_t plans = 0;
  std::string example;  // the first such plan's detail, with its numbers
};

struct PlanSearchOptions {
  int jobs = 1;  // simulations at once
  EngineKind engine = EngineKind::simgrid;
  ProgressFn progress;  // of the candidates checked; may be empty
};

struct PlanSearchResult {
  std::string phase;       // the phase the plans price
  StepShape shape;
  double phase_tokens = 0.0;
  std::int64_t candidates = 0;
  std::int64_t feasible = 0;
  std::vector<InfeasibleCount> infeasible;  // by reason, most common first
  std::vector<RankedPlan> shortlist;  // the top k and the baseline, by step time (simulated first)
  std::int64_t baseline_rank = 0;     // 0: the scenario's plan is infeasible
  std::string baseline_reason;        // why, then
  EngineKind engine = EngineKind::simgrid;
};

// Throws ConfigError when the scenario has no phase with a shape to plan for.
PlanSearchResult search_plans(const Scenario& scenario, const PlanSpace& space, const PlanSearchOptions& options);

// Marks the plans no other plan beats on all of step time, dollars and headroom.
void mark_pareto_front(std::vector<RankedPlan>& plans);

}  // namespace trainsim
