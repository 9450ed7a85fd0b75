// Wall time and peak memory of simulating one DeepSeek-V3 step (PP16 DualPipe, EP64) as the
// cluster grows. Each SimGrid run forks a child process; peak memory is that child's maximum
// resident set (getrusage RUSAGE_CHILDREN: the largest child so far).
#include <sys/resource.h>

#include <benchmark/benchmark.h>

#include "hardware/kernel_time_model.hpp"
#include "models/scenario.hpp"
#include "sim/step_simulation.hpp"

namespace trainsim {
namespace {

Scenario scenario_with(std::int64_t gpus) {
  auto s = load_scenario(std::string(TRAINSIM_SOURCE_DIR) + "/scenarios/deepseek-v3-h800.json");
  s.cluster.gpu_count = gpus;
  s.plan.data = gpus / s.plan.pipeline;
  s.plan.expert = std::min<std::int64_t>(64, s.plan.data);  // EP64 over 8 nodes where DP allows
  return s;
}

double peak_child_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

void simulate(benchmark::State& state, EngineKind engine, Fidelity fidelity) {
  const auto s = scenario_with(state.range(0));
  const auto kernels = kernel_model(s.cluster);
  // The full step's batch (15,360 sequences) needs DP to divide it; keep 120 micro-batches.
  const StepShape shape{4096, 120 * s.plan.data};
  for (auto _ : state) {
    const StepProgram program(s.model, s.cluster, s.plan, kernels, shape);
    const auto sim = simulate_step(program, engine, {.fidelity = fidelity});
    state.counters["step_s"] = sim.estimate.step_time.si();
    state.counters["simulated_gpus"] = static_cast<double>(sim.simulated_ranks);
    state.counters["ops"] = static_cast<double>(sim.ops);
    state.counters["flows"] = static_cast<double>(sim.flows);
    state.counters["engine_s"] = sim.wall_seconds;
  }
  if (engine == EngineKind::simgrid) state.counters["peak_child_rss_mib"] = peak_child_rss_mib();
}

void BM_DeepSeekV3StepSimGridReduced(benchmark::State& state) { simulate(state, EngineKind::simgrid, Fidelity::reduced); }
void BM_DeepSeekV3StepAnalyticReduced(benchmark::State& state) { simulate(state, EngineKind::analytic, Fidelity::reduced); }
void BM_DeepSeekV3StepSimGridFull(benchmark::State& state) { simulate(state, EngineKind::simgrid, Fidelity::full); }

BENCHMARK(BM_DeepSeekV3StepSimGridReduced)->Arg(256)->Arg(1024)->Arg(2048)->Arg(8192)->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK(BM_DeepSeekV3StepAnalyticReduced)->Arg(2048)->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK(BM_DeepSeekV3StepSimGridFull)->Arg(256)->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace
}  // namespace trainsim

BENCHMARK_MAIN();
