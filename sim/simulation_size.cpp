#include "sim/simulation_size.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <fstream>
#include <limits>

#include <fmt/format.h>

#include "sim/workload.hpp"

namespace trainsim {
namespace {

// Peak resident memory of trainsim and its SimGrid child together, sampled every 0.1 s over
// eight runs on 2026-12-01 (Debian 12, SimGrid 3.32, this repository's release build):
//   run (fidelity)                 ranks     ops    flows    peak
//   ds-v3-step (reduced)              16   0.11 M  0.06 M    68 MB
//   mb-7 (reduced)                     8   0.23 M  0.16 M    97 MB
//   sc21-2 (full)                     64   0.78 M  0.75 M   194 MB
//   sc21-3 (full)                    128   1.86 M  1.79 M   417 MB
//   1.7B GPT DP256 (full)            256   0.71 M  0.00 M   145 MB
//   1.7B GPT DP1024 (full)          1024   2.84 M  0.01 M   485 MB
//   Mixtral 8x7B EP8 on 64 (full)     64   0.13 M  0.69 M   101 MB
//   DeepSeek-V3 PP4 EP64 on 256 (full) 256 0.43 M  3.4 M    334 MB
// A least-squares fit gives 44 MB + 136 B per op + 64 B per flow + 53 KB per rank; the
// coefficients below are rounded up so that every measurement lies 10-33% under the estimate.
constexpr Bytes kBaseMemory(std::int64_t{56} << 20);
constexpr std::int64_t kBytesPerOp = 160;
constexpr std::int64_t kBytesPerFlow = 72;
constexpr Bytes kBytesPerRank(std::int64_t{64} << 10);

// Beyond this many ops the reduced lowering itself is not built for an estimate: a lower bound
// of the ops (one forward and one backward per micro-batch and pipeline rank) stands in.
constexpr std::size_t kLargestLoweredEstimate = std::size_t{1} << 26;

Bytes memory_for(std::size_t ranks, std::size_t ops, std::size_t flows) {
  const double bytes = kBaseMemory.as_double() + static_cast<double>(kBytesPerOp) * static_cast<double>(ops) +
                       static_cast<double>(kBytesPerFlow) * static_cast<double>(flows) +
                       kBytesPerRank.as_double() * static_cast<double>(ranks);
  return Bytes::rounded(std::min(bytes, 9e18));
}

std::optional<std::int64_t> read_kib_field(const char* path, const std::string& field) {
  std::ifstream in(path);
  std::string key;
  std::int64_t value = 0;
  std::string unit;
  while (in >> key >> value) {
    std::getline(in, unit);
    if (key == field + ":") return value;
  }
  return std::nullopt;
}

std::optional<std::int64_t> read_number(const char* path) {
  std::ifstream in(path);
  std::int64_t value = 0;
  if (in >> value) return value;
  return std::nullopt;  // absent, or "max"
}

}  // namespace

std::string SimulationSize::describe() const {
  return fmt::format("{} GPUs at {} detail, about {:.1f} M ops and {:.1f} M flows, about {:.2f} GiB of memory", simulated_ranks,
                     fidelity == Fidelity::full ? "full" : "reduced", static_cast<double>(ops) / 1e6,
                     static_cast<double>(flows) / 1e6, to_gib(memory));
}

SimulationSize simulation_size(const Workload& workload, Fidelity fidelity) {
  const auto ranks = workload.ranks.size();
  const auto ops = workload.op_count();
  const auto flows = workload.flow_count();
  return {fidelity, ranks, ops, flows, memory_for(ranks, ops, flows)};
}

SimulationSize estimate_simulation_size(const StepProgram& program, const SimulationOptions& options) {
  const auto gpus = static_cast<std::size_t>(program.cluster().gpu_count);
  const auto pipeline = static_cast<std::size_t>(program.plan().pipeline);
  const bool full = options.fidelity == Fidelity::full;
  const double per_pipeline_rank_ops = 2.0 * static_cast<double>(program.micro_batches());
  if (per_pipeline_rank_ops * static_cast<double>(pipeline) > static_cast<double>(kLargestLoweredEstimate)) {
    const auto ranks = full ? gpus : pipeline;
    const double ops = per_pipeline_rank_ops * static_cast<double>(ranks);
    const auto count = static_cast<std::size_t>(std::min(ops, 1e18));
    return {options.fidelity, ranks, count, 0, memory_for(ranks, count, 0)};
  }
  SimulationOptions reduced = options;
  reduced.fidelity = Fidelity::reduced;
  const auto lowered = lower_step(program, reduced);
  const auto& w = lowered.workload;
  if (!full) return simulation_size(w, Fidelity::reduced);
  // Every pipeline of the full run does the work of the one that reduced mode simulates.
  const double copies = static_cast<double>(gpus) / static_cast<double>(w.ranks.size());
  const auto ops = static_cast<std::size_t>(static_cast<double>(w.op_count()) * copies);
  const auto flows = static_cast<std::size_t>(static_cast<double>(w.full_detail_flows) * copies);
  return {Fidelity::full, gpus, ops, flows, memory_for(gpus, ops, flows)};
}

Bytes available_memory() {
  double available = std::numeric_limits<double>::max();
  if (const auto kib = read_kib_field("/proc/meminfo", "MemAvailable")) available = static_cast<double>(*kib) * 1024.0;
  // cgroup v2, then v1: a container's limit less what it already uses.
  for (const auto& [limit_path, usage_path] : {std::pair{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"},
                                               std::pair{"/sys/fs/cgroup/memory/memory.limit_in_bytes",
                                                         "/sys/fs/cgroup/memory/memory.usage_in_bytes"}}) {
    const auto limit = read_number(limit_path);
    const auto usage = read_number(usage_path);
    if (limit && usage && *limit > *usage) available = std::min(available, static_cast<double>(*limit - *usage));
  }
  rlimit address_space{};
  if (::getrlimit(RLIMIT_AS, &address_space) == 0 && address_space.rlim_cur != RLIM_INFINITY) {
    const auto used_kib = read_kib_field("/proc/self/status", "VmSize").value_or(0);
    available = std::min(available, static_cast<double>(address_space.rlim_cur) - static_cast<double>(used_kib) * 1024.0);
  }
  return Bytes::rounded(std::clamp(available, 0.0, 9e18));
}

std::string simgrid_actor_problem(const SimulationSize& size) {
  const std::size_t ranks = size.simulated_ranks;
  const auto limit = read_number("/proc/sys/vm/max_map_count");
  if (!limit) return {};
  constexpr std::size_t kMappingsPerActor = 2;  // the stack and its guard page
  constexpr std::size_t kOtherMappings = 4096;  // libraries, heap arenas, SimGrid's own
  const std::size_t actors = ranks * static_cast<std::size_t>(kStreams);
  if (actors * kMappingsPerActor + kOtherMappings <= static_cast<std::size_t>(*limit)) return {};
  return fmt::format("simulating {} on SimGrid would run {} actors ({} streams per GPU), needing about {} memory "
                     "mappings; this machine allows {} (vm.max_map_count: raise it with sysctl, or use --fidelity reduced)",
                     size.describe(), actors, kStreams, actors * kMappingsPerActor + kOtherMappings, *limit);
}

namespace {
std::string memory_problem(const SimulationSize& size, Bytes limit) {
  if (size.memory <= limit) return {};
  return fmt::format("simulating {} needs more than the {:.2f} GiB allowed{}", size.describe(), to_gib(limit),
                     size.fidelity == Fidelity::full ? "; --fidelity reduced simulates one pipeline and mirrors the rest" : "");
}
}  // namespace

void check_simulation_fits(const SimulationSize& size, Bytes limit) {
  if (auto problem = memory_problem(size, limit); !problem.empty()) throw SimulationTooLarge(problem);
}

std::string simulation_refusal(const SimulationSize& size, Bytes limit, bool simgrid) {
  auto problem = memory_problem(size, limit);
  if (problem.empty() && simgrid) problem = simgrid_actor_problem(size);
  return problem;
}

}  // namespace trainsim
