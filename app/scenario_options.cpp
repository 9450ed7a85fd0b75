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
      ->check(syntax_check([](const std::string& text) { (void)parse_override(text); }));
}

std::function<std::string(const std::string&)> syntax_check(std::function<void(const std::string&)> parse) {
  return [parse = std::move(parse)](const std::string& text) -> std::string {
    try {
      parse(text);
      return "";
    } catch (const ConfigError& e) {
      const auto& issue = e.issues().front();
      return issue.message + (issue.hint.empty() ? "" : " (" + issue.hint + ")");
    }
  };
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
