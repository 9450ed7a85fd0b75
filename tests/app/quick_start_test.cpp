// README's quick start, run as written: every `trainsim` line of its sh blocks, from a fresh
// directory that sees the repository's scenarios, answers its question.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "cli_runner.hpp"

namespace {

using namespace trainsim::testing;

// The command lines of README's "## Quick start" section, without the leading "trainsim ".
std::vector<std::string> quick_start_commands() {
  std::ifstream readme(std::filesystem::path(TRAINSIM_SOURCE_DIR) / "README.md");
  std::vector<std::string> commands;
  bool in_section = false;
  bool in_block = false;
  for (std::string line; std::getline(readme, line);) {
    if (line.starts_with("## ")) in_section = line == "## Quick start";
    if (!in_section) continue;
    if (line.starts_with("```")) {
      in_block = !in_block && line == "```sh";
      continue;
    }
    if (in_block && line.starts_with("trainsim ")) commands.push_back(line.substr(9));
  }
  return commands;
}

TEST(QuickStart, EachCommandAnswersItsQuestion) {
  const auto commands = quick_start_commands();
  ASSERT_EQ(commands.size(), 2U) << "README's quick start has two questions, one command each";
  const auto dir = std::filesystem::temp_directory_path() / ("trainsim_quick_start_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::filesystem::create_directory_symlink(std::filesystem::path(TRAINSIM_SOURCE_DIR) / "scenarios", dir / "scenarios");

  // "Llama 3.1 70B on 512 H100, 15T tokens: days, dollars, best plan".
  ASSERT_NE(commands[0].find("--model llama-3.1-70b --gpu h100-sxm --gpus 512 --tokens 15T"), std::string::npos) << commands[0];
  const auto init = run_trainsim_in(dir, commands[0]);
  ASSERT_EQ(init.exit_code, 0) << init.err;
  for (const char* answer : {"best plan: TP", " days, ", " GPU-hours, $", "15.00T tokens"}) {
    EXPECT_NE(init.err.find(answer), std::string::npos) << answer << " in\n" << init.err;
  }
  // "DeepSeek-V3 on 2,048 H20 vs H800".
  const auto compare = run_trainsim_in(dir, commands[1]);
  ASSERT_EQ(compare.exit_code, 0) << compare.err;
  for (const char* answer : {"deepseek-v3-h20 ", "deepseek-v3-h800-sxm ", "2048", "days", "what limits the step"}) {
    EXPECT_NE(compare.out.find(answer), std::string::npos) << answer << " in\n" << compare.out;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
