// The folders' layering (../shared/design/ARCHITECTURE.md): core, hardware, models, sim, cost,
// planner and validation, reports, app. A folder includes only folders below it (planner and
// validation sit side by side and include neither each other), and only the SimGrid backend
// includes SimGrid.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>

namespace {

const std::map<std::string, int> kLayer{{"core", 0},    {"hardware", 1},   {"models", 2},  {"sim", 3},
                                        {"cost", 4},    {"planner", 5},    {"validation", 5},
                                        {"reports", 6}, {"app", 7}};

TEST(Layering, NoFolderIncludesOneAboveIt) {
  const std::filesystem::path root(TRAINSIM_SOURCE_DIR);
  const std::regex include(R"re(^\s*#\s*include\s+"([a-z_]+)/)re");
  const std::regex simgrid(R"re(^\s*#\s*include\s+<(simgrid|xbt)/)re");
  int files = 0;
  for (const auto& [folder, layer] : kLayer) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root / folder)) {
      const auto ext = entry.path().extension().string();
      if (ext != ".cpp" && ext != ".hpp" && ext != ".cu" && ext != ".cuh") continue;
      ++files;
      std::ifstream in(entry.path());
      std::string line;
      const auto file = std::filesystem::relative(entry.path(), root).string();
      while (std::getline(in, line)) {
        std::smatch m;
        if (std::regex_search(line, m, include) && kLayer.contains(m[1].str())) {
          const auto& target = m[1].str();
          const bool below = kLayer.at(target) < layer || target == folder;
          EXPECT_TRUE(below) << file << " includes " << target << "/";
        }
        if (std::regex_search(line, m, simgrid)) {
          EXPECT_EQ(file, "sim/simgrid_backend.cpp") << "SimGrid included by " << file;
        }
      }
    }
  }
  EXPECT_GT(files, 100);
}

}  // namespace
