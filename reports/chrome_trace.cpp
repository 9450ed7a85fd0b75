#include "reports/chrome_trace.hpp"

#include <nlohmann/json.hpp>

namespace trainsim {

std::string chrome_trace(const Workload& w, const Timeline& t) {
  nlohmann::json events = nlohmann::json::array();
  for (std::size_t r = 0; r < w.ranks.size(); ++r) {
    const auto& rank = w.ranks[r];
    const auto pid = rank.global_rank;
    events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", pid},
                      {"args", {{"name", "GPU " + std::to_string(pid) + " (pipeline rank " + std::to_string(rank.pipeline_rank) + ")"}}}});
    for (int s = 0; s < kStreams; ++s) {
      if (rank.streams[static_cast<std::size_t>(s)].empty()) continue;  // a track per stream in use
      events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", pid}, {"tid", s},
                        {"args", {{"name", std::string(to_string(static_cast<StreamId>(s)))}}}});
      const auto& stream = rank.streams[static_cast<std::size_t>(s)];
      const auto& timing = t.ops[r][static_cast<std::size_t>(s)];
      for (std::size_t i = 0; i < stream.size(); ++i) {
        const auto& op = stream[i];
        const auto& item = rank.items[op.item];
        events.push_back({{"name", w.labels[op.label]},
                          {"cat", std::string(to_string(item.kind))},
                          {"ph", "X"},
                          {"pid", pid},
                          {"tid", s},
                          {"ts", timing[i].start.si() * 1e6},
                          {"dur", (timing[i].end - timing[i].start).si() * 1e6},
                          {"args", {{"chunk", item.chunk}, {"micro_batch", item.micro_batch}}}});
      }
    }
  }
  return nlohmann::json{{"traceEvents", events}, {"displayTimeUnit", "ms"}}.dump() + "\n";
}

}  // namespace trainsim
