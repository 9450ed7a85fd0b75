#pragma once
// Running the trainsim executable as a user would, for the CLI tests.
#include <filesystem>
#include <string>

namespace trainsim::testing {

struct Run {
  int exit_code;
  std::string out;
  std::string err;
};

std::string slurp(const std::filesystem::path& p);
// Runs `trainsim ARGS` through the shell from the repository root, capturing both streams.
Run run_trainsim(const std::string& args);
// Same, from `dir` (relative paths in ARGS resolve there).
Run run_trainsim_in(const std::filesystem::path& dir, const std::string& args);
// A file in the temporary directory holding `content`.
std::filesystem::path write_temp(const std::string& name, const std::string& content);

}  // namespace trainsim::testing
