#pragma once
// The timing of a step in closed form: the step program replayed at chunk granularity. Each
// pipeline rank runs its items in the schedule's own order (a forward, backward or weight pass
// of one chunk, or an overlapped pair, as one block of compute and exposed communication);
// its point-to-point messages, ZeRO's weight gathers and gradient reduce-scatters each queue
// in order on their own resource, as the engine's streams do; then its step-end exchange and
// update, with the overlap the program allows. Nothing contends: this is the contention-free
// price of the program, the engine's analytic backend at chunk rather than kernel granularity.
// The published bubble formulas (ScheduleTraits::bubble) are exact only for uniform chunks; the
// replay is exact for any split of the layers, and a test holds the two together where the
// formulas apply. Long steps are replayed at two bounded micro-batch counts and extended along
// the steady phase, so the cost stays O(pipeline^2) whatever the batch.
#include <array>
#include <cstdint>
#include <vector>

#include "core/units.hpp"
#include "models/step_program.hpp"

namespace trainsim {

struct ReplayedRank {
  Seconds chunks_end;  // when its last item finishes
  Seconds end;         // when its step-end exchange and update finish
  Seconds compute;     // the kernels of its items (their exposed communication apart)
  // Time spent in items of each kind (ItemKind forward, backward, weight, forward_backward).
  std::array<Seconds, 4> spans{};
};

struct StepReplay {
  std::vector<ReplayedRank> ranks;
  Seconds makespan;  // the last rank's end
};

// The program replayed at `micro_batches` micro-batches per pipeline, in the orders the
// schedule generates with `options`.
StepReplay replay_micro_batches(const StepProgram& program, std::int64_t micro_batches, const ScheduleOptions& options = {});
// The replay at the program's own micro-batch count.
StepReplay replay_step(const StepProgram& program);
// A lower bound on replay_step(program).makespan that costs no replay: a rank runs its items one
// after another, so its step takes at least every pass it makes (each chunk's forward, backward
// and weight passes once per micro-batch that crosses it, with their exposed communication;
// inside DualPipe's overlapped pairs the larger of their compute and their communication). A
// search for the fastest plan skips the replay of a plan whose bound is already slower than
// its best.
Seconds step_lower_bound(const StepProgram& program);
// A looser bound that needs no pipeline layout: the average pipeline rank's passes (the
// busiest carries at least as much), from `whole_model`, the priced chunk of every layer
// (whole_model_chunk), at `micro_batches` per pipeline. Zero for a schedule whose ranks do not
// hold every chunk equally often. Never above step_lower_bound of any layout of the plan.
Seconds average_rank_lower_bound(const ChunkCost& whole_model, const ParallelPlan& plan, std::int64_t micro_batches);

}  // namespace trainsim
