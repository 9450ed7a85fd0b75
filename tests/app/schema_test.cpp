// trainsim schema: the JSON Schema editors validate scenarios with, and README's reference of
// the format generated from it (so README cannot drift from the schema).
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

namespace {

using namespace trainsim::testing;

constexpr const char* kBegin = "<!-- BEGIN trainsim schema --format md -->\n";
constexpr const char* kEnd = "<!-- END trainsim schema --format md -->\n";

TEST(Schema, PrintsTheJsonSchemaOfTheScenarioFormat) {
  const auto r = run_trainsim("schema");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto schema = nlohmann::json::parse(r.out);
  EXPECT_EQ(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
  for (const char* part : {"model", "cluster", "parallel", "training", "prices"}) {
    EXPECT_TRUE(schema["properties"].contains(part)) << part;
  }
  // The installed copy is the same file.
  EXPECT_EQ(nlohmann::json::parse(slurp(std::filesystem::path(TRAINSIM_SOURCE_DIR) / "models/schema/scenario.schema.json")), schema);
}

TEST(Schema, ReadmesFormatSectionIsGeneratedFromIt) {
  const auto r = run_trainsim("schema --format md");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto readme = slurp(std::filesystem::path(TRAINSIM_SOURCE_DIR) / "README.md");
  const auto begin = readme.find(kBegin);
  const auto end = readme.find(kEnd);
  ASSERT_NE(begin, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  const auto section = readme.substr(begin + std::string(kBegin).size(), end - begin - std::string(kBegin).size());
  EXPECT_EQ(section, r.out) << "README's format section is stale: regenerate it with "
                               "scripts/update-readme-schema.sh";
  // Every top-level part has its table, and required keys say so.
  for (const char* part : {"### `model`", "### `cluster`", "### `parallel`", "### `training`", "### `prices`"}) {
    EXPECT_NE(r.out.find(part), std::string::npos) << part;
  }
  EXPECT_NE(r.out.find("| `cluster.gpu_count` | integer | yes |"), std::string::npos);
}

}  // namespace
