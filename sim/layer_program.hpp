#pragma once
// A layer's operation list (models/layer_costs) turned into priced segments: runs of compute
// kernels between communication steps. The engine schedules segments, not single kernels: a
// segment is what a stream does between two points where it must wait for another stream.
#include <array>
#include <string>
#include <vector>

#include "hardware/kernel_time_model.hpp"
#include "models/layer_costs.hpp"

namespace trainsim {

struct Segment {
  bool is_communication = false;
  LayerPart part = LayerPart::attention;
  Seconds duration;               // compute segments
  const LayerStep* step = nullptr;  // communication segments
  std::string label;
};

struct LayerProgram {
  LayerKind kind = LayerKind::dense;
  std::vector<Segment> forward;
  std::vector<Segment> backward;  // input gradients (with recomputation)
  std::array<Seconds, 4> weight{};  // weight-gradient time per LayerPart
  [[nodiscard]] Seconds weight_total() const;
};

// Prices `costs` on `kernels`, compute slowed by `compute_slowdown` (SMs given to communication).
LayerProgram layer_program(const LayerCosts& costs, const KernelTimeModel& kernels, double compute_slowdown);

}  // namespace trainsim
