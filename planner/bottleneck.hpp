#pragma once
// What limits a scenario's training step: the closed-form step re-estimated with one resource
// of the cluster doubled at a time (compute peaks, HBM bandwidth, NVLink-class scale-up
// bandwidth, fabric bandwidth per GPU, memory capacity). Doubling memory capacity changes
// nothing for a fixed plan, so it is measured as what the best plan of the planner's space
// gains with twice the memory. The resource whose doubling shortens the step most dominates.
#include <string>
#include <vector>

#include "core/progress.hpp"
#include "models/scenario.hpp"
#include "models/step_estimate.hpp"

namespace trainsim {

struct ResourceSensitivity {
  std::string resource;  // "compute", "HBM bandwidth", "NVLink", "fabric", "memory capacity"
  double step_reduction = 0.0;  // 1 - step with the resource doubled / step as is
};

struct BottleneckAnalysis {
  Seconds step;  // the scenario's plan, closed form, at its first phase's full batch
  std::vector<ResourceSensitivity> doubled;  // in the order above
  std::string dominant;
  // The best closed-form step of the plan space as is and with twice the memory.
  Seconds best_plan_step, best_plan_step_with_double_memory;
};

BottleneckAnalysis analyze_bottlenecks(const Scenario& scenario);
// Each scenario's analysis, `jobs` at a time in worker processes (the plan-space searches are
// most of `compare`'s time); the same results as one at a time. Throws SimulationError naming
// the scenario when a worker fails.
std::vector<BottleneckAnalysis> analyze_bottlenecks(const std::vector<const Scenario*>& scenarios, int jobs,
                                                    const ProgressFn& progress = {});

}  // namespace trainsim
