#include "planner/plan_writer.hpp"

#include <filesystem>

namespace trainsim {

nlohmann::json scenario_with_plan(const nlohmann::json& doc, const Scenario& scenario, const ParallelPlan& plan,
                                  std::int64_t gpu_count) {
  auto out = doc;
  // The planned segment: the first of the first phase with a shape.
  const PhaseSegment* planned = nullptr;
  bool others_override = false;  // other segments change parts of the scenario's plan
  for (const auto& phase : scenario.phases) {
    for (const auto& segment : phase.segments) {
      if (planned == nullptr && phase.has_shape()) {
        planned = &segment;
      } else {
        others_override = others_override || segment.plan_overridden;
      }
    }
  }
  // Into the scenario's plan, unless the planned segment has its own or other segments build
  // on the scenario's (DeepSeek-V3's context-extension phases): then into the planned one's.
  const bool own = planned != nullptr && (planned->plan_overridden || others_override);
  const std::string at = own ? planned->pointer + "/parallel" : "/parallel";
  auto& parallel = out[nlohmann::json::json_pointer(at)];
  if (!parallel.is_object()) parallel = nlohmann::json::object();
  write_searched_fields(plan, parallel);
  if (gpu_count != scenario.cluster.gpu_count) out["cluster"]["gpu_count"] = gpu_count;
  const auto dir = std::filesystem::path(scenario.file).parent_path().string();
  (void)parse_scenario(out, scenario.file, dir.empty() ? "." : dir);  // what is written reads back (throws otherwise)
  return out;
}

}  // namespace trainsim
