#include <iostream>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/output.hpp"
#include "app/progress.hpp"
#include "app/scenario_options.hpp"
#include "core/unit_parser.hpp"
#include "hardware/gpu_catalog.hpp"
#include "models/model_catalog.hpp"
#include "planner/scenario_init.hpp"
#include "reports/plan_report.hpp"

namespace trainsim::app {
namespace {

// A CLI11 check that the value is one of a catalog's ids, listing them otherwise.
CLI::Validator catalog_id(std::string what, std::function<bool(const std::string&)> known, std::function<std::string()> ids) {
  return CLI::Validator(
      [what, known, ids](const std::string& value) {
        return known(value) ? std::string() : "unknown " + what + " \"" + value + "\"; catalog " + what + "s: " + ids();
      },
      "ID");
}

// The scenario with its parts in the order README's format section gives them (a person reads
// it top down), each part's own keys sorted as every JSON output sorts them.
std::string scenario_text(const nlohmann::json& scenario) {
  nlohmann::ordered_json ordered;
  for (const char* key : {"schema_version", "name", "description", "model", "cluster", "parallel", "training", "prices"}) {
    if (scenario.contains(key)) ordered[key] = nlohmann::ordered_json::parse(scenario[key].dump());
  }
  for (const auto& [key, value] : scenario.items()) {
    if (!ordered.contains(key)) ordered[key] = nlohmann::ordered_json::parse(value.dump());
  }
  return ordered.dump(2) + "\n";
}

}  // namespace

void add_init_command(CLI::App& cli, Action& run) {
  struct Options {
    InitRequest request;
    std::string tokens;
    std::string output;
    int jobs = 0;
    bool no_search = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = cli.add_subcommand("init", "Write a minimal scenario for a catalog model on a cluster of catalog GPUs, with the planner's best plan");
  auto& r = options->request;
  cmd->add_option("--model", r.model, "Catalog model (trainsim models)")
      ->capture_default_str()
      ->check(catalog_id("model", [](const std::string& id) { return find_model(id) != nullptr; }, model_catalog_ids));
  cmd->add_option("--gpu", r.gpu, "Catalog GPU (trainsim hardware)")
      ->capture_default_str()
      ->check(catalog_id("GPU", [](const std::string& id) { return find_gpu(id) != nullptr; }, gpu_catalog_ids));
  cmd->add_option("--gpus", r.gpu_count, "GPUs in the cluster")->capture_default_str()->check(CLI::Range(1, 1 << 24));
  cmd->add_option("--tokens", options->tokens, "Training tokens: 15T, 500B, 1.5e13 (default: 20 per parameter, Chinchilla)")
      ->check([](const std::string& text) -> std::string {
        try {
          (void)parse_count(text);
          return "";
        } catch (const UnitParseError& e) {
          return std::string(e.what()) + " (" + e.hint() + ")";
        }
      });
  cmd->add_option("--sequence-length", r.sequence_length, "Tokens per sequence (default: 8192, or the model's maximum)")
      ->check(CLI::Range(1, 1 << 24));
  cmd->add_option("--global-batch", r.global_batch_size, "Sequences per global batch (default: about 4M tokens)")
      ->check(CLI::Range(1, 1 << 28));
  cmd->add_option("--gpus-per-node", r.gpus_per_node, "GPUs per server (default: 8, or the GPU's NVLink domain if smaller)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--precision", r.precision, "GEMM precision")->capture_default_str()->check(CLI::IsMember({"bf16", "fp8"}));
  cmd->add_flag("--no-search", options->no_search, "Keep the first plan that follows the rules instead of searching (instant; it may not fit)");
  cmd->add_option("--jobs", options->jobs, "Worker processes of the plan search (default: the machine's cores)")->check(CLI::Range(1, 1024));
  cmd->add_option("-o,--output", options->output, "Write the scenario to this file instead of stdout");
  cmd->callback([&run, options] {
    run = [options] {
      check_outputs({&options->output});
      auto request = options->request;
      if (!options->tokens.empty()) request.tokens = parse_count(options->tokens);
      request.search = !options->no_search;
      request.jobs = jobs_or_cores(options->jobs);
      request.progress = terminal_progress("plans");
      const auto result = initial_scenario(request);
      write_output(options->output, scenario_text(result.scenario));
      std::cerr << init_summary_text(result);
      return kExitOk;
    };
  });
}

}  // namespace trainsim::app
