#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/format_option.hpp"
#include "app/output.hpp"
#include "models/scenario_schema.hpp"
#include "reports/schema_report.hpp"

namespace trainsim::app {

void add_schema_command(CLI::App& cli, Action& run) {
  struct Options {
    FormatChoice format;
    std::string output;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = cli.add_subcommand("schema", "Print the JSON Schema of the scenario format (json), or README's reference of it (md)");
  add_format_option(cmd, options->format, {"json", "md"});
  cmd->add_option("-o,--output", options->output, "Write it to this file instead of stdout (the format follows its extension)");
  cmd->callback([&run, options] {
    resolve_format(options->format, options->output);
    run = [options] {
      check_outputs({&options->output});
      write_output(options->output, options->format.format == "md" ? schema_markdown(scenario_schema())
                                                                   : scenario_schema().dump(2) + "\n");
      return kExitOk;
    };
  });
}

}  // namespace trainsim::app
