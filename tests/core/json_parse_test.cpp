// Documents a hostile or unlucky user might give: each is an issue with its pointer, never a
// crash, an endless read or a silently kept value.
#include "core/json_parse.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace trainsim {
namespace {

std::vector<ConfigIssue> parse_issues(const std::string& text) {
  Diagnostics diag("in.json");
  EXPECT_FALSE(parse_json_text(text, diag)) << text.substr(0, 80);
  return diag.issues();
}

TEST(JsonParse, NestingBeyondTheLimitIsAnIssueAtItsPointer) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const auto issues = parse_issues(deep);
  ASSERT_EQ(issues.size(), 1U);
  EXPECT_NE(issues[0].message.find("nested deeper than 64"), std::string::npos);
  EXPECT_EQ(issues[0].pointer.size(), 2U * kMaxJsonDepth);  // "/0" into each of the 64 open arrays

  const std::string in_field = R"({"model": {"a": )" + std::string(1000, '[') + std::string(1000, ']') + "}}";
  const auto field_issues = parse_issues(in_field);
  ASSERT_EQ(field_issues.size(), 1U);
  EXPECT_EQ(field_issues[0].pointer.rfind("/model/a/0/0", 0), 0U) << field_issues[0].pointer;
}

TEST(JsonParse, NestingAtTheLimitIsRead) {
  const std::string at_limit = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  Diagnostics diag("in.json");
  EXPECT_TRUE(parse_json_text(at_limit, diag));
  EXPECT_FALSE(diag.has_errors());
}

TEST(JsonParse, RepeatedKeysAreEachReported) {
  const auto issues = parse_issues(R"({"a": 1, "b": {"c": 1, "c": 2}, "list": [{"d": 0}, {"d": 1, "d": 2}], "a": 3})");
  ASSERT_EQ(issues.size(), 3U);
  EXPECT_EQ(issues[0].pointer, "/b/c");
  EXPECT_EQ(issues[1].pointer, "/list/1/d");
  EXPECT_EQ(issues[2].pointer, "/a");
}

TEST(JsonParse, NumbersBeyondDoubleAreAnIssueNotAnException) {
  const auto issues = parse_issues(R"({"cluster": {"gpus": [1, 2, 1e999]}})");
  ASSERT_EQ(issues.size(), 1U);
  EXPECT_EQ(issues[0].pointer, "/cluster/gpus/2");
  EXPECT_NE(issues[0].message.find("beyond the range of a double"), std::string::npos);
}

TEST(JsonParse, OnlyRegularFilesAreRead) {
  for (const char* path : {"/dev/zero", "/dev/null", "/tmp"}) {
    Diagnostics diag(path);
    EXPECT_FALSE(read_json_file(path, diag)) << path;
    ASSERT_EQ(diag.issues().size(), 1U) << path;
  }
  const auto fifo = std::filesystem::temp_directory_path() / ("trainsim_fifo_" + std::to_string(::getpid()));
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  Diagnostics diag(fifo.string());
  EXPECT_FALSE(read_json_file(fifo.string(), diag));  // returns at once: no writer is awaited
  EXPECT_NE(diag.issues().at(0).message.find("not a regular file"), std::string::npos);
  std::filesystem::remove(fifo);
}

TEST(JsonParse, FilesBeyondTheSizeLimitAreNotRead) {
  const auto path = std::filesystem::temp_directory_path() / ("trainsim_big_" + std::to_string(::getpid()) + ".json");
  { std::ofstream(path) << "[0]"; }
  std::filesystem::resize_file(path, static_cast<std::uintmax_t>(kMaxJsonBytes) + 1);  // sparse: no disk used
  Diagnostics diag(path.string());
  EXPECT_FALSE(read_json_file(path.string(), diag));
  ASSERT_EQ(diag.issues().size(), 1U);
  EXPECT_NE(diag.issues()[0].message.find("at most 67108864 bytes"), std::string::npos) << diag.issues()[0].message;
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace trainsim
