// The published JSON Schema (`trainsim schema`) holds to the reader: every shipped scenario and
// validation run conforms to it, every catalog model to its model object, and every key the
// reader asks for while reading them is a property where the schema describes that object.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/json_reader.hpp"
#include "core/version.hpp"
#include "models/scenario.hpp"
#include "models/scenario_schema.hpp"
#include "scenario_fixture.hpp"
#include "schema_check.hpp"

namespace trainsim {
namespace {

namespace fs = std::filesystem;

const nlohmann::json& schema() {
  static const nlohmann::json plain = nlohmann::json::parse(scenario_schema().dump());
  return plain;
}

std::vector<std::string> shipped_scenarios() {
  std::vector<std::string> out;
  for (const char* dir : {"scenarios", "validation/runs"}) {
    for (const auto& e : fs::recursive_directory_iterator(fs::path(TRAINSIM_SOURCE_DIR) / dir)) {
      if (e.path().extension() == ".json") out.push_back(fs::relative(e.path(), TRAINSIM_SOURCE_DIR).string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(ScenarioSchema, IsTheVersionTheReaderReads) {
  EXPECT_EQ(schema()["$schema"], "https://json-schema.org/draft/2020-12/schema");
  EXPECT_EQ(schema()["additionalProperties"], false);
  const auto& version = schema()["properties"]["schema_version"];
  EXPECT_TRUE(version.contains("const") || version.contains("enum")) << version;
  EXPECT_EQ(version.value("const", nlohmann::json(kScenarioSchemaVersion)), kScenarioSchemaVersion);
}

TEST(ScenarioSchema, EveryShippedScenarioConforms) {
  const auto files = shipped_scenarios();
  ASSERT_GE(files.size(), 50U);
  for (const auto& file : files) {
    for (const auto& v : testing::schema_violations(schema(), testing::scenario_json(file))) ADD_FAILURE() << file << v;
  }
}

TEST(ScenarioSchema, EveryKeyTheReaderAsksForIsAProperty) {
  std::size_t objects = 0;
  for (const auto& file : shipped_scenarios()) {
    const auto doc = testing::scenario_json(file);
    const auto path = (fs::path(TRAINSIM_SOURCE_DIR) / file).string();
    KeyRecorder recorder;
    (void)load_scenario(path);
    for (const auto& [object, keys] : recorder.asked()) {
      // Other files the reader meets (catalogs, calibrations) are not scenarios.
      const auto& [read_from, pointer] = object;
      if (read_from != path) continue;
      // A model that extends a catalog entry is read merged: objects only the parent has are
      // the catalog's (the catalog test below holds them to the schema).
      if (!doc.contains(nlohmann::json::json_pointer(pointer))) continue;
      const auto* node = testing::schema_at(schema(), doc, pointer);
      ASSERT_NE(node, nullptr) << file << ": no schema describes " << pointer;
      ++objects;
      for (const auto& key : keys) {
        EXPECT_TRUE(node->contains("properties") && (*node)["properties"].contains(key))
            << file << ": the reader asks for \"" << key << "\" at " << pointer << ", which the schema does not list";
      }
    }
  }
  EXPECT_GE(objects, 500U);  // about ten objects per file
}

TEST(ScenarioSchema, EveryCatalogModelIsAModelObjectOrAPatch) {
  const auto catalog = nlohmann::json::parse(
      testing::scenario_json("models/catalog/models.json").dump());  // the embedded catalog's source file
  ASSERT_GE(catalog["models"].size(), 30U);
  for (const auto& model : catalog["models"]) {
    auto doc = testing::scenario_json("scenarios/deepseek-v3-h800.json");
    doc["model"] = model;
    for (const auto& v : testing::schema_violations(schema(), doc)) ADD_FAILURE() << model.value("id", "?") << v;
  }
}

TEST(ScenarioSchema, TheReaderRefusesWhatTheSchemaRefuses) {
  // An unknown key, a bare number for a quantity, a value outside an enumeration.
  auto doc = testing::scenario_json("scenarios/deepseek-v3-h800.json");
  for (const auto& [pointer, value] : std::vector<std::pair<std::string, nlohmann::json>>{
           {"/cluster/network/nic_bandwidthh", "400Gbps"}, {"/cluster/network/nic_bandwidth", 400}, {"/parallel/schedule", "2f2b"}}) {
    auto changed = doc;
    changed[nlohmann::json::json_pointer(pointer)] = value;
    EXPECT_FALSE(testing::schema_violations(schema(), changed).empty()) << pointer;
    EXPECT_FALSE(testing::issues(changed).empty()) << pointer;
  }
}

}  // namespace
}  // namespace trainsim
