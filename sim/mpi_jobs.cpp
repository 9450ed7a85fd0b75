#include "sim/mpi_jobs.hpp"

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "sim/backend.hpp"

#ifdef TRAINSIM_HAVE_MPI
#include <mpi.h>
#endif

namespace trainsim {
namespace {

bool launched_by_mpirun() { return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr; }

#ifdef TRAINSIM_HAVE_MPI
void finalize() { MPI_Finalize(); }

// Rank 0 receives every rank's text, in rank order.
std::vector<std::string> gather(const std::string& mine, const MpiWorld& world) {
  int length = static_cast<int>(mine.size());
  std::vector<int> lengths(static_cast<std::size_t>(world.size));
  MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<int> offsets(lengths.size(), 0);
  int total = 0;
  for (std::size_t r = 0; r < lengths.size(); ++r) {
    offsets[r] = total;
    total += lengths[r];
  }
  std::string all(world.rank == 0 ? static_cast<std::size_t>(total) : 0, '\0');
  MPI_Gatherv(mine.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR, 0, MPI_COMM_WORLD);
  std::vector<std::string> out;
  if (world.rank != 0) return out;
  for (std::size_t r = 0; r < lengths.size(); ++r) {
    out.push_back(all.substr(static_cast<std::size_t>(offsets[r]), static_cast<std::size_t>(lengths[r])));
  }
  return out;
}
#endif

}  // namespace

MpiWorld mpi_world() {
  static const MpiWorld world = [] {
    MpiWorld w;
    if (!launched_by_mpirun()) return w;
#ifdef TRAINSIM_HAVE_MPI
    MPI_Init(nullptr, nullptr);
    std::atexit(finalize);
    MPI_Comm_rank(MPI_COMM_WORLD, &w.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &w.size);
    return w;
#else
    throw SimulationError("launched by mpirun, but this trainsim was built without MPI (install libopenmpi-dev and rebuild)");
#endif
  }();
  return world;
}

std::vector<ChildResult> run_across_ranks(const std::vector<std::function<std::string()>>& jobs, int parallel,
                                          const ProgressFn& progress) {
  const auto world = mpi_world();
  if (world.size == 1) return run_in_child_processes(jobs, parallel, progress);
#ifdef TRAINSIM_HAVE_MPI
  std::vector<std::function<std::string()>> mine;
  for (std::size_t i = static_cast<std::size_t>(world.rank); i < jobs.size(); i += static_cast<std::size_t>(world.size)) {
    mine.push_back(jobs[i]);
  }
  const auto done = run_in_child_processes(mine, parallel, progress);
  nlohmann::json sent = nlohmann::json::array();
  for (const auto& r : done) sent.push_back({r.ok, r.text});
  const auto received = gather(sent.dump(), world);
  std::vector<ChildResult> results;
  if (world.rank != 0) return results;
  results.resize(jobs.size());
  for (std::size_t r = 0; r < received.size(); ++r) {
    const auto part = nlohmann::json::parse(received[r]);
    for (std::size_t k = 0; k < part.size(); ++k) {
      results[r + k * static_cast<std::size_t>(world.size)] = {part[k][0].get<bool>(), part[k][1].get<std::string>()};
    }
  }
  return results;
#else
  return {};  // unreachable: mpi_world() refuses a multi-rank world without MPI
#endif
}

}  // namespace trainsim
