// trainsim sweep: one row per case, each the answer `estimate --set` gives for that case; cases
// that do not read or do not fit are rows with their reason; bad axes are bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

namespace {

using namespace trainsim::testing;

// Llama 3.1 405B at TP8 PP16 on 16,384 H100 (its own plan), DP taking the GPUs the others leave.
const std::string kSweep =
    "sweep scenarios/llama-3.1-405b-h100.json --engine closed-form --set /parallel/data_parallel=auto "
    "--vary /cluster/gpu_count=8192,16384 --vary /parallel/tensor_parallel=4,8";

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(Sweep, EachCaseIsTheEstimateOfThatCase) {
  const auto r = run_trainsim(kSweep + " --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["cases"].size(), 4U);
  // The first axis outermost, values in the order given.
  const std::vector<std::pair<std::string, std::string>> order = {{"8192", "4"}, {"8192", "8"}, {"16384", "4"}, {"16384", "8"}};
  // Values are typed as --set reads them: numbers here, not their labels.
  for (std::size_t i = 0; i < order.size(); ++i) {
    const auto& c = j["cases"][i];
    EXPECT_EQ(c["values"]["/cluster/gpu_count"], std::stoi(order[i].first));
    EXPECT_EQ(c["values"]["/parallel/tensor_parallel"], std::stoi(order[i].second));
    const auto e = run_trainsim("estimate scenarios/llama-3.1-405b-h100.json --format json --set /parallel/data_parallel=auto "
                                "--set /cluster/gpu_count=" + order[i].first + " --set /parallel/tensor_parallel=" + order[i].second);
    if (e.exit_code == 3) {  // does not read: an invalid case naming what is wrong
      EXPECT_EQ(c["status"], "invalid");
      EXPECT_NE(e.err.find(c["detail"].get<std::string>().substr(0, 40)), std::string::npos) << c;
      continue;
    }
    const auto est = nlohmann::json::parse(e.out);
    EXPECT_EQ(c["status"], est["feasible"].get<bool>() ? "ok" : "infeasible") << c;
    EXPECT_EQ(c["step_time_s"], est["step_time_s"]) << c;
    EXPECT_EQ(c["gpu_hours"], est["gpu_hours"]) << c;
    EXPECT_EQ(c["cost_usd"], est["cost_usd"]) << c;
  }
  // The scenario's own plan (16,384 GPUs, TP8) reads and fits; TP4 at 16,384 leaves 8
  // micro-batches per pipeline, which interleaved 1F1B at PP16 cannot schedule.
  EXPECT_EQ(j["cases"][3]["status"], "ok");
  EXPECT_EQ(j["cases"][2]["status"], "invalid");
  EXPECT_NE(j["cases"][2]["detail"].get<std::string>().find("interleaved 1F1B"), std::string::npos);
}

TEST(Sweep, CsvHasARowPerCaseAndTheFormatFollowsTheExtension) {
  const auto csv_path = std::filesystem::temp_directory_path() / "trainsim_sweep.csv";
  const auto html_path = std::filesystem::temp_directory_path() / "trainsim_sweep.html";
  const auto r = run_trainsim(kSweep + " --jobs 2 -o " + csv_path.string() + " --report " + html_path.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = lines(slurp(csv_path));
  ASSERT_EQ(rows.size(), 5U);
  EXPECT_EQ(rows[0].rfind("/cluster/gpu_count,/parallel/tensor_parallel,status,step_time_s,", 0), 0U) << rows[0];
  EXPECT_EQ(rows[4].rfind("16384,8,ok,", 0), 0U) << rows[4];
  // One worker or two: the same bytes.
  EXPECT_EQ(run_trainsim(kSweep + " --jobs 1 --format csv").out, slurp(csv_path));
  const auto html = slurp(html_path);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("/parallel/tensor_parallel = 8"), std::string::npos);  // a legend entry per second-axis value
}

TEST(Sweep, BadPointersAreBadInputAndMalformedAxesUsageErrors) {
  const std::string base = "sweep scenarios/llama-3.1-405b-h100.json --engine closed-form ";
  const auto pointer = run_trainsim(base + "--vary /cluster/nosuch/x=1,2");
  EXPECT_EQ(pointer.exit_code, 3);
  EXPECT_NE(pointer.err.find("/cluster/nosuch/x"), std::string::npos) << pointer.err;
  const auto syntax = run_trainsim(base + "--vary /cluster/gpu_count");
  EXPECT_EQ(syntax.exit_code, 2);  // not POINTER=VALUES: a bad command line
  EXPECT_NE(syntax.err.find("--vary"), std::string::npos) << syntax.err;
  EXPECT_EQ(run_trainsim(base + "--vary /a=1 --vary /b=1 --vary /c=1").exit_code, 2);
  EXPECT_EQ(run_trainsim(base + "--vary /cluster/gpu_count=1 -o x.html").exit_code, 2);  // no HTML table format
}

}  // namespace
