#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/json_output.hpp"
#include "app/format_option.hpp"
#include "app/output.hpp"
#include "app/progress.hpp"
#include "app/scenario_options.hpp"
#include "planner/plan_search.hpp"
#include "planner/plan_writer.hpp"
#include "reports/plan_report.hpp"

namespace trainsim::app {

void add_plan_command(CLI::App& cli, Action& run) {
  struct Options {
    std::string scenario;
    std::vector<std::string> sets;
    FormatChoice format;
    std::string output;
    std::string engine = "simgrid";
    std::string write_scenario;
    int top_k = -1;
    int jobs = 0;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = cli.add_subcommand("plan", "Search the parallel-plan space of a scenario for the fastest and cheapest plans that fit");
  cmd->add_option("scenario", options->scenario, "Scenario JSON file (its optional \"planner\" object narrows the search)")->required();
  add_set_option(cmd, options->sets);
  add_format_option(cmd, options->format, {"text", "json", "csv"});
  cmd->add_option("-o,--output", options->output, "Write the result to this file instead of stdout (the format follows its extension)");
  cmd->add_option("--engine", options->engine, "Engine that simulates the shortlist")->check(CLI::IsMember({"simgrid", "analytic"}));
  cmd->add_option("--top-k", options->top_k, "Plans to simulate after the closed-form ranking (default: the scenario's, else 8)")
      ->check(CLI::Range(0, 1000));
  cmd->add_option("--write-scenario", options->write_scenario,
                  "Also write the scenario with the best simulated plan in it (the planned phase's parallel object)");
  cmd->add_option("--jobs", options->jobs, "Simulations at once (default: the machine's cores)")->check(CLI::Range(1, 1024));
  cmd->callback([&run, options] {
    resolve_format(options->format, options->output);
    run = [options] {
      check_outputs({&options->output, &options->write_scenario});
      const auto overrides = parse_overrides(options->sets);
      const auto scenario = load_scenario(options->scenario, overrides);
      auto space = plan_space(scenario);
      if (options->top_k >= 0) space.top_k = options->top_k;
      PlanSearchOptions search;
      search.jobs = jobs_or_cores(options->jobs);
      search.engine = options->engine == "analytic" ? EngineKind::analytic : EngineKind::simgrid;
      search.progress = terminal_progress("plans");
      const auto result = search_plans(scenario, space, search);
      std::string text;
      if (options->format.format == "json") {
        text = json_output(plan_search_json(scenario, result));
      } else if (options->format.format == "csv") {
        text = plan_search_csv(result);
      } else {
        text = plan_search_text(scenario, result);
      }
      write_output(options->output, text);
      if (!options->write_scenario.empty()) {
        const auto best = std::find_if(result.shortlist.begin(), result.shortlist.end(), [](const RankedPlan& p) { return p.simulated; });
        if (best == result.shortlist.end()) {
          std::cerr << "note: no plan was simulated, so no scenario was written to " << options->write_scenario << "\n";
        } else {
          const auto doc = scenario_document(options->scenario, overrides);
          write_output(options->write_scenario, scenario_with_plan(doc, scenario, best->plan, best->gpu_count).dump(2) + "\n");
        }
      }
      return result.feasible > 0 ? kExitOk : kExitInfeasible;
    };
  });
}

}  // namespace trainsim::app
