#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/json_output.hpp"
#include "app/output.hpp"
#include "hardware/gpu_catalog.hpp"
#include "models/model_catalog.hpp"
#include "models/parameter_count.hpp"
#include "reports/hardware_report.hpp"
#include "reports/number_format.hpp"

namespace trainsim::app {

void add_hardware_command(CLI::App& cli, Action& run) {
  auto format = std::make_shared<std::string>("text");
  auto* cmd = cli.add_subcommand("hardware", "The accelerator catalog with export-control metrics (TPP, density, rules)");
  cmd->add_option("--format", *format, "Output format")->check(CLI::IsMember({"text", "json"}));
  cmd->callback([&run, format] {
    run = [format] {
      write_output("", *format == "json" ? json_output(hardware_json(gpu_catalog()), "gpus") : hardware_text(gpu_catalog()));
      return kExitOk;
    };
  });
}

void add_models_command(CLI::App& cli, Action& run) {
  auto* cmd = cli.add_subcommand("models", "The model catalog with parameter counts");
  cmd->callback([&run] {
    run = [] {
      std::string out = fmt::format("{:<22} {:>10} {:>10} {:>10}  {}\n", "model", "total", "active", "published", "name");
      for (const auto& m : model_catalog()) {
        const auto p = count_parameters(m);
        out += fmt::format("{:<22} {:>10} {:>10} {:>10}  {}\n", m.id, short_count(double(p.total)),
                           short_count(double(p.active)),
                           m.published.total_params ? short_count(*m.published.total_params) : "-", m.name);
      }
      write_output("", out);
      return kExitOk;
    };
  });
}

}  // namespace trainsim::app
