#pragma once
// Pipeline bubbles by each schedule's published formula, in DeepSeek-V3 Table 2's notation:
// F forward chunk, B full backward chunk (input and weights), W weight-gradient part of B,
// F&B a forward and a backward chunk overlapped.
#include <cstdint>

#include "core/units.hpp"
#include "models/parallel_plan.hpp"

namespace trainsim {

struct ChunkTimes {
  Seconds forward;
  Seconds backward;  // full backward chunk, weight gradients included
  Seconds weight;
  Seconds overlapped_pair;  // F&B
};

// Idle time per step of a pipeline rank:
//   GPipe, 1F1B: (PP-1)(F+B); interleaved 1F1B: (PP-1)(F+B)/v (Narayanan et al., SC'21);
//   ZB-H1: (PP-1)(F+B-2W); DualPipe: (PP/2-1)(F&B+B-3W); DualPipeV over PP ranks behaves as
//   DualPipe over 2PP: (PP-1)(F&B+B-3W).
Seconds pipeline_bubble(Schedule schedule, std::int64_t pipeline, std::int64_t virtual_stages, const ChunkTimes& t);

}  // namespace trainsim
