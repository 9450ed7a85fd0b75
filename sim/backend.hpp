#pragma once
// A backend runs a Workload on a Topology and reports when every op ran. The analytic backend
// is a contention-free critical path (link sharing only among one op's own flows); the
// SimGrid backend simulates flow-level contention and can run once per process.
#include <memory>
#include <stdexcept>

#include "core/progress.hpp"
#include "hardware/topology.hpp"
#include "sim/timeline.hpp"

namespace trainsim {

// A simulation that could not finish (a deadlock in the workload, an engine failure).
class SimulationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Backend {
 public:
  Backend() = default;
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;
  virtual ~Backend() = default;
  // Throws SimulationError when the workload cannot complete.
  virtual Timeline run(const Workload& workload, const Topology& topology) = 0;
};

std::unique_ptr<Backend> make_analytic_backend();
// SimGrid's engine is a process-wide singleton: call run() at most once per process.
// `progress` hears the ops done, at most once per percent.
std::unique_ptr<Backend> make_simgrid_backend(ProgressFn progress = {});


}  // namespace trainsim

namespace trainsim {
// Bytes each link carries over the step (timing-independent), for link reports.
std::vector<LinkLoad> link_loads(const Workload& workload, const Topology& topology);
}  // namespace trainsim
