#include "cli_runner.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace trainsim::testing {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Run run_trainsim(const std::string& args) { return run_trainsim_in(std::filesystem::current_path(), args); }

Run run_trainsim_in(const std::filesystem::path& cwd, const std::string& args) {
  const auto dir = std::filesystem::temp_directory_path() / ("trainsim_cli_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto out = dir / "out.txt";
  const auto err = dir / "err.txt";
  const std::string command = "cd '" + cwd.string() + "' && " + std::string(TRAINSIM_EXECUTABLE) + " " + args + " > " +
                              out.string() + " 2> " + err.string();
  const int status = std::system(command.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}

std::filesystem::path write_temp(const std::string& name, const std::string& content) {
  const auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path) << content;
  return path;
}

}  // namespace trainsim::testing
