// trainsim: cluster simulator and cost-model planner for large-model training.
#include <iostream>
#include <new>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "core/config_error.hpp"
#include "core/io_error.hpp"
#include "core/units.hpp"
#include "core/version.hpp"
#include "sim/backend.hpp"
#include "sim/simulation_size.hpp"

int main(int argc, char** argv) {
  using namespace trainsim::app;
  CLI::App cli("trainsim: simulate and price large-model training runs", "trainsim");
  cli.set_version_flag("--version", fmt::format("trainsim {} (scenario schema_version {})", trainsim::trainsim_version(),
                                               trainsim::kScenarioSchemaVersion));
  cli.require_subcommand(1);
  Action run;
  add_estimate_command(cli, run);
  add_simulate_command(cli, run);
  add_hardware_command(cli, run);
  add_models_command(cli, run);
  add_calibrate_command(cli, run);
  add_plan_command(cli, run);
  add_compare_command(cli, run);
  add_validate_command(cli, run);
  add_sweep_command(cli, run);
  add_import_hf_command(cli, run);
  add_init_command(cli, run);
  add_schema_command(cli, run);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = cli.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  try {
    return run ? run() : kExitUsage;
  } catch (const trainsim::SimulationError& e) {
    std::cerr << "error: the simulation failed: " << e.what() << "\n";
    return kExitSimulation;
  } catch (const trainsim::ConfigError& e) {
    std::cerr << "error: invalid input\n" << e.what() << "\n";
    return kExitBadInput;
  } catch (const trainsim::IoError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitIo;
  } catch (const trainsim::SizeOverflow& e) {
    std::cerr << "error: invalid input: a size derived from it is beyond what trainsim represents (" << e.what() << ")\n";
    return kExitBadInput;
  } catch (const trainsim::SimulationTooLarge& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitResources;
  } catch (const std::bad_alloc&) {
    std::cerr << "error: out of memory; for simulate, --dry-run estimates what a run needs (--fidelity reduced needs less)\n";
    return kExitResources;
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n";
    return kExitInternal;
  }
}
