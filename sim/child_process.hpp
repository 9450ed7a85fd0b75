#pragma once
// Runs work in a forked child process and returns the text it produced. SimGrid's engine can
// run once per process, so every SimGrid simulation (and every planner worker) runs this way.
#include <functional>
#include <string>

namespace trainsim {

// Forks; the child runs `job` and sends back its result; the parent waits for it. A job that
// throws is reported by a SimulationError carrying its message; a child that dies (signal,
// abort) is reported too. Deterministic: the result depends on the job only.
std::string run_in_child_process(const std::function<std::string()>& job);

}  // namespace trainsim
