#pragma once
// The option every command that reads a scenario shares: `--set POINTER=VALUE`, repeatable.
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/json_override.hpp"
#include "sim/step_simulation.hpp"

namespace trainsim::app {

void add_set_option(CLI::App* command, std::vector<std::string>& sets);
// An option check that runs `parse` on each value given: a ConfigError it throws (text that is
// not the option's syntax) becomes CLI11's message, a bad command line (exit 2).
std::function<std::string(const std::string&)> syntax_check(std::function<void(const std::string&)> parse);
// The overrides as given, in order (their syntax was checked when the command line was parsed:
// text that is not POINTER=VALUE is a usage error, exit 2).
std::vector<JsonOverride> parse_overrides(const std::vector<std::string>& sets);

// --jobs as given, or the machine's cores when it was not (0).
int jobs_or_cores(int jobs);
// An --engine name: "closed-form" (nullopt), "analytic" or "simgrid".
std::optional<EngineKind> engine_choice(const std::string& name);

}  // namespace trainsim::app
