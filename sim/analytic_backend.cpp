#include <chrono>
#include <deque>
#include <map>
#include <tuple>

#include "sim/backend.hpp"
#include "sim/flow_routes.hpp"

namespace trainsim {

namespace {

class AnalyticBackend final : public Backend {
 public:
  Timeline run(const Workload& w, const Topology& topology) override;

 private:
  // Duration of an exchange's own outgoing transfers: each link carries the sum of this op's
  // flows over it (no other op's), plus the longest route latency.
  static Seconds transfer_time(const Workload& w, const Topology& topology, FlowRoutes& routes, const RankProgram& rank,
                               const Op& op);
};

Seconds AnalyticBackend::transfer_time(const Workload& w, const Topology& topology, FlowRoutes& routes,
                                       const RankProgram& rank, const Op& op) {
  std::map<int, std::int64_t> load;
  Seconds latency;
  for (std::uint32_t i = op.flow_begin; i < op.flow_begin + op.flow_count; ++i) {
    const auto& f = rank.flows[i];
    if (!f.outgoing) continue;
    Seconds route_latency;
    for (const int l : routes.of(rank, f)) {
      load[l] += f.bytes.count();
      route_latency += topology.links()[static_cast<std::size_t>(l)].latency;
    }
    latency = max(latency, route_latency);
  }
  Seconds slowest;
  for (const auto& [l, bytes] : load) {
    const auto& link = topology.links()[static_cast<std::size_t>(l)];
    slowest = max(slowest, Bytes(bytes) / (link.bandwidth * w.capacity_scale(l)));
  }
  return latency + slowest;
}

Timeline AnalyticBackend::run(const Workload& w, const Topology& topology) {
  const auto wall_start = std::chrono::steady_clock::now();
  Timeline t;
  t.backend = "analytic";
  const std::size_t n = w.ranks.size();
  t.ops.resize(n);
  for (std::size_t r = 0; r < n; ++r) {
    for (int s = 0; s < kStreams; ++s) t.ops[r][static_cast<std::size_t>(s)].resize(w.ranks[r].streams[static_cast<std::size_t>(s)].size());
  }
  // Messages posted but not yet received: (src, dst, channel) -> arrival times, in order.
  std::map<std::tuple<int, int, int>, std::deque<Seconds>> in_flight;
  // Per stream: the next op, and whether it has started (an exchange posts its sends when it
  // starts, then waits for the messages it receives).
  std::vector<std::array<std::size_t, kStreams>> cursor(n, std::array<std::size_t, kStreams>{});
  std::vector<std::array<bool, kStreams>> started(n, std::array<bool, kStreams>{});
  std::size_t remaining = w.op_count();
  FlowRoutes routes(w, topology);

  const auto finished = [&](std::size_t r, const Dependency& d) {
    return cursor[r][static_cast<std::size_t>(d.stream)] > d.op;
  };
  bool progress = true;
  while (remaining > 0 && progress) {
    progress = false;
    for (std::size_t r = 0; r < n; ++r) {
      const auto& rank = w.ranks[r];
      for (int s = 0; s < kStreams; ++s) {
        auto& c = cursor[r][static_cast<std::size_t>(s)];
        auto& is_started = started[r][static_cast<std::size_t>(s)];
        const auto& stream = rank.streams[static_cast<std::size_t>(s)];
        auto& timing = t.ops[r][static_cast<std::size_t>(s)];
        while (c < stream.size()) {
          const auto& op = stream[c];
          if (!is_started) {
            bool ready = true;
            Seconds start = c > 0 ? timing[c - 1].end : Seconds(0);
            for (std::uint32_t d = op.dep_begin; d < op.dep_begin + op.dep_count && ready; ++d) {
              const auto& dep = rank.deps[d];
              ready = finished(r, dep);
              if (ready) start = max(start, t.ops[r][static_cast<std::size_t>(dep.stream)][dep.op].end);
            }
            if (!ready) break;
            timing[c] = {start, start + op.duration};
            if (op.kind == OpKind::exchange) {
              const Seconds sent = start + transfer_time(w, topology, routes, rank, op);
              timing[c].end = sent;
              for (std::uint32_t i = op.flow_begin; i < op.flow_begin + op.flow_count; ++i) {
                const auto& f = rank.flows[i];
                if (f.outgoing && f.mirrored_route < 0) {
                  in_flight[{static_cast<int>(r), f.peer, static_cast<int>(f.channel)}].push_back(sent);
                }
              }
            }
            is_started = true;
            progress = true;
          }
          if (op.kind == OpKind::exchange) {
            bool arrived = true;
            for (std::uint32_t i = op.flow_begin; i < op.flow_begin + op.flow_count && arrived; ++i) {
              const auto& f = rank.flows[i];
              if (!f.outgoing) arrived = !in_flight[{f.peer, static_cast<int>(r), static_cast<int>(f.channel)}].empty();
            }
            if (!arrived) break;
            for (std::uint32_t i = op.flow_begin; i < op.flow_begin + op.flow_count; ++i) {
              const auto& f = rank.flows[i];
              if (f.outgoing) continue;
              auto& q = in_flight[{f.peer, static_cast<int>(r), static_cast<int>(f.channel)}];
              timing[c].end = max(timing[c].end, q.front());
              q.pop_front();
            }
            timing[c].end += op.extra_latency;
          }
          t.makespan = max(t.makespan, timing[c].end);
          ++c;
          is_started = false;
          --remaining;
          progress = true;
        }
      }
    }
  }
  if (remaining > 0) throw SimulationError("the workload deadlocks: " + std::to_string(remaining) + " ops can never start");
  t.links = link_loads(w, topology);
  t.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return t;
}

}  // namespace

std::unique_ptr<Backend> make_analytic_backend() { return std::make_unique<AnalyticBackend>(); }

}  // namespace trainsim
