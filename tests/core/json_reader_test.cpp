#include "core/json_reader.hpp"

#include <gtest/gtest.h>

namespace trainsim {
namespace {

std::vector<ConfigIssue> issues_of(const Diagnostics& diag) {
  try {
    diag.throw_if_any();
  } catch (const ConfigError& e) {
    return e.issues();
  }
  return {};
}

TEST(JsonReader, ReportsEveryProblemWithItsPointer) {
  const auto doc = nlohmann::json::parse(R"({"a": "x", "b": -1, "c": "12", "nest": {"d": true}, "typo_key": 1})");
  Diagnostics diag("in.json");
  ObjectReader r(doc, "", diag);
  r.integer("a");                 // wrong type
  r.integer("b", 1);              // out of range
  r.bytes("c");                   // a number without a unit
  r.integer("missing");           // absent
  auto nest = r.object("nest");
  nest.integer("d");
  nest.finish();
  r.optional_integer("typo_kex");
  r.finish();                     // unknown key
  const auto issues = issues_of(diag);
  ASSERT_EQ(issues.size(), 6U);
  EXPECT_EQ(issues[0].pointer, "/a");
  EXPECT_EQ(issues[1].pointer, "/b");
  EXPECT_EQ(issues[2].pointer, "/c");
  EXPECT_NE(issues[2].message.find("no unit"), std::string::npos);
  EXPECT_EQ(issues[3].pointer, "/missing");
  EXPECT_NE(issues[3].message.find("missing required key"), std::string::npos);
  EXPECT_EQ(issues[4].pointer, "/nest/d");
  EXPECT_EQ(issues[5].pointer, "/typo_key");
  EXPECT_NE(issues[5].hint.find("typo_kex"), std::string::npos);  // the nearest known key
  for (const auto& issue : issues) EXPECT_EQ(issue.file, "in.json");
}

TEST(JsonReader, EscapesPointers) {
  EXPECT_EQ(child_pointer("/x", "a/b~c"), "/x/a~1b~0c");
  EXPECT_EQ(child_pointer("/x", 3U), "/x/3");
}

TEST(JsonReader, ChoicesListWhatIsAllowed) {
  const auto doc = nlohmann::json::parse(R"({"mode": "fast"})");
  Diagnostics diag("in.json");
  ObjectReader r(doc, "", diag);
  enum class Mode { a, b };
  r.choice<Mode>("mode", {{"slow", Mode::a}, {"careful", Mode::b}});
  const auto issues = issues_of(diag);
  ASSERT_EQ(issues.size(), 1U);
  EXPECT_NE(issues[0].message.find("\"slow\", \"careful\""), std::string::npos);
}

TEST(JsonReader, SyntaxErrorsGiveLineAndColumn) {
  Diagnostics diag("broken.json");
  EXPECT_FALSE(parse_json_text("{\n  \"a\": 1,\n  \"b\" 2\n}", diag));
  const auto issues = issues_of(diag);
  ASSERT_EQ(issues.size(), 1U);
  EXPECT_NE(issues[0].message.find("line 3"), std::string::npos) << issues[0].message;
}

TEST(JsonReader, MissingFileIsAnIssueNotACrash) {
  Diagnostics diag("/nonexistent/trainsim.json");
  EXPECT_FALSE(read_json_file("/nonexistent/trainsim.json", diag));
  EXPECT_TRUE(diag.has_errors());
}

TEST(JsonReader, NonObjectIsReportedOnce) {
  const auto doc = nlohmann::json::parse("[1, 2]");
  Diagnostics diag("in.json");
  ObjectReader r(doc, "/cluster", diag);
  r.integer("gpu_count");
  r.finish();
  EXPECT_EQ(issues_of(diag).size(), 1U);
}

}  // namespace
}  // namespace trainsim
