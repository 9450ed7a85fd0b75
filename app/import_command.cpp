#include <filesystem>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/output.hpp"
#include "core/json_parse.hpp"
#include "models/hf_import.hpp"

namespace trainsim::app {

void add_import_hf_command(CLI::App& cli, Action& run) {
  struct Options {
    std::string config;
    std::string id;
    std::string output;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = cli.add_subcommand("import-hf", "A scenario's \"model\" object from a Hugging Face config.json (" +
                                                   hf_model_types() + ")");
  cmd->add_option("config", options->config, "The model's config.json")->required();
  cmd->add_option("--id", options->id, "The model's id (default: the config's folder, or its file name)");
  cmd->add_option("-o,--output", options->output, "Write the model object to this file instead of stdout");
  cmd->callback([&run, options] {
    run = [options] {
      check_outputs({&options->output});
      Diagnostics diag(options->config);
      const auto doc = read_json_file(options->config, diag);
      diag.throw_if_any();
      const auto path = std::filesystem::absolute(options->config).lexically_normal();
      std::string id = options->id;
      if (id.empty()) id = path.filename() == "config.json" && path.has_parent_path() ? path.parent_path().filename().string() : path.stem().string();
      const auto model = import_hf_config(*doc, id, std::filesystem::path(options->config).filename().string(), diag);
      diag.throw_if_any();
      write_output(options->output, model.dump(2) + "\n");
      return kExitOk;
    };
  });
}

}  // namespace trainsim::app
