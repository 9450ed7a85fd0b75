#pragma once
// Lowering: a step program becomes the Workload IR of one training step. Each simulated rank
// walks its pipeline rank's items in the schedule's order; each item emits the priced segments
// of its chunk's layers on the compute stream, their collectives on the collective stream and
// pipeline transfers on the point-to-point stream, tied by dependencies; ZeRO's per-pass
// traffic and the step-end data-parallel exchange and optimizer follow the program's sync
// steps and the overlap it allows. DualPipe's overlapped pairs interleave the forward and
// backward chunks segment by segment, backward first, which is DeepSeek-V3 Fig. 4's order
// (combine(B), attention(F), MLP(B), dispatch(F), ...).
#include <cstdint>
#include <optional>
#include <vector>

#include "hardware/topology.hpp"
#include "core/progress.hpp"
#include "models/step_program.hpp"
#include "sim/rank_layout.hpp"
#include "sim/workload.hpp"

namespace trainsim {

struct SimulationOptions {
  Fidelity fidelity = Fidelity::reduced;
  // An explicit per-pipeline-rank order instead of the schedule's (to simulate a custom
  // schedule, or one chunk pair as DeepSeek profiled it), and whether the step ends with the
  // optimizer and its data-parallel exchange.
  std::optional<std::vector<std::vector<ScheduleItem>>> order = std::nullopt;
  bool optimizer = true;
  // Refuse (SimulationTooLarge, sim/simulation_size.hpp) a simulation whose estimated memory
  // exceeds this; none: no check.
  std::optional<Bytes> memory_limit = std::nullopt;
  // Hears the ops of a SimGrid step as they finish (from its child process, at most once per
  // percent); the analytic engine takes milliseconds and reports nothing.
  ProgressFn progress = {};
};

struct LoweredStep {
  Workload workload;
  Topology topology;
  PipelineLayout layout;
  std::int64_t micro_batches = 0;
  double tokens_per_step = 0.0;
};

// Throws std::invalid_argument when the program's plan breaks a plan rule.
LoweredStep lower_step(const StepProgram& program, const SimulationOptions& options);

}  // namespace trainsim
