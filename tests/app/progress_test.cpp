// Signs of life: long commands draw a progress bar on a terminal and never into a pipe. The
// terminal is script(1)'s pseudo-terminal (util-linux, in Debian's essential bsdutils).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "cli_runner.hpp"

namespace {

using namespace trainsim::testing;

// `trainsim ARGS` with stdout and stderr on a pseudo-terminal; everything it wrote, together.
std::string on_a_terminal(const std::string& args) {
  const std::string command = "script -qec \"" + std::string(TRAINSIM_EXECUTABLE) + " " + args + "\" /dev/null";
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  ::pclose(pipe);
  return out;
}

const std::string kSweep =
    "sweep scenarios/llama-3.1-405b-h100.json --engine closed-form --set /parallel/data_parallel=auto "
    "--vary /cluster/gpu_count=8192,16384";

TEST(Progress, SweepCountsItsCasesOnATerminalOnly) {
  EXPECT_NE(on_a_terminal(kSweep).find("100% 2/2 cases"), std::string::npos);
  const auto piped = run_trainsim(kSweep);
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.err.find('\r'), std::string::npos) << piped.err;
}

TEST(Progress, ValidateCountsItsScenarios) {
  const std::string args = "validate validation/runs/l3-2.json --engine analytic";
  EXPECT_NE(on_a_terminal(args).find("100% 1/1 scenarios"), std::string::npos);
  EXPECT_EQ(run_trainsim(args).err.find('\r'), std::string::npos);
}

TEST(Progress, SimulateCountsTheOpsOfEachSimGridStep) {
  // Llama 3.1 8B on one server: a SimGrid step of seconds.
  const auto scenario = std::filesystem::temp_directory_path() / "trainsim_progress_8b.json";
  ASSERT_EQ(run_trainsim("init --no-search -o " + scenario.string()).exit_code, 0);
  const std::string args = "simulate " + scenario.string() + " -o /dev/null";
  const auto shown = on_a_terminal(args);
  EXPECT_NE(shown.find("100% "), std::string::npos) << shown.substr(0, 500);
  EXPECT_NE(shown.find(" ops of a simulated step"), std::string::npos);
  EXPECT_EQ(run_trainsim(args).err.find('\r'), std::string::npos);
}

}  // namespace
