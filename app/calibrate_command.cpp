#include <filesystem>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/output.hpp"
#include "hardware/json_reader.hpp"
#include "hardware/probe_calibration.hpp"
#include "reports/calibration_report.hpp"

namespace trainsim::app {

void add_calibrate_command(CLI::App& cli, Action& run) {
  struct Options {
    std::string probe;
    std::string output;
    std::string name;
    std::string gpu;
    bool include_unfused_attention = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = cli.add_subcommand("calibrate", "Fit a calibration from a trainsim-probe run and print the fit error per kernel class");
  cmd->add_option("probe", options->probe, "JSON file written by trainsim-probe")->required();
  cmd->add_option("-o,--output", options->output, "Calibration file to write (e.g. hardware/calibration/h100-sxm-probe-2026-11-22.json)")
      ->required();
  cmd->add_option("--name", options->name, "Calibration name (default: the output file's stem)");
  cmd->add_option("--gpu", options->gpu, "Catalog GPU the probe ran on (default: inferred from its name and SM count)");
  cmd->add_flag("--include-unfused-attention", options->include_unfused_attention,
                "Fit the probe's unfused attention rows (left out by default: they are not FlashAttention-class kernels)");
  cmd->callback([&run, options] {
    run = [options] {
      Diagnostics diag(options->probe);
      const auto doc = read_json_file(options->probe, diag);
      diag.throw_if_any();
      ProbeCalibrationOptions o;
      o.name = options->name.empty() ? std::filesystem::path(options->output).stem().string() : options->name;
      o.gpu_id = options->gpu;
      o.include_unfused_attention = options->include_unfused_attention;
      const auto result = calibrate_probe(*doc, options->probe, o);
      write_output(options->output, result.document.dump(2) + "\n");
      write_output("", calibration_fit_text(result.calibration, result.notes));
      return kExitOk;
    };
  });
}

}  // namespace trainsim::app
