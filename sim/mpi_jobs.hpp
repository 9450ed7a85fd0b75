#pragma once
// Jobs spread over the ranks of an MPI run (`mpirun -n K trainsim sweep ...`), for studies that
// outgrow one machine: job i runs on rank i mod K, each rank running its share in worker
// processes as run_in_child_processes does, and rank 0 gathers every result in job order, so
// its output is the bytes one machine writes. Outside mpirun, or in a build without MPI, the
// world is one rank and this is run_in_child_processes.
#include <functional>
#include <string>
#include <vector>

#include "core/progress.hpp"
#include "sim/child_process.hpp"

namespace trainsim {

struct MpiWorld {
  int rank = 0;
  int size = 1;
};

// The world this process is part of. Under Open MPI's mpirun (OMPI_COMM_WORLD_SIZE set) the
// first call initialises MPI, finalised at exit; otherwise one rank. Throws SimulationError
// when launched by mpirun in a build without MPI.
MpiWorld mpi_world();

// Rank 0: every job's result, in job order; other ranks: an empty vector once theirs are sent.
// `progress` hears this rank's jobs.
std::vector<ChildResult> run_across_ranks(const std::vector<std::function<std::string()>>& jobs, int parallel,
                                          const ProgressFn& progress = {});

}  // namespace trainsim
