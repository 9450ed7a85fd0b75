#include <algorithm>
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
  // Seconds after an exchange starts at which each of its flows (outgoing ones; zero for the
  // others) arrives, with nothing but its own flows on the links: no sooner than its route's
  // latency plus its size at the slowest link's rate, and, on each link it shares with the
  // exchange's other flows, no sooner than the link can have carried, of every flow, as much as
  // the smaller of the two (processor sharing: max-min), counted from the first of them to
  // start. Both are lower bounds of what SimGrid's flow model gives, which adds contention with
  // other exchanges on top: SimGrid is never faster.
  static std::vector<Seconds> arrivals(const Workload& w, const Topology& topology, FlowRoutes& routes,
                                       const RankProgram& rank, const Op& op);
};

std::vector<Seconds> AnalyticBackend::arrivals(const Workload& w, const Topology& topology, FlowRoutes& routes,
                                               const RankProgram& rank, const Op& op) {
  struct Shared {
    std::vector<std::int64_t> sizes;   // sorted
    std::vector<std::int64_t> prefix;  // prefix[i]: sum of the i smallest
    Seconds first_start{1e300};        // the smallest route latency among them
  };
  const auto route_latency = [&](const std::vector<int>& route) {
    Seconds latency;
    for (const int l : route) latency += topology.links()[static_cast<std::size_t>(l)].latency;
    return latency;
  };
  std::map<int, Shared> links;
  for (std::uint32_t i = op.flow_begin; i < op.flow_begin + op.flow_count; ++i) {
    const auto& f = rank.flows[i];
    if (!f.outgoing) continue;
    const auto& route = routes.of(rank, f);
    const Seconds latency = route_latency(route);
    for (const int l : route) {
      auto& shared = links[l];
      shared.sizes.push_back(f.bytes.count());
      shared.first_start = min(shared.first_start, latency);
    }
  }
  for (auto& [l, shared] : links) {
    std::sort(shared.sizes.begin(), shared.sizes.end());
    shared.prefix.assign(1, 0);
    for (const auto s : shared.sizes) shared.prefix.push_back(shared.prefix.back() + s);
  }
  std::vector<Seconds> out(op.flow_count, Seconds(0));
  for (std::uint32_t i = 0; i < op.flow_count; ++i) {
    const auto& f = rank.flows[op.flow_begin + i];
    if (!f.outgoing) continue;
    const auto& route = routes.of(rank, f);
    Seconds alone;
    Seconds shared_done;
    for (const int l : route) {
      const auto& link = topology.links()[static_cast<std::size_t>(l)];
      const BytesPerSecond rate = link.bandwidth * w.capacity_scale(l);
      const auto& shared = links[l];
      const auto smaller = static_cast<std::size_t>(std::upper_bound(shared.sizes.begin(), shared.sizes.end(), f.bytes.count()) -
                                                    shared.sizes.begin());
      const std::int64_t carried = shared.prefix[smaller] + f.bytes.count() * static_cast<std::int64_t>(shared.sizes.size() - smaller);
      alone = max(alone, f.bytes / rate);
      shared_done = max(shared_done, shared.first_start + Bytes(carried) / rate);
    }
    out[i] = max(route_latency(route) + alone, shared_done);
  }
  return out;
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
              const auto arrival = arrivals(w, topology, routes, rank, op);
              for (std::uint32_t i = 0; i < op.flow_count; ++i) {
                const auto& f = rank.flows[op.flow_begin + i];
                if (!f.outgoing) continue;
                timing[c].end = max(timing[c].end, start + arrival[i]);
                if (f.mirrored_route < 0) {
                  in_flight[{static_cast<int>(r), f.peer, static_cast<int>(f.channel)}].push_back(start + arrival[i]);
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
