// Where results go: stdout, FIFOs and devices written straight through and never replaced,
// regular files replaced atomically, and every I/O failure its own exit code, found before the
// run starts.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "cli_runner.hpp"

namespace {

using namespace trainsim::testing;
namespace fs = std::filesystem;

constexpr int kExitIo = 7;
const std::string kScenario = "scenarios/deepseek-v3-h800.json";

fs::path scratch_dir(const std::string& name) {
  const auto dir = fs::temp_directory_path() / ("trainsim_output_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

int shell(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(Output, DashIsStandardOutput) {
  const auto r = run_trainsim("estimate " + kScenario + " -o -");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("trainsim: deepseek-v3-h800"), std::string::npos);
}

TEST(Output, AFifoIsWrittenThroughAndStaysAFifo) {
  const auto dir = scratch_dir("fifo");
  const auto fifo = dir / "results";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto received = dir / "received.txt";
  // A reader drains the FIFO while trainsim writes into it; the timeout ends the reader if
  // trainsim never opens the FIFO, so that a failure cannot hang the test.
  const int code = shell("timeout 60 cat " + fifo.string() + " > " + received.string() + " & " + TRAINSIM_EXECUTABLE + " estimate " +
                         kScenario + " -o " + fifo.string() + "; status=$?; wait; exit $status");
  EXPECT_EQ(code, 0);
  struct stat info {};
  ASSERT_EQ(::stat(fifo.c_str(), &info), 0);
  EXPECT_TRUE(S_ISFIFO(info.st_mode));
  EXPECT_NE(slurp(received).find("trainsim: deepseek-v3-h800"), std::string::npos);
}

TEST(Output, DevNullStaysADevice) {
  const auto r = run_trainsim("estimate " + kScenario + " -o /dev/null --report /dev/null");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  struct stat info {};
  ASSERT_EQ(::stat("/dev/null", &info), 0);
  EXPECT_TRUE(S_ISCHR(info.st_mode));  // run as root, the old writer replaced it with a file
}

TEST(Output, ARegularFileIsReplacedKeepingItsModeAndLeavingNoTemporary) {
  const auto dir = scratch_dir("regular");
  const auto target = dir / "result.txt";
  { std::ofstream(target) << "old"; }
  fs::permissions(target, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  const auto r = run_trainsim("estimate " + kScenario + " -o " + target.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(slurp(target).find("trainsim: deepseek-v3-h800"), std::string::npos);
  EXPECT_EQ(fs::status(target).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST(Output, ALinkKeepsPointingAtItsTarget) {
  const auto dir = scratch_dir("link");
  fs::create_symlink(dir / "real.txt", dir / "link.txt");
  const auto r = run_trainsim("estimate " + kScenario + " -o " + (dir / "link.txt").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::is_symlink(dir / "link.txt"));
  EXPECT_NE(slurp(dir / "real.txt").find("trainsim: deepseek-v3-h800"), std::string::npos);
}

TEST(Output, AMissingDirectoryFailsBeforeTheRun) {
  const auto r = run_trainsim("estimate " + kScenario + " -o /nonexistent/result.txt");
  EXPECT_EQ(r.exit_code, kExitIo);
  EXPECT_NE(r.err.find("/nonexistent/result.txt: its directory /nonexistent does not exist"), std::string::npos) << r.err;
  // Full detail on 2,048 GPUs would run for many minutes or be refused for its memory (exit 8):
  // exit 7 says that the trace path was checked before anything else.
  const auto trace = run_trainsim("simulate " + kScenario + " --fidelity full --trace /nonexistent/t.json");
  EXPECT_EQ(trace.exit_code, kExitIo) << trace.err;
  EXPECT_TRUE(trace.out.empty());
  const auto directory = run_trainsim("estimate " + kScenario + " --report /tmp");
  EXPECT_EQ(directory.exit_code, kExitIo);
  EXPECT_NE(directory.err.find("is a directory"), std::string::npos);
}

TEST(Output, AFullDiskIsAnIoError) {
  const auto device = run_trainsim("estimate " + kScenario + " -o /dev/full");
  EXPECT_EQ(device.exit_code, kExitIo);
  EXPECT_NE(device.err.find("No space left on device"), std::string::npos) << device.err;
  EXPECT_EQ(shell(std::string(TRAINSIM_EXECUTABLE) + " estimate " + kScenario + " > /dev/full 2> /dev/null"), kExitIo);
}

}  // namespace
