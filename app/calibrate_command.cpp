#include <filesystem>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/output.hpp"
#include "core/json_reader.hpp"
#include "hardware/calibration.hpp"
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
    std::string fp8_scaling;
    std::vector<std::string> fill_from;
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
  cmd->add_option("--fp8-scaling", options->fp8_scaling,
                  "FP8 GEMM rows to fit: tensor (per-tensor scales) or blockwise (1x128 activation, 128x128 weight "
                  "scales, as DeepSeek-V3 trains); default: blockwise where the probe measured it")
      ->check(CLI::IsMember({"tensor", "blockwise"}));
  cmd->add_option("--fill-from", options->fill_from,
                  "Built-in calibration whose own rows supply the classes the probe did not fit (repeatable; the first "
                  "that has a class wins), e.g. h100-published for fused attention")
      ->check(CLI::IsMember(builtin_calibration_names()));
  cmd->callback([&run, options] {
    run = [options] {
      check_outputs({&options->output});
      Diagnostics diag(options->probe);
      const auto doc = read_json_file(options->probe, diag);
      diag.throw_if_any();
      ProbeCalibrationOptions o;
      o.name = options->name.empty() ? std::filesystem::path(options->output).stem().string() : options->name;
      o.gpu_id = options->gpu;
      o.include_unfused_attention = options->include_unfused_attention;
      o.fp8_scaling = options->fp8_scaling;
      o.fill_from = options->fill_from;
      const auto result = calibrate_probe(*doc, options->probe, o);
      write_output(options->output, result.document.dump(2) + "\n");
      write_output("", calibration_fit_text(result.calibration, result.notes));
      return kExitOk;
    };
  });
}

}  // namespace trainsim::app
