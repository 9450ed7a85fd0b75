#pragma once
// What a backend reports: when every op ran, how busy links were, and the step breakdown in
// the categories of ISCA'25 Table 4.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/workload.hpp"

namespace trainsim {

struct OpTiming {
  Seconds start;
  Seconds end;
};

struct LinkLoad {
  int link = 0;
  Bytes bytes;  // carried over the step (mirrored flows count once)
};

struct Timeline {
  std::string backend;  // "analytic" or "simgrid"
  // Per simulated rank, per stream, per op.
  std::vector<std::array<std::vector<OpTiming>, kStreams>> ops;
  std::vector<LinkLoad> links;  // every link that carried traffic
  Seconds makespan;
  double wall_seconds = 0.0;  // host time the backend took (reported, never used in results)
};

// Seconds of one pipeline rank's step by what it was doing (ISCA'25 Table 4): forward-only
// chunks, backward-only chunks, weight-gradient chunks, overlapped pairs (or 1F1B steady
// work), its optimizer with its data-parallel synchronisation after its last chunk, and the
// rest: idle, the bubble (waiting for other ranks at the end of the step included).
struct PhaseBreakdown {
  std::int32_t rank = 0;
  Seconds forward;
  Seconds backward;
  Seconds weight;
  Seconds overlapped;
  Seconds optimizer;
  Seconds bubble;
  Seconds busy_compute;  // sum of the chunk items' compute op durations (the optimizer's apart)
};

PhaseBreakdown phase_breakdown(const Workload& w, const Timeline& t, std::size_t rank);
// The simulated rank with the most compute (the first of equals): the one that sets the
// pipeline's pace, whose breakdown the step reports, as the closed form reports its slowest rank.
std::size_t pace_setting_rank(const Workload& w);

}  // namespace trainsim

namespace trainsim {
// Compact binary form, to bring a timeline back from a simulation's child process.
std::string serialize_timeline(const Timeline& t);
Timeline deserialize_timeline(const std::string& bytes);
}  // namespace trainsim
