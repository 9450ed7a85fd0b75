#include "sim/workload.hpp"

#include <map>
#include <tuple>

#include <fmt/format.h>

namespace trainsim {

std::string_view to_string(StreamId s) {
  switch (s) {
    case StreamId::compute: return "compute";
    case StreamId::collective: return "collective";
    case StreamId::p2p: return "p2p";
    case StreamId::weight_gather: return "weight_gather";
    case StreamId::gradient_shards: return "gradient_shards";
  }
  return "?";
}

std::size_t Workload::op_count() const {
  std::size_t n = 0;
  for (const auto& r : ranks) {
    for (const auto& s : r.streams) n += s.size();
  }
  return n;
}

std::size_t Workload::flow_count() const {
  std::size_t n = 0;
  for (const auto& r : ranks) n += r.flows.size();
  return n;
}

std::string check_workload(const Workload& w) {
  // (src, dst, channel) -> bytes of sends minus receives, in order.
  std::map<std::tuple<int, int, int>, std::vector<std::int64_t>> sent;
  std::map<std::tuple<int, int, int>, std::vector<std::int64_t>> received;
  for (std::size_t r = 0; r < w.ranks.size(); ++r) {
    const auto& rank = w.ranks[r];
    for (int s = 0; s < kStreams; ++s) {
      for (const auto& op : rank.streams[static_cast<std::size_t>(s)]) {
        for (std::uint32_t d = op.dep_begin; d < op.dep_begin + op.dep_count; ++d) {
          const auto& dep = rank.deps[d];
          if (dep.op >= rank.streams[static_cast<std::size_t>(dep.stream)].size()) {
            return fmt::format("rank {}: a dependency points past the end of stream {}", r, to_string(dep.stream));
          }
        }
        for (std::uint32_t f = op.flow_begin; f < op.flow_begin + op.flow_count; ++f) {
          const auto& flow = rank.flows[f];
          if (flow.mirrored_route >= 0) {
            if (static_cast<std::size_t>(flow.mirrored_route) >= w.mirrored_routes.size()) {
              return fmt::format("rank {}: a flow names a mirrored route that does not exist", r);
            }
            continue;
          }
          const auto key = flow.outgoing ? std::make_tuple(static_cast<int>(r), flow.peer, static_cast<int>(flow.channel))
                                         : std::make_tuple(flow.peer, static_cast<int>(r), static_cast<int>(flow.channel));
          (flow.outgoing ? sent : received)[key].push_back(flow.bytes.count());
        }
      }
    }
  }
  if (sent != received) {
    for (const auto& [key, bytes] : sent) {
      if (received[key] != bytes) {
        return fmt::format("flows from rank {} to rank {} on channel {} do not pair up: {} sent, {} received",
                           std::get<0>(key), std::get<1>(key), std::get<2>(key), bytes.size(), received[key].size());
      }
    }
    return "some receives have no matching send";
  }
  return {};
}

}  // namespace trainsim
