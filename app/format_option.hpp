#pragma once
// `--format`, and the format an output file's extension implies when --format is not given:
// `-o plan.csv` writes CSV, `-o result.json` JSON.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace trainsim::app {

struct FormatChoice {
  std::string format = "text";
  std::vector<std::string> allowed;
  CLI::Option* option = nullptr;
};

// Registers --format over `allowed` (the first is the default).
void add_format_option(CLI::App* command, FormatChoice& choice, std::vector<std::string> allowed);

// The format to write `output` in: --format when given; else the one its extension names
// (.txt text, .json, .csv, .md), which must be one of the allowed; else the default. Throws
// CLI::ValidationError (a usage error: call it from the command's parse callback) for an
// extension the command does not write, and for .html (pages are written with --report).
std::string output_format(const FormatChoice& choice, const std::string& output);
// Sets choice.format to output_format(choice, output).
void resolve_format(FormatChoice& choice, const std::string& output);

}  // namespace trainsim::app
