#include <iostream>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/estimate_output.hpp"
#include "app/exit_codes.hpp"
#include "app/output.hpp"
#include "app/progress.hpp"
#include "app/scenario_options.hpp"
#include "core/unit_parser.hpp"
#include "cost/run_estimate.hpp"
#include "cost/simulated_timer.hpp"
#include "reports/chrome_trace.hpp"
#include "reports/estimate_report.hpp"

namespace trainsim::app {
namespace {

// Ops and flows simulated per second of host time, measured on 2026-12-01 on a 2-core machine
// over the six runs of sim/simulation_size.cpp (27,000 for 1,024 small ranks, 142,000 for 64
// busy ones): a rough range, not a promise.
constexpr double kSlowestRate = 25e3;
constexpr double kFastestRate = 150e3;

struct Sizing {
  std::string text;     // one line per step simulation, and the memory allowed
  std::string refusal;  // why a run would be refused; empty when every simulation fits
  double slowest_s = 0.0;
};

Sizing assess(const Scenario& scenario, const std::vector<SimulatedTimer::SizedStep>& steps, bool simgrid, Bytes limit,
              bool limited) {
  Sizing sizing;
  sizing.text = fmt::format("dry run of {}: {} step simulation{}, nothing simulated\n", scenario.name, steps.size(),
                            steps.size() == 1 ? "" : "s");
  for (const auto& step : steps) {
    const auto& p = step.plan;
    const double work = static_cast<double>(step.size.ops + step.size.flows);
    sizing.slowest_s += work / kSlowestRate;
    sizing.text += fmt::format("  {}; sequence {}, batch {}: {}; roughly {:.0f}-{:.0f} s of host time\n", plan_text(p),
                               step.shape.sequence_length, step.shape.global_batch_size, step.size.describe(),
                               work / kFastestRate, work / kSlowestRate);
    const auto problem = simulation_refusal(step.size, limit, simgrid);
    if (!problem.empty()) sizing.text += "    refused: " + problem + "\n";
    if (sizing.refusal.empty()) sizing.refusal = problem;
  }
  sizing.text += fmt::format("memory allowed: {:.2f} GiB ({}); {}\n", to_gib(limit),
                             limited ? "--max-memory" : "available on this machine now",
                             sizing.refusal.empty() ? "every simulation fits" : "the run would be refused");
  return sizing;
}

}  // namespace

void add_simulate_command(CLI::App& cli, Action& run) {
  struct Options {
    std::string scenario;
    std::vector<std::string> sets;
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
  add_set_option(cmd, options->sets);
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
    resolve_estimate_format(options->out);
    run = [options] {
      check_outputs({&options->out.output, &options->out.report, &options->trace});
      const auto scenario = load_scenario(options->scenario, parse_overrides(options->sets));
      const bool limited = !options->max_memory.empty();
      const Bytes memory_limit = limited ? parse_bytes(options->max_memory) : available_memory();
      const auto engine = options->engine == "analytic" ? EngineKind::analytic : EngineKind::simgrid;
      const auto fidelity = options->fidelity == "full" ? Fidelity::full : Fidelity::reduced;
      // Every step simulation is sized first, so that none starts when a later one would be refused.
      SimulatedTimer sizer(scenario, engine, fidelity);
      sizer.dry_run();
      estimate_run(scenario, sizer.timer(), options->given, options->engine);
      const auto sizing = assess(scenario, sizer.sizes(), engine == EngineKind::simgrid, memory_limit, limited);
      if (options->dry_run) {
        write_output(options->out.output, sizing.text);
        return kExitOk;
      }
      if (!sizing.refusal.empty()) throw SimulationTooLarge(sizing.refusal);
      if (sizing.slowest_s > 60.0) {
        std::cerr << fmt::format("note: the simulations may take up to about {:.0f} minutes (simulate --dry-run sizes them)\n",
                                 sizing.slowest_s / 60.0);
      }
      // Every step already sized and checked above; a bar per SimGrid step on a terminal.
      SimulatedTimer simulated(scenario, engine, fidelity, terminal_progress("ops of a simulated step"));
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
