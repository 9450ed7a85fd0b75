#pragma once
// Each subcommand registers its options on the CLI and sets `run` to its action; main maps
// the action's exceptions to exit codes.
#include <functional>

#include <CLI/CLI.hpp>

namespace trainsim::app {

using Action = std::function<int()>;

void add_estimate_command(CLI::App& cli, Action& run);
void add_simulate_command(CLI::App& cli, Action& run);
void add_hardware_command(CLI::App& cli, Action& run);
void add_models_command(CLI::App& cli, Action& run);
void add_calibrate_command(CLI::App& cli, Action& run);
void add_plan_command(CLI::App& cli, Action& run);
void add_compare_command(CLI::App& cli, Action& run);
void add_validate_command(CLI::App& cli, Action& run);
void add_sweep_command(CLI::App& cli, Action& run);
void add_import_hf_command(CLI::App& cli, Action& run);
void add_init_command(CLI::App& cli, Action& run);
void add_schema_command(CLI::App& cli, Action& run);

}  // namespace trainsim::app
