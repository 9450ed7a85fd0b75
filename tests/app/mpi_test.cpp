// `mpirun -n 2 trainsim sweep ...` on localhost: the cases spread over two ranks, gathered on
// rank 0, write the bytes one process writes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "cli_runner.hpp"

namespace {

using namespace trainsim::testing;

// Open MPI refuses to run as root (CI containers) without both variables; --oversubscribe lets
// two ranks share a machine with fewer free slots.
const std::string kMpirun = "env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun --oversubscribe -n 2 ";

TEST(Mpi, TwoRanksWriteTheBytesOfOne) {
  if (std::system("command -v mpirun > /dev/null 2>&1") != 0) GTEST_SKIP() << "mpirun is not installed (scripts/install-deps.sh installs Open MPI)";
  const std::string sweep =
      "sweep scenarios/llama-3.1-405b-h100.json --engine closed-form --set /parallel/data_parallel=auto "
      "--vary /cluster/gpu_count=8192,16384 --vary /parallel/tensor_parallel=4,8 --jobs 1";
  for (const char* format : {"csv", "json"}) {
    const auto local = run_trainsim(sweep + " --format " + format);
    ASSERT_EQ(local.exit_code, 0) << local.err;
    const auto out = std::filesystem::temp_directory_path() / ("trainsim_mpi_" + std::to_string(::getpid()) + "." + format);
    const auto err = std::filesystem::temp_directory_path() / ("trainsim_mpi_" + std::to_string(::getpid()) + ".err");
    const auto command = kMpirun + TRAINSIM_EXECUTABLE + " " + sweep + " --format " + format + " > " + out.string() + " 2> " + err.string();
    ASSERT_EQ(std::system(command.c_str()), 0) << slurp(err);
    EXPECT_EQ(slurp(out), local.out) << format;  // only rank 0 writes, and it writes every case
  }
}

}  // namespace
