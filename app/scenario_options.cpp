#include "app/scenario_options.hpp"

namespace trainsim::app {

void add_set_option(CLI::App* command, std::vector<std::string>& sets) {
  command
      ->add_option("--set", sets,
                   "Change one field of the scenario before it is read, checked as if written in the file: "
                   "POINTER=VALUE, e.g. --set /cluster/gpu_count=4096 --set /cluster/gpu=h20 (repeatable; VALUE is "
                   "JSON where it parses as JSON, else a string)")
      ->take_all()
      ->allow_extra_args(false);
}

std::vector<JsonOverride> parse_overrides(const std::vector<std::string>& sets) {
  std::vector<JsonOverride> out;
  out.reserve(sets.size());
  for (const auto& text : sets) out.push_back(parse_override(text));
  return out;
}

std::optional<EngineKind> engine_choice(const std::string& name) {
  if (name == "closed-form") return std::nullopt;
  return name == "analytic" ? EngineKind::analytic : EngineKind::simgrid;
}

}  // namespace trainsim::app
