#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/estimate_output.hpp"
#include "app/output.hpp"
#include "app/scenario_options.hpp"

namespace trainsim::app {

void add_estimate_command(CLI::App& cli, Action& run) {
  struct Options {
    std::string scenario;
    std::vector<std::string> sets;
    EstimateOutput out;
    bool given = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = cli.add_subcommand("estimate", "Closed-form estimate of a scenario: step time, MFU, memory, GPU-hours and cost");
  cmd->add_option("scenario", options->scenario, "Scenario JSON file")->required();
  add_set_option(cmd, options->sets);
  add_estimate_output_options(cmd, options->out);
  cmd->add_flag("--given", options->given,
                "Use the figures phases give (published throughput or GPU-hours) instead of estimating them");
  cmd->callback([&run, options] {
    resolve_estimate_format(options->out);
    run = [options] {
      check_outputs({&options->out.output, &options->out.report});
      const auto scenario = load_scenario(options->scenario, parse_overrides(options->sets));
      const auto estimate = estimate_run(scenario, closed_form_timer(scenario), options->given, "closed-form");
      return write_estimate(options->out, scenario, estimate, nullptr);
    };
  });
}

}  // namespace trainsim::app
