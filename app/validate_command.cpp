#include <filesystem>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/json_output.hpp"
#include "app/format_option.hpp"
#include "app/output.hpp"
#include "app/progress.hpp"
#include "app/scenario_options.hpp"
#include "reports/table_format.hpp"
#include "reports/validation_report.hpp"

namespace trainsim::app {

void add_validate_command(CLI::App& cli, Action& run) {
  struct Options {
    std::vector<std::string> paths{"validation/runs"};
    std::vector<std::string> sets;
    std::string engine = "simgrid";
    FormatChoice format;
    std::string output;
    bool ci = false;
    bool check = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = cli.add_subcommand("validate", "trainsim against published measured training runs: predicted against "
                                             "measured per row, under each row's FLOP convention");
  cmd->add_option("paths", options->paths, "Validation scenarios or folders of them (default: validation/runs)");
  add_set_option(cmd, options->sets);
  cmd->add_option("--engine", options->engine, "simgrid (flow-level contention) or analytic (contention-free)")
      ->check(CLI::IsMember({"simgrid", "analytic"}));
  add_format_option(cmd, options->format, {"text", "json", "csv", "md"});
  cmd->add_option("-o,--output", options->output, "Write the result to this file instead of stdout (the format follows its extension)");
  cmd->add_flag("--ci", options->ci, "Only the rows marked \"ci\" (the test suite's subset)");
  cmd->add_flag("--check", options->check,
                fmt::format("Exit {} unless the mean error is under {:.0f}% and every row under {:.0f}%",
                            kExitOutOfTolerance, 100 * kMeanErrorBar, 100 * kRowErrorBar));
  cmd->callback([&run, options] {
    resolve_format(options->format, options->output);
    run = [options] {
      check_outputs({&options->output});
      std::vector<std::string> files;
      for (const auto& p : options->paths) {
        if (std::filesystem::is_directory(p)) {
          const auto in = validation_files(p, options->ci);
          files.insert(files.end(), in.begin(), in.end());
        } else {
          files.push_back(p);
        }
      }
      const auto summary = validate(files, options->engine == "analytic" ? EngineKind::analytic : EngineKind::simgrid,
                                    parse_overrides(options->sets), terminal_progress("scenarios"));
      const auto& format = options->format.format;
      write_output(options->output, format == "json"  ? json_output(validation_json(summary))
                                    : format == "csv" ? table_csv(validation_table(summary))
                                    : format == "md"  ? table_markdown(validation_table(summary))
                                                      : validation_text(summary));
      // Every row is reported first; a scenario that did not load still fails the command.
      if (summary.failed > 0) return kExitBadInput;
      if (!options->check) return kExitOk;
      return meets_bar(summary) ? kExitOk : kExitOutOfTolerance;
    };
  });
}

}  // namespace trainsim::app
