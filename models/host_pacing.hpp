#pragma once
// The host thread that issues a rank's kernels. PyTorch issues each operation from Python and
// returns before the GPU runs it, so the host works ahead of the device and its cost hides,
// unless a pass issues operations faster than the device runs them, or the host waits for the
// device (a dropless MoE layer copies its token counts to the host before the all-to-all) and the
// device then idles while the host issues the next operations. Both engines price the stalls
// through the layer programs (layer_program.cpp).
#include <vector>

#include "core/units.hpp"
#include "hardware/host_costs.hpp"

namespace trainsim {

// One step of a pass as the host and the device see it, in issue order.
struct PacedStep {
  Seconds host;            // the host's time to issue it
  Seconds device;          // its time on the device's critical path (0: beside other work)
  bool host_waits = false;  // the host first waits for the device to finish everything before it
};

// Per step, the time the device waits for the host before running it, for a layer whose pass
// repeats: with no wait, the host falls behind only by what the pass issues beyond its device
// time (shared out by host time); with waits, each stretch from a wait to the next one
// (wrapping into the next layer's pass) is walked kernel by kernel from an idle device.
std::vector<Seconds> host_stalls(const std::vector<PacedStep>& steps);

}  // namespace trainsim
