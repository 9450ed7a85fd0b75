// The trainsim executable as users run it: exit codes, outputs, and every shipped scenario.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

namespace {

using namespace trainsim::testing;

nlohmann::json default_scenario() {
  std::ifstream in(std::string(TRAINSIM_SOURCE_DIR) + "/scenarios/deepseek-v3-h800.json");
  return nlohmann::json::parse(in);
}

TEST(Cli, EstimateWritesTheRequiredJsonKeys) {
  const auto r = run_trainsim("estimate scenarios/deepseek-v3-h800.json --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"total_params", "active_params", "flops_per_token", "step_time_s", "tokens_per_day", "mfu",
                          "gpu_hours", "cost_usd"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_GT(j["step_time_s"].get<double>(), 0.0);
}

TEST(Cli, OutputsAreDeterministic) {
  const auto a = run_trainsim("estimate scenarios/deepseek-v3-h800.json --format json");
  const auto b = run_trainsim("estimate scenarios/deepseek-v3-h800.json --format json");
  EXPECT_EQ(a.out, b.out);
}

TEST(Cli, SimulateWritesTheEstimateKeysAndTheTable4Phases) {
  const auto r = run_trainsim("simulate scenarios/deepseek-v3-h800.json --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"total_params", "active_params", "flops_per_token", "step_time_s", "tokens_per_day", "mfu",
                          "gpu_hours", "cost_usd", "simulation"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  for (const char* phase : {"warmup_forward", "pipeline_bubble", "cooldown_backward", "weight_gradient", "steady",
                            "optimizer"}) {
    EXPECT_TRUE(j["step_breakdown_s"].contains(phase)) << phase;
  }
  EXPECT_EQ(j["simulation"]["engine"], "simgrid");
  EXPECT_EQ(j["simulation"]["gpu_busy_fraction"].size(), 16U);  // one pipeline of 16 ranks
}

TEST(Cli, SimulationsAreDeterministic) {
  const auto a = run_trainsim("simulate scenarios/deepseek-v3-h800.json");
  const auto b = run_trainsim("simulate scenarios/deepseek-v3-h800.json");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
}

TEST(Cli, TraceLoadsAsChromeTraceWithOneTrackPerGpuStream) {
  const auto path = std::filesystem::temp_directory_path() / "trainsim_trace.json";
  std::filesystem::remove(path);
  const auto r = run_trainsim("simulate scenarios/deepseek-v3-h800.json --engine analytic --trace " + path.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto trace = nlohmann::json::parse(slurp(path));
  std::set<std::pair<int, int>> tracks;
  std::size_t slices = 0;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] == "X") {
      ++slices;
      EXPECT_GE(e["dur"].get<double>(), 0.0);
    }
    if (e["ph"] == "M" && e["name"] == "thread_name") tracks.insert({e["pid"].get<int>(), e["tid"].get<int>()});
  }
  EXPECT_GT(slices, 1000U);
  // 16 simulated GPUs, each with its compute, collective and pipeline streams named.
  EXPECT_EQ(tracks.size(), 16U * 3U);
}

TEST(Cli, BadInputExitsWithThreeAndNamesFileAndPointer) {
  auto doc = default_scenario();
  doc["parallel"]["pipeline_parallel"] = "sixteen";
  const auto path = write_temp("trainsim_bad.json", doc.dump());
  const auto output = std::filesystem::temp_directory_path() / "trainsim_bad_out.json";
  std::filesystem::remove(output);
  const auto r = run_trainsim("estimate " + path.string() + " -o " + output.string());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find(path.string() + ": /parallel/pipeline_parallel: expected an integer"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(output));  // nothing half-written
}

TEST(Cli, BrokenJsonAndMissingFilesAreBadInput) {
  EXPECT_EQ(run_trainsim("estimate " + write_temp("trainsim_broken.json", "{\"a\": ").string()).exit_code, 3);
  EXPECT_EQ(run_trainsim("estimate /nonexistent/scenario.json").exit_code, 3);
}

TEST(Cli, HostileDocumentsAreBadInputNotCrashes) {
  const auto deep = write_temp("trainsim_deep.json", std::string(100000, '[') + std::string(100000, ']'));
  const auto number = write_temp("trainsim_1e999.json", R"({"schema_version": 1e999})");
  const auto twice = write_temp("trainsim_twice.json", R"({"schema_version": 1, "schema_version": 1})");
  for (const auto& [path, message] : {std::pair{deep, "nested deeper than 64 levels"},
                                      std::pair{number, "beyond the range of a double"},
                                      std::pair{twice, "/schema_version: this key is given more than once"},
                                      std::pair{std::filesystem::path("/dev/zero"), "not a regular file"}}) {
    const auto r = run_trainsim("estimate " + path.string());
    EXPECT_EQ(r.exit_code, 3) << path;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err.substr(0, 300);
  }
}

TEST(Cli, FullDetailOnSixteenThousandGpusIsRefusedUpFrontWithItsEstimate) {
  const std::string llama = "simulate scenarios/llama-3.1-405b-h100.json --fidelity full";
  const auto dry = run_trainsim(llama + " --dry-run");
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("16384 GPUs at full detail"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("nothing simulated"), std::string::npos);
  // About 110 M ops and flows: well over 8 GiB by the estimate, so refused before lowering
  // every GPU (exit 8), whatever this machine's memory.
  const auto refused = run_trainsim(llama + " --max-memory 8GiB");
  EXPECT_EQ(refused.exit_code, 8) << refused.err;
  EXPECT_NE(refused.err.find("16384 GPUs at full detail"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("GiB of memory needs more than the 8.00 GiB allowed"), std::string::npos) << refused.err;
  EXPECT_EQ(run_trainsim(llama + " --max-memory 0GiB").exit_code, 2);
}

TEST(Cli, InfeasiblePlanExitsWithFourAndSaysWhy) {
  auto doc = default_scenario();
  doc["parallel"]["zero_stage"] = 0;
  doc["parallel"]["optimizer_moment_precision"] = "fp32";
  const auto r = run_trainsim("estimate " + write_temp("trainsim_oom.json", doc.dump()).string());
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.out.find("out of memory by"), std::string::npos);
}

TEST(Cli, UsageErrorsExitWithTwo) {
  EXPECT_EQ(run_trainsim("").exit_code, 2);
  EXPECT_EQ(run_trainsim("estimate").exit_code, 2);
  EXPECT_EQ(run_trainsim("frobnicate").exit_code, 2);
  EXPECT_EQ(run_trainsim("estimate scenarios/deepseek-v3-h800.json --format yaml").exit_code, 2);
}

TEST(Cli, TheOutputFormatFollowsTheFileExtensionUnlessGiven) {
  const auto dir = std::filesystem::temp_directory_path();
  const auto json = dir / "trainsim_format.json";
  ASSERT_EQ(run_trainsim("estimate scenarios/deepseek-v3-h800.json -o " + json.string()).exit_code, 0);
  EXPECT_TRUE(nlohmann::json::parse(slurp(json)).contains("step_time_s"));
  const auto md = dir / "trainsim_format.md";
  ASSERT_EQ(run_trainsim("compare scenarios/deepseek-v3-h800.json --engine closed-form -o " + md.string()).exit_code, 0);
  EXPECT_EQ(slurp(md).rfind("| scenario |", 0), 0U);
  // --format wins over the extension.
  ASSERT_EQ(run_trainsim("estimate scenarios/deepseek-v3-h800.json --format csv -o " + json.string()).exit_code, 0);
  EXPECT_EQ(slurp(json).rfind("scenario,engine,", 0), 0U);
  // An extension the command does not write, or HTML (written with --report), is a usage error.
  EXPECT_EQ(run_trainsim("schema -o " + (dir / "s.csv").string()).exit_code, 2);
  EXPECT_EQ(run_trainsim("estimate scenarios/deepseek-v3-h800.json -o " + (dir / "e.html").string()).exit_code, 2);
}

TEST(Cli, EstimateCsvCarriesEachPhasesStep) {
  const auto csv = run_trainsim("estimate scenarios/deepseek-v3-h800.json --format csv");
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  std::istringstream in(csv.out);
  std::string header, first;
  std::getline(in, header);
  std::getline(in, first);
  const auto cells = [](const std::string& line) {
    std::vector<std::string> out;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) out.push_back(cell);
    return out;
  };
  const auto h = cells(header);
  const auto row = cells(first);
  ASSERT_EQ(h.size(), 18U);
  ASSERT_EQ(row.size(), h.size()) << first;
  const auto column = [&](const std::string& name) { return row[static_cast<std::size_t>(std::find(h.begin(), h.end(), name) - h.begin())]; };
  const auto j = nlohmann::json::parse(run_trainsim("estimate scenarios/deepseek-v3-h800.json --format json").out);
  // The first phase's step is the headline step the JSON reports (written to 6 decimals).
  EXPECT_NEAR(std::stod(column("step_time_s")), j["step_time_s"].get<double>(), 1e-6);
  EXPECT_NEAR(std::stod(column("mfu_causal")), j["mfu"]["causal"].get<double>(), 1e-4);
  EXPECT_EQ(column("feasible"), "true");
}

