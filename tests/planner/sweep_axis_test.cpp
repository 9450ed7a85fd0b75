// --vary POINTER=v1,v2,...: one value per top-level comma, each read as --set reads a value.
#include <gtest/gtest.h>

#include "planner/sweep.hpp"

namespace trainsim {
namespace {

TEST(SweepAxis, SplitsAtTopLevelCommasOnly) {
  const auto a = parse_sweep_axis(R"(/x=1024,h20,[1,2],{"a":1,"b":[3,4]},"p,q",80GiB)");
  EXPECT_EQ(a.pointer, "/x");
  const std::vector<std::string> labels = {"1024", "h20", "[1,2]", R"({"a":1,"b":[3,4]})", R"("p,q")", "80GiB"};
  EXPECT_EQ(a.labels, labels);
  ASSERT_EQ(a.values.size(), labels.size());
  EXPECT_EQ(a.values[0].value, nlohmann::json(1024));
  EXPECT_EQ(a.values[1].value, nlohmann::json("h20"));
  EXPECT_EQ(a.values[2].value, nlohmann::json::parse("[1,2]"));
  EXPECT_EQ(a.values[3].value, nlohmann::json::parse(R"({"a":1,"b":[3,4]})"));
  EXPECT_EQ(a.values[4].value, nlohmann::json("p,q"));
  EXPECT_EQ(a.values[5].value, nlohmann::json("80GiB"));
  for (const auto& v : a.values) EXPECT_EQ(v.pointer, "/x");
}

TEST(SweepAxis, MalformedAxesNameTheText) {
  for (const char* text : {"/cluster/gpu_count", "cluster/gpu_count=1,2", "/a=1,,2", "/a=1,", "/a="}) {
    try {
      (void)parse_sweep_axis(text);
      ADD_FAILURE() << text;
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.issues().front().file, "--vary");
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace trainsim
