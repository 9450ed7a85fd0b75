#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/json_output.hpp"
#include "app/format_option.hpp"
#include "app/output.hpp"
#include "app/progress.hpp"
#include "app/scenario_options.hpp"
#include "cost/simulated_timer.hpp"
#include "reports/compare_report.hpp"
#include "reports/html_report.hpp"
#include "sim/simulation_size.hpp"

namespace trainsim::app {

void add_compare_command(CLI::App& cli, Action& run) {
  struct Options {
    std::vector<std::string> scenarios;
    std::vector<std::string> sets;
    std::string engine = "simgrid";
    FormatChoice format;
    std::string output;
    std::string report;
    int jobs = 0;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = cli.add_subcommand("compare",
                                 "Scenarios side by side: step, days, GPU-hours, dollars, energy, export-control class and "
                                 "what limits each step");
  cmd->add_option("scenarios", options->scenarios, "Scenario JSON files")->required();
  add_set_option(cmd, options->sets);
  cmd->add_option("--engine", options->engine, "How steps are timed")->check(CLI::IsMember({"simgrid", "analytic", "closed-form"}));
  add_format_option(cmd, options->format, {"text", "json", "md", "csv"});
  cmd->add_option("-o,--output", options->output, "Write the result to this file instead of stdout (the format follows its extension)");
  cmd->add_option("--jobs", options->jobs,
                  "Scenarios whose bottleneck analysis (two plan-space searches) runs at once, each in a worker process "
                  "(default: the machine's cores)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--report", options->report, "Also write a self-contained HTML report (SVG charts) to this file");
  cmd->callback([&run, options] {
    resolve_format(options->format, options->output);
    run = [options] {
      check_outputs({&options->output, &options->report});
      const auto overrides = parse_overrides(options->sets);
      std::vector<ComparedScenario> rows;
      // Two parts per scenario: its run estimated here, then its bottleneck analysis in a worker.
      const auto progress = terminal_progress("runs and bottleneck analyses");
      const auto parts = static_cast<std::int64_t>(2 * options->scenarios.size());
      for (const auto& path : options->scenarios) {
        ComparedScenario row{load_scenario(path, overrides), {}, {}, {}};
        const auto& s = row.scenario;
        row.estimate = estimate_run_with(s, engine_choice(options->engine), available_memory());
        row.export_control = export_control_metrics(s.cluster.gpu);
        rows.push_back(std::move(row));
        if (progress) progress(static_cast<std::int64_t>(rows.size()), parts);
      }
      std::vector<const Scenario*> scenarios;
      for (const auto& row : rows) scenarios.push_back(&row.scenario);
      const auto offset = static_cast<std::int64_t>(rows.size());
      auto bottlenecks = analyze_bottlenecks(scenarios, jobs_or_cores(options->jobs), [&](std::int64_t done, std::int64_t) {
        if (progress) progress(offset + done, parts);
      });
      for (std::size_t i = 0; i < rows.size(); ++i) rows[i].bottleneck = std::move(bottlenecks[i]);
      std::string text;
      if (options->format.format == "json") {
        text = json_output(compare_json(rows), "scenarios");
      } else if (options->format.format == "md") {
        text = compare_markdown(rows);
      } else if (options->format.format == "csv") {
        text = compare_csv(rows);
      } else {
        text = compare_text(rows);
      }
      write_result(options->output, text, options->report, [&] { return compare_html(rows); });
      return kExitOk;
    };
  });
}

}  // namespace trainsim::app