// A SYNTHETIC probe file (made up here, labelled so in its provenance): calibrate reads it,
// writes a loadable probe calibration and prints the fit per class.
TEST(Cli, CalibrateFitsAProbeRunAndWritesTheCalibration) {
  const auto row = [](const std::string& id, std::int64_t m, const std::string& median) {
    return nlohmann::json{{"id", id}, {"class", "gemm_bf16"}, {"m", m}, {"n", m}, {"k", m}, {"groups", 1},
                          {"implementation", "synthetic"}, {"median", median}, {"min", median}, {"max", median},
                          {"repeats", 1}};
  };
  nlohmann::json provenance = {{"notes", "SYNTHETIC: made up by tests/app/cli_test.cpp"}};
  for (const char* key : {"gpu_name", "sm_count", "compute_capability", "clocks", "memory", "driver", "cuda", "cublaslt",
                          "nccl", "gpu_count", "host", "date", "probe_version"}) {
    provenance[key] = "synthetic";
  }
  provenance["gpu_name"] = "NVIDIA H100 80GB HBM3";
  provenance["sm_count"] = "132";
  const nlohmann::json probe = {{"schema_version", 1}, {"probe_version", "1.0"}, {"timing", "synthetic"},
                                {"provenance", provenance},
                                {"measurements", {row("a", 4096, "250us"), row("b", 8192, "2000us")}}};
  const auto input = write_temp("trainsim_synthetic_probe.json", probe.dump());
  const auto output = std::filesystem::temp_directory_path() / "trainsim-synthetic-calibration.json";
  std::filesystem::remove(output);
  const auto r = run_trainsim("calibrate " + input.string() + " -o " + output.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("gemm_bf16"), std::string::npos) << r.out;
  const auto calibration = nlohmann::json::parse(slurp(output));
  EXPECT_EQ(calibration["kind"], "probe");
  EXPECT_EQ(calibration["gpu"], "h100-sxm");
  EXPECT_EQ(calibration["name"], "trainsim-synthetic-calibration");
  EXPECT_EQ(calibration["rows"].size(), 2U);
  // A scenario can use it by path.
  auto scenario = default_scenario();
  scenario["cluster"]["calibration"] = output.string();
  const auto estimate = run_trainsim("estimate " + write_temp("trainsim_probe_scenario.json", scenario.dump()).string());
  EXPECT_EQ(estimate.exit_code, 0) << estimate.err;
  EXPECT_NE(estimate.out.find("trainsim-synthetic-calibration"), std::string::npos);

  EXPECT_EQ(run_trainsim("calibrate " + write_temp("trainsim_bad_probe.json", "{}").string() + " -o " + output.string()).exit_code, 3);
  EXPECT_EQ(run_trainsim("calibrate " + input.string()).exit_code, 2);  // -o is required
}

