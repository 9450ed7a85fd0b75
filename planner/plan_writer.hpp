#pragma once
// The planner's answer as a scenario (`plan --write-scenario`): the scenario's document with
// the chosen plan written where the planned phase reads its plan.
#include <nlohmann/json.hpp>

#include "models/scenario.hpp"

namespace trainsim {

// `doc` (the scenario as read, --set applied) with `plan` on `gpu_count` GPUs written into the
// `parallel` object that the planned segment (the first of the first phase with a shape) reads:
// the scenario's, unless that segment has its own or other segments override parts of the
// scenario's (then the planned segment's own, so the other phases keep theirs); and the
// cluster's gpu_count when the planner varied it. The result is read back as a scenario before
// it is returned (a ConfigError if it does not read); `scenario` is `doc` as parsed.
nlohmann::json scenario_with_plan(const nlohmann::json& doc, const Scenario& scenario, const ParallelPlan& plan,
                                  std::int64_t gpu_count);

}  // namespace trainsim
