#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/json_output.hpp"
#include "app/format_option.hpp"
#include "app/output.hpp"
#include "app/progress.hpp"
#include "app/scenario_options.hpp"
#include "planner/sweep.hpp"
#include "sim/mpi_jobs.hpp"
#include "reports/html_report.hpp"
#include "reports/sweep_report.hpp"

namespace trainsim::app {

void add_sweep_command(CLI::App& cli, Action& run) {
  struct Options {
    std::string scenario;
    std::vector<std::string> vary;
    std::vector<std::string> sets;
    std::string engine = "simgrid";
    FormatChoice format;
    std::string output;
    std::string report;
    int jobs = 0;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = cli.add_subcommand("sweep", "One scenario at every combination of one or two fields' values: a row per case "
                                          "(step, MFU, memory, GPU-hours, days, dollars) and a chart");
  cmd->add_option("scenario", options->scenario, "Scenario JSON file")->required();
  cmd->add_option("--vary", options->vary,
                  "A field and its values, POINTER=v1,v2,... (once or twice; values are read as --set reads them)")
      ->required()
      ->take_all()
      ->allow_extra_args(false)
      ->check(syntax_check([](const std::string& text) { (void)parse_sweep_axis(text); }));
  add_set_option(cmd, options->sets);
  cmd->add_option("--engine", options->engine, "How each case's steps are timed")
      ->check(CLI::IsMember({"simgrid", "analytic", "closed-form"}));
  cmd->add_option("--jobs", options->jobs, "Cases at once, each in its own worker process (default: the machine's cores)")
      ->check(CLI::Range(1, 1024));
  add_format_option(cmd, options->format, {"text", "json", "md", "csv"});
  cmd->add_option("-o,--output", options->output, "Write the result to this file instead of stdout (the format follows its extension)");
  cmd->add_option("--report", options->report, "Also write an HTML page charting the cases (SVG)");
  cmd->callback([&run, options] {
    if (options->vary.size() > 2) throw CLI::ValidationError("--vary", "a sweep varies one or two fields");
    resolve_format(options->format, options->output);
    run = [options] {
      check_outputs({&options->output, &options->report});
      std::vector<SweepAxis> axes;
      for (const auto& text : options->vary) axes.push_back(parse_sweep_axis(text));
      SweepOptions sweep;
      sweep.engine = engine_choice(options->engine);
      sweep.jobs = jobs_or_cores(options->jobs);
      sweep.progress = terminal_progress("cases");
      const auto result = run_sweep(options->scenario, parse_overrides(options->sets), axes, sweep);
      if (mpi_world().rank != 0) return kExitOk;  // under mpirun, rank 0 writes every output
      std::string text;
      if (options->format.format == "json") {
        text = json_output(sweep_json(result));
      } else if (options->format.format == "csv") {
        text = sweep_csv(result);
      } else if (options->format.format == "md") {
        text = sweep_markdown(result);
      } else {
        text = sweep_text(result);
      }
      write_result(options->output, text, options->report, [&] { return sweep_html(result); });
      return kExitOk;
    };
  });
}

}  // namespace trainsim::app
