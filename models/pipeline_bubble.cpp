#include "models/pipeline_bubble.hpp"

namespace trainsim {

Seconds pipeline_bubble(Schedule schedule, std::int64_t pipeline, std::int64_t virtual_stages, const ChunkTimes& t) {
  const double pp = static_cast<double>(pipeline);
  Seconds bubble(0);
  switch (schedule) {
    case Schedule::gpipe:
    case Schedule::one_f_one_b: bubble = (t.forward + t.backward) * (pp - 1.0); break;
    case Schedule::interleaved_1f1b:
      bubble = (t.forward + t.backward) * ((pp - 1.0) / static_cast<double>(virtual_stages));
      break;
    case Schedule::zb_h1: bubble = (t.forward + t.backward - t.weight * 2.0) * (pp - 1.0); break;
    case Schedule::dualpipe: bubble = (t.overlapped_pair + t.backward - t.weight * 3.0) * (pp / 2.0 - 1.0); break;
    case Schedule::dualpipe_v: bubble = (t.overlapped_pair + t.backward - t.weight * 3.0) * (pp - 1.0); break;
  }
  return max(bubble, Seconds(0));
}

}  // namespace trainsim
