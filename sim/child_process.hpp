#pragma once
// Runs work in forked child processes and returns the text each produced. SimGrid's engine
// can run once per process, so every SimGrid simulation (and every planner worker) runs this
// way.
#include <functional>
#include <string>
#include <vector>

#include "core/progress.hpp"

namespace trainsim {

// Forks; the child runs `job` and sends back its result; the parent waits for it. A job that
// throws is reported by a SimulationError carrying its message; a child that dies (signal,
// abort) is reported too. Deterministic: the result depends on the job only.
std::string run_in_child_process(const std::function<std::string()>& job);

struct ChildResult {
  bool ok = false;
  std::string text;  // the job's result, or why it has none
};

// Runs every job in its own child, at most `parallel` at a time; results in job order.
// `progress` hears each job that ends (how many of all have).
std::vector<ChildResult> run_in_child_processes(const std::vector<std::function<std::string()>>& jobs, int parallel,
                                                const ProgressFn& progress = {});

}  // namespace trainsim
