#pragma once
// What this build is and which scenario format it reads, for `--version` and every JSON output.
#include <string_view>

namespace trainsim {

// The project's version (CMakeLists.txt `project(... VERSION ...)`).
std::string_view trainsim_version();
// The `schema_version` of the scenario format this build reads.
inline constexpr int kScenarioSchemaVersion = 1;

}  // namespace trainsim
