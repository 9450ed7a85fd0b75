#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/estimate_output.hpp"
#include "app/exit_codes.hpp"
#include "app/output.hpp"
#include "cost/run_estimate.hpp"
#include "cost/simulated_timer.hpp"
#include "reports/chrome_trace.hpp"

namespace trainsim::app {

void add_simulate_command(CLI::App& cli, Action& run) {
  struct Options {
    std::string scenario;
    std::string engine = "simgrid";
    std::string fidelity = "reduced";
    EstimateOutput out;
    std::string trace;
    bool given = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = cli.add_subcommand(
      "simulate", "Discrete-event simulation of a scenario's step on its cluster (SimGrid), then the whole-run cost");
  cmd->add_option("scenario", options->scenario, "Scenario JSON file")->required();
  cmd->add_option("--engine", options->engine, "simgrid (flow-level contention) or analytic (contention-free critical path)")
      ->check(CLI::IsMember({"simgrid", "analytic"}));
  cmd->add_option("--fidelity", options->fidelity,
                  "reduced (one pipeline, symmetric peers mirrored) or full (every GPU; small clusters)")
      ->check(CLI::IsMember({"reduced", "full"}));
  add_estimate_output_options(cmd, options->out);
  cmd->add_option("--trace", options->trace, "Write the headline step as a Chrome trace (open in Perfetto)");
  cmd->add_flag("--given", options->given, "Use the figures phases give instead of estimating them");
  cmd->callback([&run, options] {
    run = [options] {
      check_outputs({&options->out.output, &options->out.report, &options->trace});
      const auto scenario = load_scenario(options->scenario);
      SimulatedTimer simulated(scenario, options->engine == "analytic" ? EngineKind::analytic : EngineKind::simgrid,
                               options->fidelity == "full" ? Fidelity::full : Fidelity::reduced);
      const auto estimate = estimate_run(scenario, simulated.timer(), options->given, options->engine);
      const StepSimulation* headline = simulated.simulations().empty() ? nullptr : simulated.simulations().front().get();
      if (!options->trace.empty() && headline != nullptr) {
        write_output(options->trace, chrome_trace(headline->lowered.workload, headline->timeline));
      }
      return write_estimate(options->out, scenario, estimate, headline);
    };
  });
}

}  // namespace trainsim::app
