#include <functional>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/format_option.hpp"
#include "app/json_output.hpp"
#include "app/output.hpp"
#include "hardware/gpu_catalog.hpp"
#include "models/model_catalog.hpp"
#include "reports/hardware_report.hpp"
#include "reports/model_catalog_report.hpp"

namespace trainsim::app {

namespace {

// Writes one of a catalog's four renderings.
void write_catalog(const FormatChoice& format, const std::string& output, const std::function<std::string()>& text,
                   const std::function<std::string()>& json, const std::function<Table()>& table) {
  const auto& f = format.format;
  write_output(output, f == "json" ? json() : f == "csv" ? table_csv(table()) : f == "md" ? table_markdown(table()) : text());
}

}  // namespace

void add_hardware_command(CLI::App& cli, Action& run) {
  struct Options {
    FormatChoice format;
    std::string output;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = cli.add_subcommand("hardware", "The accelerator catalog with export-control metrics (TPP, density, rules)");
  add_format_option(cmd, options->format, {"text", "json", "csv", "md"});
  cmd->add_option("-o,--output", options->output, "Write it to this file instead of stdout (the format follows its extension)");
  cmd->callback([&run, options] {
    resolve_format(options->format, options->output);
    run = [options] {
      check_outputs({&options->output});
      write_catalog(
          options->format, options->output, [] { return hardware_text(gpu_catalog()); },
          [] { return json_output(hardware_json(gpu_catalog()), "gpus"); }, [] { return hardware_table(gpu_catalog()); });
      return kExitOk;
    };
  });
}

void add_models_command(CLI::App& cli, Action& run) {
  struct Options {
    FormatChoice format;
    std::string output;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = cli.add_subcommand("models", "The model catalog with parameter counts");
  add_format_option(cmd, options->format, {"text", "json", "csv", "md"});
  cmd->add_option("-o,--output", options->output, "Write it to this file instead of stdout (the format follows its extension)");
  cmd->callback([&run, options] {
    resolve_format(options->format, options->output);
    run = [options] {
      check_outputs({&options->output});
      write_catalog(
          options->format, options->output, [] { return model_catalog_text(model_catalog()); },
          [] { return json_output(model_catalog_json(model_catalog()), "models"); },
          [] { return model_catalog_table(model_catalog()); });
      return kExitOk;
    };
  });
}

}  // namespace trainsim::app
