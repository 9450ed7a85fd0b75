#include "app/scenario_options.hpp"

#include <algorithm>
#include <thread>

namespace trainsim::app {

void add_set_option(CLI::App* command, std::vector<std::string>& sets) {
  command
      ->add_option("--set", sets,
                   "Change one field of the scenario before it is read, checked as if written in the file: "
                   "POINTER=VALUE, e.g. --set /cluster/gpu_count=4096 --set /cluster/gpu=h20 (repeatable; VALUE is "
                   "JSON where it parses as JSON, else a string)")
      ->take_all()
      ->allow_extra_args(false)
      ->check([](const std::string& text) -> std::string {  // malformed text is a bad command line (exit 2)
        try {
          (void)parse_override(text);
          return "";
        } catch (const ConfigError& e) {
          return e.issues().front().message + " (" + e.issues().front().hint + ")";
        }
      });
}

std::vector<JsonOverride> parse_overrides(const std::vector<std::string>& sets) {
  std::vector<JsonOverride> out;
  out.reserve(sets.size());
  for (const auto& text : sets) out.push_back(parse_override(text));
  return out;
}

int jobs_or_cores(int jobs) { return jobs > 0 ? jobs : static_cast<int>(std::max(1U, std::thread::hardware_concurrency())); }

std::optional<EngineKind> engine_choice(const std::string& name) {
  if (name == "closed-form") return std::nullopt;
  return name == "analytic" ? EngineKind::analytic : EngineKind::simgrid;
}

}  // namespace trainsim::app
