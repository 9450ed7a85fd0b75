// The planner's speed: closed-form plans evaluated per second over DeepSeek-V3's whole plan
// space on 2,048 H800 (one core, no simulation), the wall time of the full search with its
// shortlist simulated by SimGrid in worker processes on every core, and of compare's
// bottleneck analyses (two best-plan searches each) of the eight export-control scenarios.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include <benchmark/benchmark.h>

#include "planner/bottleneck.hpp"
#include "planner/plan_evaluator.hpp"
#include "planner/plan_search.hpp"

namespace trainsim {
namespace {

Scenario deepseek() { return load_scenario(std::string(TRAINSIM_SOURCE_DIR) + "/scenarios/deepseek-v3-h800.json"); }

void BM_ClosedFormPlansDeepSeekV3(benchmark::State& state) {
  const auto s = deepseek();
  const auto space = plan_space(s);
  const auto& seg = s.phases.front().segments.front();
  std::int64_t plans = 0;
  for (auto _ : state) {
    PlanEvaluator evaluator(s, {seg.sequence_length, seg.global_batch_size});
    for_each_plan(space, seg.plan, [&](const ParallelPlan& p, std::int64_t gpus) {
      benchmark::DoNotOptimize(evaluator.evaluate(p, gpus));
      ++plans;
    });
  }
  state.counters["plans"] = static_cast<double>(plans) / static_cast<double>(state.iterations());
  state.counters["plans_per_s"] = benchmark::Counter(static_cast<double>(plans), benchmark::Counter::kIsRate);
}

void BM_FullSearchDeepSeekV3(benchmark::State& state) {
  const auto s = deepseek();
  const auto space = plan_space(s);
  const int jobs = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  for (auto _ : state) {
    const auto r = search_plans(s, space, {jobs, EngineKind::simgrid, {}});
    state.counters["candidates"] = static_cast<double>(r.candidates);
    state.counters["feasible"] = static_cast<double>(r.feasible);
    state.counters["simulated"] = static_cast<double>(r.shortlist.size());
  }
}

void BM_ExportControlBottlenecks(benchmark::State& state) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(TRAINSIM_SOURCE_DIR) + "/scenarios/export-controls")) {
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Scenario> scenarios;
  for (const auto& f : files) scenarios.push_back(load_scenario(f.string()));
  std::vector<const Scenario*> pointers;
  for (const auto& s : scenarios) pointers.push_back(&s);
  const int jobs = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  for (auto _ : state) benchmark::DoNotOptimize(analyze_bottlenecks(pointers, jobs, {}));
  state.counters["scenarios"] = static_cast<double>(scenarios.size());
}

BENCHMARK(BM_ClosedFormPlansDeepSeekV3)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
BENCHMARK(BM_FullSearchDeepSeekV3)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
BENCHMARK(BM_ExportControlBottlenecks)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace
}  // namespace trainsim
