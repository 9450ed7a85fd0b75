#pragma once
// What a simulation will hold before it runs: its ops, flows and memory, so that one too large
// for the machine is refused up front with its numbers rather than dying of std::bad_alloc
// after minutes, and `simulate --dry-run` can say what a run would need.
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>

#include "core/units.hpp"
#include "sim/lowering.hpp"

namespace trainsim {

struct SimulationSize {
  Fidelity fidelity = Fidelity::reduced;
  std::size_t simulated_ranks = 0;
  std::size_t ops = 0;
  std::size_t flows = 0;
  Bytes memory;  // peak resident memory of trainsim and its SimGrid child together
  [[nodiscard]] std::string describe() const;
};

// The size of `workload` as lowered.
SimulationSize simulation_size(const Workload& workload, Fidelity fidelity);
// The size simulating `program` at `options.fidelity` would have. Full detail is estimated
// from the reduced lowering (one pipeline), scaled to every GPU, without building it.
SimulationSize estimate_simulation_size(const StepProgram& program, const SimulationOptions& options);

// The memory this process may still use: the least of the kernel's available memory, the
// cgroup's limit and the address-space limit.
Bytes available_memory();

// A simulation refused because its estimated memory exceeds what is allowed.
class SimulationTooLarge : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws SimulationTooLarge when `size` needs more than `limit`.
void check_simulation_fits(const SimulationSize& size, Bytes limit);

// The SimGrid engine runs one actor per stream of each simulated rank, each on a stack of its
// own that takes two memory mappings; Linux caps a process's mappings (vm.max_map_count).
// Empty when the simulated ranks fit under that cap, else why not.
std::string simgrid_actor_problem(const SimulationSize& size);

// Why a simulation of `size` must not start (its memory beyond `limit`, or on SimGrid too many
// actors), or empty when it may.
std::string simulation_refusal(const SimulationSize& size, Bytes limit, bool simgrid);

}  // namespace trainsim
