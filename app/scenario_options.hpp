#pragma once
// The option every command that reads a scenario shares: `--set POINTER=VALUE`, repeatable.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/json_override.hpp"
#include "sim/step_simulation.hpp"

namespace trainsim::app {

void add_set_option(CLI::App* command, std::vector<std::string>& sets);
// The overrides as given, in order (their syntax was checked when the command line was parsed:
// text that is not POINTER=VALUE is a usage error, exit 2).
std::vector<JsonOverride> parse_overrides(const std::vector<std::string>& sets);

// --jobs as given, or the machine's cores when it was not (0).
int jobs_or_cores(int jobs);
// An --engine name: "closed-form" (nullopt), "analytic" or "simgrid".
std::optional<EngineKind> engine_choice(const std::string& name);

}  // namespace trainsim::app
