#pragma once
// The schedule records, one per schedule, defined in this folder's files (one per family).
#include "models/schedule_traits.hpp"

namespace trainsim {

const ScheduleTraits& gpipe_traits();             // gpipe.cpp
const ScheduleTraits& one_f_one_b_traits();       // one_f_one_b.cpp
const ScheduleTraits& zb_h1_traits();             // one_f_one_b.cpp
const ScheduleTraits& interleaved_1f1b_traits();  // interleaved_1f1b.cpp
const ScheduleTraits& dualpipe_traits();          // dualpipe.cpp
const ScheduleTraits& dualpipe_v_traits();        // dualpipe.cpp
const ScheduleTraits& zb_v_traits();              // zb_v.cpp

// The V placement DualPipeV and ZB-V share: the model cut into 2 pp chunks, rank r holding
// chunks r and 2pp-1-r, so a micro-batch goes down the ranks on the first and back up on the
// second, turning on the last rank.
class VPlacement : public ScheduleTraits {
 public:
  [[nodiscard]] std::int64_t chunk_count(const ParallelPlan& plan) const override { return 2 * plan.pipeline; }
  [[nodiscard]] std::vector<int> chunks_of_rank(const ParallelPlan& plan, int rank) const override {
    return {rank, 2 * static_cast<int>(plan.pipeline) - 1 - rank};
  }
  [[nodiscard]] int chunk_holder(const ParallelPlan& plan, int chunk, int /*direction*/) const override {
    const auto pp = static_cast<int>(plan.pipeline);
    return chunk < pp ? chunk : 2 * pp - 1 - chunk;
  }
};

// Schedule items, for the order generators.
inline ScheduleItem forward_item(ChunkRef f) { return {ItemKind::forward, f, {}, false}; }
inline ScheduleItem backward_item(ChunkRef b, bool defer_weights) { return {ItemKind::backward, {}, b, defer_weights}; }
inline ScheduleItem weight_item(ChunkRef b) { return {ItemKind::weight, {}, b, false}; }
inline ScheduleItem pair_item(ChunkRef f, ChunkRef b) { return {ItemKind::forward_backward, f, b, false}; }

}  // namespace trainsim
