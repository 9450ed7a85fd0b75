// --set: POINTER=VALUE changes to a document before it is read.
#include <gtest/gtest.h>

#include "core/json_override.hpp"

namespace trainsim {
namespace {

nlohmann::json doc() {
  return nlohmann::json::parse(R"({"model": "llama-3.1-70b", "cluster": {"gpu": "h100-sxm", "gpu_count": 512},
                                   "training": {"phases": [{"name": "pre", "tokens": 1e12}]}})");
}

std::vector<ConfigIssue> apply(nlohmann::json& d, const std::vector<std::string>& sets) {
  std::vector<JsonOverride> overrides;
  for (const auto& s : sets) overrides.push_back(parse_override(s));
  Diagnostics diag("s.json");
  apply_overrides(d, overrides, diag);
  return diag.issues();
}

TEST(JsonOverride, ValuesAreJsonWhereTheyParseAndStringsOtherwise) {
  EXPECT_EQ(parse_override("/a=4096").value, nlohmann::json(4096));
  EXPECT_EQ(parse_override("/a=1.5e12").value, nlohmann::json(1.5e12));
  EXPECT_EQ(parse_override("/a=true").value, nlohmann::json(true));
  EXPECT_EQ(parse_override("/a=h20").value, nlohmann::json("h20"));
  EXPECT_EQ(parse_override("/a=80GiB").value, nlohmann::json("80GiB"));
  EXPECT_EQ(parse_override("/a=\"4096\"").value, nlohmann::json("4096"));  // quoted: a string
  EXPECT_EQ(parse_override("/a={\"x\":[1,2]}").value, nlohmann::json::parse(R"({"x":[1,2]})"));
  EXPECT_EQ(parse_override("/a=b=c").value, nlohmann::json("b=c"));  // split at the first '='
  EXPECT_EQ(parse_override("/a~1b=1").pointer, "/a~1b");
}

TEST(JsonOverride, MalformedTextNamesItself) {
  for (const char* text : {"/cluster/gpu_count", "cluster/gpu_count=4", "=4", "/a~2=1"}) {
    try {
      (void)parse_override(text);
      ADD_FAILURE() << text;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
    }
  }
}

TEST(JsonOverride, SetsAddsAndAppends) {
  auto d = doc();
  EXPECT_TRUE(apply(d, {"/cluster/gpu_count=4096", "/cluster/gpu=h20", "/training/phases/0/tokens=15e12",
                        "/training/phases/-={\"name\":\"long\"}", "/cluster/nics_per_node=8"})
                  .empty());
  EXPECT_EQ(d["cluster"]["gpu_count"], 4096);
  EXPECT_EQ(d["cluster"]["gpu"], "h20");
  EXPECT_EQ(d["training"]["phases"][0]["tokens"], 15e12);
  EXPECT_EQ(d["training"]["phases"].size(), 2U);
  EXPECT_EQ(d["cluster"]["nics_per_node"], 8);  // added; the reader judges whether the key is known
}

TEST(JsonOverride, LaterSetsWinInOrder) {
  auto d = doc();
  EXPECT_TRUE(apply(d, {"/cluster/gpu_count=8", "/cluster/gpu_count=16"}).empty());
  EXPECT_EQ(d["cluster"]["gpu_count"], 16);
}

TEST(JsonOverride, ACatalogModelBecomesAnExtensionWhenAFieldOfItIsSet) {
  auto d = doc();
  EXPECT_TRUE(apply(d, {"/model/num_layers=4"}).empty());
  EXPECT_EQ(d["model"], nlohmann::json::parse(R"({"extends": "llama-3.1-70b", "num_layers": 4})"));
  auto patch = doc();
  EXPECT_TRUE(apply(patch, {"/model/moe/top_k=4"}).empty());
  EXPECT_EQ(patch["model"], nlohmann::json::parse(R"({"extends": "llama-3.1-70b", "moe": {"top_k": 4}})"));
  auto e = doc();
  EXPECT_TRUE(apply(e, {"/model=deepseek-v3"}).empty());
  EXPECT_EQ(e["model"], "deepseek-v3");
}

TEST(JsonOverride, PointersThatLeadNowhereAreReportedWithTheirPointer) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/cluster/network/topology=fat_tree", "there is no field /cluster/network"},
      {"/training/phases/3/tokens=1", "/training/phases is an array of 1 elements"},
      {"/training/phases/x=1", "\"x\" is not one of its indices"},
      {"/cluster/gpu_count/x=1", "/cluster/gpu_count is the value 512"},
  };
  for (const auto& [set, message] : cases) {
    auto d = doc();
    const auto issues = apply(d, {set});
    ASSERT_EQ(issues.size(), 1U) << set;
    EXPECT_EQ(issues[0].file, "s.json");
    EXPECT_EQ(issues[0].pointer, set.substr(0, set.find('=')));
    EXPECT_NE(issues[0].message.find(message), std::string::npos) << issues[0].message;
  }
}

}  // namespace
}  // namespace trainsim
