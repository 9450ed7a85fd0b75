// `cmake --install` puts the executable, its scenarios and schema, trainsim(1) and the bash
// completion in place, and the installed executable runs from anywhere.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "cli_runner.hpp"

namespace {

namespace fs = std::filesystem;
using namespace trainsim::testing;

// The subcommands `trainsim --help` lists.
std::vector<std::string> subcommands() {
  const auto help = run_trainsim("--help").out;
  std::vector<std::string> out;
  const auto start = help.find("Subcommands:\n");
  std::istringstream lines(help.substr(start + 13));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string word;
    if (words >> word) out.push_back(word);
  }
  return out;
}

// Runs a shell command, returning its stdout.
std::string shell(const std::string& command) {
  const auto out = fs::temp_directory_path() / ("trainsim_shell_" + std::to_string(::getpid()) + ".txt");
  (void)std::system((command + " > " + out.string() + " 2>&1").c_str());
  return slurp(out);
}

TEST(Install, PutsEverythingInPlace) {
  const auto prefix = fs::temp_directory_path() / ("trainsim_install_" + std::to_string(::getpid()));
  fs::remove_all(prefix);
  const auto log = shell("cmake --install '" + std::string(TRAINSIM_BUILD_DIR) + "' --prefix '" + prefix.string() + "'");
  ASSERT_TRUE(fs::exists(prefix / "bin/trainsim")) << log;
  EXPECT_NE(shell("cd / && '" + (prefix / "bin/trainsim").string() + "' --version").find("trainsim "), std::string::npos);
  EXPECT_TRUE(fs::exists(prefix / "share/trainsim/scenarios/deepseek-v3-h800.json"));
  EXPECT_TRUE(fs::exists(prefix / "share/trainsim/scenarios/export-controls/deepseek-v3-h20.json"));
  EXPECT_TRUE(fs::exists(prefix / "share/trainsim/scenario.schema.json"));
  EXPECT_TRUE(fs::exists(prefix / "share/bash-completion/completions/trainsim"));
  // The man page documents every command with its own --help.
  const auto man = slurp(prefix / "share/man/man1/trainsim.1");
  ASSERT_FALSE(man.empty());
  const auto commands = subcommands();
  ASSERT_GE(commands.size(), 12U);
  for (const auto& command : commands) {
    EXPECT_NE(man.find(".SS " + command + "\n"), std::string::npos) << command;
    EXPECT_NE(man.find("Usage: trainsim " + command), std::string::npos) << command;
  }
  fs::remove_all(prefix);
}

TEST(Install, BashCompletionFollowsTheExecutable) {
  const std::string script = std::string(TRAINSIM_SOURCE_DIR) + "/share/bash-completion/trainsim";
  const auto complete = [&](const std::string& words, int index) {
    return shell("bash -c 'source " + script + "; COMP_WORDS=(" + std::string(TRAINSIM_EXECUTABLE) + " " + words +
                 "); COMP_CWORD=" + std::to_string(index) + "; _trainsim; echo \"${COMPREPLY[@]}\"'");
  };
  EXPECT_EQ(complete("sw", 1), "sweep\n");
  EXPECT_EQ(complete("in", 1), "init\n");  // not import-hf: "in" is not its prefix
  EXPECT_NE(complete("plan --write", 2).find("--write-scenario"), std::string::npos);
  EXPECT_EQ(complete("compare --engine \"\"", 3), "simgrid analytic closed-form\n");
}

}  // namespace
