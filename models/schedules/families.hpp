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

// Schedule items, for the order generators.
inline ScheduleItem forward_item(ChunkRef f) { return {ItemKind::forward, f, {}, false}; }
inline ScheduleItem backward_item(ChunkRef b, bool defer_weights) { return {ItemKind::backward, {}, b, defer_weights}; }
inline ScheduleItem weight_item(ChunkRef b) { return {ItemKind::weight, {}, b, false}; }
inline ScheduleItem pair_item(ChunkRef f, ChunkRef b) { return {ItemKind::forward_backward, f, b, false}; }

}  // namespace trainsim
