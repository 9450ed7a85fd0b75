#pragma once
// A simulated step as a Chrome trace (JSON "traceEvents"), loadable in Perfetto and
// chrome://tracing: one process per simulated GPU, one track per stream.
#include <string>

#include "sim/timeline.hpp"
#include "sim/workload.hpp"

namespace trainsim {

std::string chrome_trace(const Workload& workload, const Timeline& timeline);

}  // namespace trainsim