TEST(Cli, PlanRanksSimulatesAndWritesJsonAndCsv) {
  auto doc = default_scenario();
  doc["planner"] = {{"tensor_parallel", {1}}, {"pipeline_parallel", {8, 16}}, {"expert_parallel", {64}},
                    {"context_parallel", {1}}, {"schedules", {"dualpipe"}}, {"micro_batch_sizes", {1}},
                    {"zero_stages", {1}}, {"precisions", {"fp8"}}, {"top_k", 1}};
  const auto path = write_temp("trainsim_plan.json", doc.dump());
  const auto json = run_trainsim("plan " + path.string() + " --format json --engine analytic");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(json.err.find("\r["), std::string::npos);  // no progress bar into a pipe
  const auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["candidates"], 8);  // PP8/16 x recomputation none, selective, full and DeepSeek's
  EXPECT_GT(j["baseline_rank"].get<int>(), 0);
  ASSERT_GE(j["plans"].size(), 1U);
  for (const char* key : {"rank", "plan", "closed_form_step_time_s", "simulated_step_time_s", "headroom_bytes", "cost_usd",
                          "pareto"}) {
    EXPECT_TRUE(j["plans"][0].contains(key)) << key;
  }
  const auto csv = run_trainsim("plan " + path.string() + " --format csv --engine analytic");
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("rank,gpus,tensor_parallel", 0), 0U);
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 1 + static_cast<long>(j["plans"].size()));
}

