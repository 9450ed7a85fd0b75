#pragma once
// A layer's operation list (layer_costs) turned into priced segments: runs of compute kernels
// between communication steps, and the communication steps with their alpha-beta times. The
// engine schedules segments, not single kernels: a segment is what a stream does between two
// points where it must wait for another stream. Also the order in which DualPipe's overlapped
// pairs interleave two layers' segments, shared by the closed form and the engine.
#include <array>
#include <string>
#include <vector>

#include "hardware/kernel_time_model.hpp"
#include "models/host_pacing.hpp"
#include "models/layer_costs.hpp"

namespace trainsim {

struct Segment {
  bool is_communication = false;
  LayerPart part = LayerPart::attention;
  Seconds duration;                 // compute: kernel time; communication: alpha-beta time
  const LayerStep* step = nullptr;  // communication segments
  std::string label;
  bool overlaps_next = false;       // communication beside the next segment (LayerStep's)
};

struct LayerProgram {
  LayerKind kind = LayerKind::dense;
  Seconds host_stall;  // of the compute time, the device's waits for the host
  std::vector<Segment> forward;
  std::vector<Segment> backward;  // input gradients (with recomputation)
  std::array<Seconds, 4> weight{};  // weight-gradient time per LayerPart
  [[nodiscard]] Seconds weight_total() const;
};

// How the host issues a rank's work: its costs, and whether transformer layers run as CUDA graphs.
struct HostIssue {
  HostCosts costs;
  bool cuda_graphs = false;
  // The schedule runs weight gradients as passes of their own (zero-bubble, DualPipe), so the
  // host issues them apart from the input gradients.
  bool separate_weight_pass = false;
};

// Prices `costs` on `kernels`, compute slowed by `compute_slowdown` (SMs given to
// communication), communication on `comm`, and compute waiting for the host where it issues
// work more slowly than the device runs it (models/host_pacing.hpp). The program points into
// `costs`.
LayerProgram layer_program(const LayerCosts& costs, const KernelTimeModel& kernels, double compute_slowdown,
                           const CommunicationModel& comm, const HostIssue& host);

// One unit of work of a chunk in emission order: a segment of a layer's program, or the
// weight gradients of one part of the layer (after that part's last backward segment).
struct ProgramUnit {
  bool backward_chain = false;       // extends the backward chunk's dependency chain
  const LayerProgram* program = nullptr;
  const Segment* segment = nullptr;  // null: the program's weight gradients of `weight_part`
  LayerPart weight_part = LayerPart::attention;
  [[nodiscard]] bool is_communication() const { return segment != nullptr && segment->is_communication; }
  [[nodiscard]] Seconds duration() const;
};

// A chunk's layers in forward order.
using LayerPrograms = std::vector<const LayerProgram*>;

std::vector<ProgramUnit> forward_units(const LayerPrograms& layers);
// Layers in reverse order; with `with_weights` false the weight gradients are left for later
// (zero-bubble schedules run them as separate items).
std::vector<ProgramUnit> backward_units(const LayerPrograms& layers, bool with_weights);
// DeepSeek-V3 Fig. 4's overlapped forward-backward chunk pair: forward layer k with backward
// layer k from the end, one backward segment then one forward segment, alternating; layers
// one chunk has beyond the other run alone afterwards.
std::vector<ProgramUnit> pair_units(const LayerPrograms& forward, const LayerPrograms& backward);

// Seconds to run `units` on one compute and one communication stream, each stream in order
// and each unit after the previous unit of its chain: the engine's execution without
// contention, which the closed form uses for overlapped pairs.
Seconds two_stream_time(const std::vector<ProgramUnit>& units);

}  // namespace trainsim
