#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/output.hpp"
#include "models/run_estimate.hpp"
#include "reports/estimate_report.hpp"

namespace trainsim::app {

void add_estimate_command(CLI::App& cli, Action& run) {
  struct Options {
    std::string scenario;
    std::string format = "text";
    std::string output;
    bool given = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = cli.add_subcommand("estimate", "Closed-form estimate of a scenario: step time, MFU, memory, GPU-hours and cost");
  cmd->add_option("scenario", options->scenario, "Scenario JSON file")->required();
  cmd->add_option("--format", options->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("-o,--output", options->output, "Write the result to this file instead of stdout");
  cmd->add_flag("--given", options->given,
                "Use the figures phases give (published throughput or GPU-hours) instead of estimating them");
  cmd->callback([&run, options] {
    run = [options] {
      const auto scenario = load_scenario(options->scenario);
      const auto estimate = estimate_run(scenario, closed_form_timer(scenario), options->given, "closed-form");
      const auto text = options->format == "json" ? estimate_json(scenario, estimate).dump(2) + "\n"
                                                  : estimate_text(scenario, estimate);
      write_output(options->output, text);
      return estimate.headline && !estimate.headline->feasible ? kExitInfeasible : kExitOk;
    };
  });
}

}  // namespace trainsim::app
