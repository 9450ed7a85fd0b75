#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/estimate_output.hpp"
#include "app/exit_codes.hpp"
#include "app/output.hpp"
#include "core/unit_parser.hpp"
#include "cost/run_estimate.hpp"
#include "cost/simulated_timer.hpp"
#include "reports/chrome_trace.hpp"

namespace trainsim::app {
namespace {

// Rates of ops and flows per second of host time measured on 2026-12-01 on a 2-core machine
// (the six runs of sim/simulation_size.cpp): a rough range, not a promise.
constexpr double kSlowestRate = 30e3;
constexpr double kFastestRate = 100e3;

std::string dry_run_text(const Scenario& scenario, const std::vector<SimulatedTimer::SizedStep>& steps, bool simgrid,
                         Bytes limit, bool limited) {
  std::string text = fmt::format("dry run of {}: {} step simulation{}, nothing simulated\n", scenario.name, steps.size(),
                                 steps.size() == 1 ? "" : "s");
  bool fits = true;
  for (const auto& step : steps) {
    const auto& p = step.plan;
    const double work = static_cast<double>(step.size.ops + step.size.flows);
    text += fmt::format("  TP{} PP{} DP{} EP{} CP{}, sequence {}, batch {}: {}; roughly {:.0f}-{:.0f} s of host time{}\n",
                        p.tensor, p.pipeline, p.data, p.expert, p.context, step.shape.sequence_length,
                        step.shape.global_batch_size, step.size.describe(), work / kFastestRate, work / kSlowestRate,
                        step.size.memory > limit ? " (refused: more than allowed)" : "");
    fits = fits && step.size.memory <= limit;
    if (simgrid) {
      const auto problem = simgrid_actor_problem(step.size);
      if (!problem.empty()) text += "    refused: too many SimGrid actors for this machine (vm.max_map_count)\n";
      fits = fits && problem.empty();
    }
  }
  text += fmt::format("memory allowed: {:.2f} GiB ({}); {}\n", to_gib(limit),
                      limited ? "--max-memory" : "available on this machine now", fits ? "every simulation fits" : "a run would be refused");
  return text;
}

}  // namespace

void add_simulate_command(CLI::App& cli, Action& run) {
  struct Options {
    std::string scenario;
    std::string engine = "simgrid";
    std::string fidelity = "reduced";
    EstimateOutput out;
    std::string trace;
    bool given = false;
    bool dry_run = false;
    std::string max_memory;
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
  cmd->add_flag("--dry-run", options->dry_run,
                "Print each step simulation's size (GPUs, ops, flows, memory) and the memory allowed; simulate nothing");
  cmd->add_option("--max-memory", options->max_memory,
                  "Refuse a simulation whose estimated memory exceeds this (e.g. 8GiB; default: the memory available)")
      ->check([](const std::string& text) -> std::string {
        try {
          return parse_bytes(text) > Bytes(0) ? "" : "--max-memory must be positive";
        } catch (const UnitParseError& e) {
          return e.what();
        }
      });
  cmd->callback([&run, options] {
    run = [options] {
      check_outputs({&options->out.output, &options->out.report, &options->trace});
      const auto scenario = load_scenario(options->scenario);
      const bool limited = !options->max_memory.empty();
      const Bytes memory_limit = limited ? parse_bytes(options->max_memory) : available_memory();
      SimulatedTimer simulated(scenario, options->engine == "analytic" ? EngineKind::analytic : EngineKind::simgrid,
                               options->fidelity == "full" ? Fidelity::full : Fidelity::reduced, memory_limit);
      if (options->dry_run) {
        simulated.dry_run();
        estimate_run(scenario, simulated.timer(), options->given, options->engine);
        write_output(options->out.output, dry_run_text(scenario, simulated.sizes(), options->engine == "simgrid", memory_limit, limited));
        return kExitOk;
      }
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