// The HTML report loads in a real browser: headless Chromium (installed by
// scripts/install-deps.sh --with-browser, which the README's test command runs) renders it.
TEST(Cli, HtmlReportRendersInHeadlessChromium) {
  if (std::system("command -v chromium > /dev/null 2>&1") != 0) GTEST_SKIP() << "chromium is not installed";
  const auto html = std::filesystem::temp_directory_path() / "trainsim_report.html";
  std::filesystem::remove(html);
  const auto r = run_trainsim("simulate scenarios/deepseek-v3-h800.json --engine analytic --report " + html.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto page = slurp(html);
  // Self-contained: nothing fetched, no scripts.
  EXPECT_EQ(page.find("src=\""), std::string::npos);
  EXPECT_EQ(page.find("href=\"http"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
  const auto dom = std::filesystem::temp_directory_path() / "trainsim_report_dom.html";
  const auto png = std::filesystem::temp_directory_path() / "trainsim_report.png";
  std::filesystem::remove(png);
  const std::string browser = "timeout 120 chromium --headless --no-sandbox --disable-gpu --window-size=1200,2400 ";
  ASSERT_EQ(std::system((browser + "--dump-dom file://" + html.string() + " > " + dom.string() + " 2>/dev/null").c_str()), 0);
  const auto rendered = slurp(dom);
  std::size_t charts = 0;
  for (auto at = rendered.find("<svg"); at != std::string::npos; at = rendered.find("<svg", at + 1)) ++charts;
  EXPECT_EQ(charts, 4U);  // by activity, by schedule phase, timeline, GPU-hours by phase
  EXPECT_NE(rendered.find("Step time by schedule phase"), std::string::npos);
  ASSERT_EQ(std::system((browser + "--screenshot=" + png.string() + " file://" + html.string() + " > /dev/null 2>&1").c_str()), 0);
  EXPECT_GT(std::filesystem::file_size(png), 10000U);  // a blank page is a few kilobytes
}

// A page's charts agree on colours: a legend entry (swatch, then its label) has one colour
// wherever it appears, and the timeline has a legend and a time axis.
TEST(Cli, ReportChartsShareOneColourPerCategory) {
  const auto scenario = write_temp("trainsim_colours.json", run_trainsim("init --no-search --gpus 16").out);
  const auto html = std::filesystem::temp_directory_path() / "trainsim_colours.html";
  const auto r = run_trainsim("simulate " + scenario.string() + " --engine analytic --report " + html.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto page = slurp(html);
  const std::regex legend(R"re(<rect x="[0-9.]+" y="[0-9]+" width="12" height="12" fill="(#[0-9A-F]{6})"/><text [^>]*>([^<]+)</text>)re");
  std::map<std::string, std::set<std::string>> colours;
  for (auto it = std::sregex_iterator(page.begin(), page.end(), legend); it != std::sregex_iterator(); ++it) {
    colours[(*it)[2].str()].insert((*it)[1].str());
  }
  for (const auto& [label, fills] : colours) EXPECT_EQ(fills.size(), 1U) << label;
  for (const char* label : {"compute", "pipeline bubble", "bubble", "forward", "backward", "communication"}) {
    EXPECT_TRUE(colours.contains(label)) << label;
  }
  EXPECT_EQ(colours["pipeline bubble"], colours["bubble"]);      // idle time is one grey
  EXPECT_EQ(colours["optimizer + DP"], colours["optimizer"]);
  EXPECT_NE(page.find("time in the step (ms)"), std::string::npos);
  EXPECT_NE(page.find("white-space: nowrap"), std::string::npos);  // "19.264 s" stays on one line
}

TEST(Cli, CompareWritesEveryFormat) {
  auto doc = default_scenario();
  doc["planner"] = {{"tensor_parallel", {1}}, {"pipeline_parallel", {16}}, {"expert_parallel", {64}}, {"context_parallel", {1}},
                    {"schedules", {"dualpipe"}}, {"micro_batch_sizes", {1}}, {"zero_stages", {1}}, {"precisions", {"fp8"}}};
  const auto a = write_temp("trainsim_compare_a.json", doc.dump());
  doc["name"] = "deepseek-v3-h800-200g";
  doc["cluster"]["network"]["nic_bandwidth"] = "200Gbps";
  const auto b = write_temp("trainsim_compare_b.json", doc.dump());
  const std::string both = a.string() + " " + b.string() + " --engine closed-form";
  const auto json = run_trainsim("compare " + both + " --format json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto j = nlohmann::json::parse(json.out)["scenarios"];
  ASSERT_EQ(j.size(), 2U);
  EXPECT_EQ(j[0]["export_control"]["oct_2023"], "3A090.a.1");
  // H800: TPP 15,831 and 3,350 GB/s, under the January 2026 rule's 21,000 and 6,500 GB/s.
  EXPECT_EQ(j[0]["export_control"]["china_2026"]["access"], "licence, case by case");
  EXPECT_TRUE(j[1]["bottleneck"].contains("step_reduction_when_doubled"));
  // Halving the fabric makes the fabric matter more.
  EXPECT_GT(j[1]["bottleneck"]["step_reduction_when_doubled"]["fabric"].get<double>(),
            j[0]["bottleneck"]["step_reduction_when_doubled"]["fabric"].get<double>());
  EXPECT_EQ(run_trainsim("compare " + both + " --format md").out.rfind("| scenario |", 0), 0U);
  EXPECT_EQ(run_trainsim("compare " + both + " --format csv").out.rfind("scenario,gpu,", 0), 0U);
  const auto html = std::filesystem::temp_directory_path() / "trainsim_compare.html";
  EXPECT_EQ(run_trainsim("compare " + both + " --report " + html.string()).exit_code, 0);
  EXPECT_NE(slurp(html).find("<svg"), std::string::npos);
}

// hardware, models and validate write csv and md as well as text and json: a row per item, the
// same items as their JSON.
TEST(Cli, CatalogsAndValidateWriteCsvAndMarkdown) {
  for (const auto& [command, list_key] : std::vector<std::pair<std::string, std::string>>{
           {"hardware", "gpus"}, {"models", "models"}, {"validate validation/runs/l3-1.json validation/runs/l3-2.json --engine analytic", "rows"}}) {
    const auto json = run_trainsim(command + " --format json");
    ASSERT_EQ(json.exit_code, 0) << command << json.err;
    const auto items = nlohmann::json::parse(json.out)[list_key].size();
    ASSERT_GE(items, 2U) << command;
    const auto csv = run_trainsim(command + " --format csv");
    ASSERT_EQ(csv.exit_code, 0) << command << csv.err;
    EXPECT_EQ(static_cast<std::size_t>(std::count(csv.out.begin(), csv.out.end(), '\n')), items + 1) << command << "\n" << csv.out;
    const auto md = run_trainsim(command + " --format md");
    ASSERT_EQ(md.exit_code, 0) << command << md.err;
    EXPECT_EQ(md.out.rfind("| ", 0), 0U) << command;
    EXPECT_EQ(static_cast<std::size_t>(std::count(md.out.begin(), md.out.end(), '\n')), items + 2) << command;
  }
  // The format follows -o's extension here too.
  const auto path = std::filesystem::temp_directory_path() / "trainsim_hardware.csv";
  ASSERT_EQ(run_trainsim("hardware -o " + path.string()).exit_code, 0);
  EXPECT_EQ(slurp(path).rfind("gpu,name,", 0), 0U);
}

// Every JSON output says what wrote it, and --version says the same.
TEST(Cli, VersionInEveryJsonOutput) {
  const auto version = run_trainsim("--version");
  ASSERT_EQ(version.exit_code, 0);
  ASSERT_EQ(version.out.rfind("trainsim ", 0), 0U) << version.out;
  const auto number = version.out.substr(9, version.out.find(' ', 9) - 9);
  EXPECT_NE(version.out.find("scenario schema_version 1"), std::string::npos) << version.out;
  const std::string s = "scenarios/deepseek-v3-h800.json";
  for (const auto& args : std::vector<std::string>{"estimate " + s + " --format json", "compare " + s + " --engine closed-form --format json",
                                 "hardware --format json", "validate validation/runs/ds-v3-step.json --format json",
                                 "sweep " + s + " --engine closed-form --vary /prices/rental_usd_per_gpu_hour=1,2 --format json"}) {
    const auto r = run_trainsim(args);
    ASSERT_EQ(r.exit_code, 0) << args << "\n" << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["trainsim"]["version"], number) << args;
    EXPECT_EQ(j["trainsim"]["scenario_schema_version"], 1) << args;
  }
}

TEST(Cli, HardwareAndModelsTables) {
  const auto hw = run_trainsim("hardware --format json");
  ASSERT_EQ(hw.exit_code, 0);
  const auto gpus = nlohmann::json::parse(hw.out)["gpus"];
  EXPECT_GE(gpus.size(), 10U);
  const auto models = run_trainsim("models");
  EXPECT_EQ(models.exit_code, 0);
  EXPECT_NE(models.out.find("deepseek-v3"), std::string::npos);
}

// validate prints predicted against measured, and --check turns the tolerances into the exit code.
TEST(Cli, ValidateReportsRowsAndChecksTolerances) {
  const auto step = run_trainsim("validate validation/runs/ds-v3-step.json --format json --check");
  EXPECT_EQ(step.exit_code, 0) << step.err;  // DeepSeek-V3's step: within 10% (engine issue)
  const auto doc = nlohmann::json::parse(step.out);
  ASSERT_EQ(doc["rows"].size(), 1U);
  EXPECT_EQ(doc["rows"][0]["row"], "DS-V3 (step)");
  EXPECT_DOUBLE_EQ(doc["rows"][0]["measured"].get<double>(), 19.926);
  EXPECT_NEAR(doc["mean_absolute_error"].get<double>(), std::abs(doc["rows"][0]["error"].get<double>()), 1e-12);
  // A scenario that cannot be validated (no "validation" object) is a failed row, the next
  // row still runs, and the exit code says that one failed.
  const auto bad = run_trainsim("validate scenarios/deepseek-v3-h800.json validation/runs/ds-v3-step.json");
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_NE(bad.out.find("failed"), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("/validation"), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("DS-V3 (step)"), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("2 rows, engine simgrid: 1 predicted, 1 failed to load"), std::string::npos) << bad.out;
}

// Every file in scenarios/ runs to a result (feasible or reported infeasible).
TEST(Cli, EveryScenarioRuns) {
  int count = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(std::string(TRAINSIM_SOURCE_DIR) + "/scenarios")) {
    if (entry.path().extension() != ".json") continue;
    ++count;
    const auto r = run_trainsim("estimate " + entry.path().string() + " --format json");
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 4) << entry.path() << "\n" << r.err;
    EXPECT_TRUE(nlohmann::json::accept(r.out)) << entry.path();
  }
  EXPECT_GE(count, 1);
}

// Text tables print numbers as people read them: never 1.728e+05. (Sources quoted inside a
// scenario are shown as written, so the scenarios here quote none.)
TEST(Cli, TextTablesNeverUseENotation) {
  const std::regex e_notation("[0-9]e[+-]?[0-9]");
  for (const std::string args : {"validate validation/runs --engine analytic", "hardware", "models",
                                 "compare scenarios/export-controls/deepseek-v3-h20.json --engine closed-form",
                                 "estimate scenarios/deepseek-v3-h800.json"}) {
    const auto r = run_trainsim(args);
    EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
    std::smatch m;
    EXPECT_FALSE(std::regex_search(r.out, m, e_notation)) << args << ": " << m.str() << " in\n" << r.out;
  }
}

}  // namespace
