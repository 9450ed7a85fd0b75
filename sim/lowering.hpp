#pragma once
// Lowering: a model, a plan and a cluster become the Workload IR of one training step. Each
// simulated rank walks its pipeline schedule; each schedule item emits the priced segments of
// its chunk's layers on the compute stream, their collectives on the collective stream and
// pipeline transfers on the point-to-point stream, tied by dependencies. DualPipe's overlapped
// pairs interleave the forward and backward chunks segment by segment, backward first, which
// is DeepSeek-V3 Fig. 4's order (combine(B), attention(F), MLP(B), dispatch(F), ...).
#include <cstdint>
#include <optional>
#include <vector>

#include "hardware/kernel_time_model.hpp"
#include "hardware/topology.hpp"
#include "models/pipeline_layout.hpp"
#include "models/step_estimate.hpp"
#include "sim/rank_layout.hpp"
#include "sim/workload.hpp"

namespace trainsim {

struct StepProblem {
  const ModelSpec& model;
  const ClusterSpec& cluster;
  const ParallelPlan& plan;
  const KernelTimeModel& kernels;
  StepShape shape;
  Fidelity fidelity = Fidelity::reduced;
  // Optional: an explicit chunk layout and per-pipeline-rank schedule instead of the plan's
  // (to simulate a custom schedule, or one chunk pair as DeepSeek profiled it), and whether
  // the step ends with the optimizer and its data-parallel exchange.
  std::optional<PipelineLayout> layout = std::nullopt;
  std::optional<std::vector<std::vector<ScheduleItem>>> schedule = std::nullopt;
  bool optimizer = true;
};

struct LoweredStep {
  Workload workload;
  Topology topology;
  PipelineLayout layout;
  std::int64_t micro_batches = 0;
  double tokens_per_step = 0.0;
};

LoweredStep lower_step(const StepProblem& problem);

}  // namespace trainsim
