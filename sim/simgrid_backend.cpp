// The only file that includes SimGrid. Flow-level contention (max-min sharing) on the
// topology's links, one actor per (GPU, stream). Settings (../shared/reference/
// simgrid-3.32-notes.md): CM02 (no TCP correction factors), cross-traffic off (it adds a
// reverse flow's load), TCP-gamma raised (it caps a flow at gamma / (2 x latency)).
#include <chrono>
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>
#include <simgrid/s4u.hpp>
#include <xbt/log.h>

#include "sim/backend.hpp"
#include "sim/flow_routes.hpp"

namespace sg4 = simgrid::s4u;

namespace trainsim {
namespace {

constexpr double kHostSpeed = 1e12;  // flop/s; compute ops run duration x speed flops

// Per simulated rank: how far each stream got, and a condition to wait for it.
struct RankState {
  std::array<std::uint32_t, kStreams> done{};
  sg4::MutexPtr mutex = sg4::Mutex::create();
  sg4::ConditionVariablePtr changed = sg4::ConditionVariable::create();
};

class SimGridRun {
 public:
  SimGridRun(const Workload& w, const Topology& topology, const ProgressFn& progress)
      : w_(w), topology_(topology), progress_(progress) {}
  Timeline run();

 private:
  void build_platform();
  sg4::Link* link(int id);
  void stream_actor(std::size_t rank, int stream);
  sg4::Mailbox* mailbox(std::size_t src, std::size_t dst, Channel c) const;

  const Workload& w_;
  const Topology& topology_;
  sg4::NetZone* zone_ = nullptr;
  std::vector<sg4::Host*> hosts_;
  std::map<std::pair<std::size_t, int>, sg4::Host*> shadows_;  // (sender, mirrored route) -> endpoint
  std::map<int, sg4::Link*> links_;
  std::vector<std::unique_ptr<RankState>> states_;
  sg4::BarrierPtr start_;
  Timeline timeline_;
  std::size_t completed_ = 0;
  const ProgressFn& progress_;
  std::size_t reported_percent_ = 0;
};

sg4::Link* SimGridRun::link(int id) {
  auto it = links_.find(id);
  if (it != links_.end()) return it->second;
  const auto& l = topology_.links()[static_cast<std::size_t>(id)];
  const double bandwidth = l.bandwidth.si() * w_.capacity_scale(id);
  auto* created = zone_->create_link(l.name, bandwidth)->set_latency(l.latency.si());
  created->seal();
  links_.emplace(id, created);
  return created;
}

void SimGridRun::build_platform() {
  zone_ = sg4::create_full_zone("cluster");
  for (std::size_t r = 0; r < w_.ranks.size(); ++r) {
    hosts_.push_back(zone_->create_host(fmt::format("rank{}", r), kHostSpeed)->seal());
  }
  std::set<std::pair<std::size_t, std::size_t>> routed;
  FlowRoutes routes(w_, topology_);
  for (std::size_t r = 0; r < w_.ranks.size(); ++r) {
    for (const auto& f : w_.ranks[r].flows) {
      if (!f.outgoing) continue;
      sg4::Host* dst = nullptr;
      if (f.mirrored_route >= 0) {
        const auto key = std::make_pair(r, static_cast<int>(f.mirrored_route));
        if (shadows_.contains(key)) continue;
        dst = zone_->create_host(fmt::format("mirror{}_{}", r, f.mirrored_route), kHostSpeed)->seal();
        shadows_.emplace(key, dst);
      } else {
        const auto peer = static_cast<std::size_t>(f.peer);
        if (!routed.insert({r, peer}).second) continue;
        dst = hosts_[peer];
      }
      std::vector<sg4::LinkInRoute> route;
      for (const int id : routes.of(w_.ranks[r], f)) route.emplace_back(link(id));
      zone_->add_route(hosts_[r]->get_netpoint(), dst->get_netpoint(), nullptr, nullptr, route, false);
    }
  }
  zone_->seal();
}

sg4::Mailbox* SimGridRun::mailbox(std::size_t src, std::size_t dst, Channel c) const {
  return sg4::Mailbox::by_name(fmt::format("{}>{}#{}", src, dst, static_cast<int>(c)));
}

void SimGridRun::stream_actor(std::size_t r, int s) {
  const auto& rank = w_.ranks[r];
  auto& state = *states_[r];
  // Eager delivery: every mailbox this stream receives from gets its receiver before any
  // actor sends (the barrier), so sends complete without waiting for a matching receive.
  std::set<std::pair<std::size_t, int>> incoming;
  for (const auto& op : rank.streams[static_cast<std::size_t>(s)]) {
    for (std::uint32_t i = op.flow_begin; i < op.flow_begin + op.flow_count; ++i) {
      const auto& f = rank.flows[i];
      if (!f.outgoing) incoming.insert({static_cast<std::size_t>(f.peer), static_cast<int>(f.channel)});
    }
  }
  for (const auto& [src, channel] : incoming) mailbox(src, r, static_cast<Channel>(channel))->set_receiver(sg4::Actor::self());
  start_->wait();

  static int token = 0;
  auto& timing = timeline_.ops[r][static_cast<std::size_t>(s)];
  const auto& stream = rank.streams[static_cast<std::size_t>(s)];
  for (std::size_t i = 0; i < stream.size(); ++i) {
    const auto& op = stream[i];
    {
      std::unique_lock lock(*state.mutex);
      for (std::uint32_t d = op.dep_begin; d < op.dep_begin + op.dep_count; ++d) {
        const auto& dep = rank.deps[d];
        state.changed->wait(lock, [&] { return state.done[static_cast<std::size_t>(dep.stream)] > dep.op; });
      }
    }
    timing[i].start = Seconds(sg4::Engine::get_clock());
    if (op.kind == OpKind::compute) {
      if (op.duration > Seconds(0)) sg4::this_actor::execute(op.duration.si() * kHostSpeed);
    } else {
      std::vector<sg4::CommPtr> comms;
      std::vector<int*> received(op.flow_count, nullptr);
      for (std::uint32_t k = 0; k < op.flow_count; ++k) {
        const auto& f = rank.flows[op.flow_begin + k];
        const auto bytes = static_cast<std::uint64_t>(f.bytes.count());
        if (f.mirrored_route >= 0) {
          comms.push_back(sg4::Comm::sendto_async(hosts_[r], shadows_.at({r, f.mirrored_route}), bytes));
        } else if (f.outgoing) {
          comms.push_back(mailbox(r, static_cast<std::size_t>(f.peer), f.channel)->put_async(&token, bytes));
        } else {
          comms.push_back(mailbox(static_cast<std::size_t>(f.peer), r, f.channel)->get_async<int>(&received[k]));
        }
      }
      sg4::Comm::wait_all(comms);
      if (op.extra_latency > Seconds(0)) sg4::this_actor::sleep_for(op.extra_latency.si());
    }
    timing[i].end = Seconds(sg4::Engine::get_clock());
    std::unique_lock lock(*state.mutex);
    ++state.done[static_cast<std::size_t>(s)];
    ++completed_;
    state.changed->notify_all();
    if (progress_ && completed_ * 100 / w_.op_count() > reported_percent_) {
      reported_percent_ = completed_ * 100 / w_.op_count();
      progress_(static_cast<std::int64_t>(completed_), static_cast<std::int64_t>(w_.op_count()));
    }
  }
}

Timeline SimGridRun::run() {
  const auto wall_start = std::chrono::steady_clock::now();
  int argc = 1;
  char name[] = "trainsim";
  char* argv[] = {name, nullptr};
  sg4::Engine engine(&argc, argv);
  xbt_log_control_set("root.thres:critical");
  sg4::Engine::set_config("network/model:CM02");
  sg4::Engine::set_config("network/crosstraffic:0");
  sg4::Engine::set_config("network/TCP-gamma", 1e12);
  sg4::Engine::set_config("contexts/stack-size", 256);
  build_platform();

  timeline_.backend = "simgrid";
  timeline_.ops.resize(w_.ranks.size());
  int actors = 0;
  for (std::size_t r = 0; r < w_.ranks.size(); ++r) {
    states_.push_back(std::make_unique<RankState>());
    for (int s = 0; s < kStreams; ++s) {
      timeline_.ops[r][static_cast<std::size_t>(s)].resize(w_.ranks[r].streams[static_cast<std::size_t>(s)].size());
      ++actors;
    }
  }
  start_ = sg4::Barrier::create(static_cast<unsigned>(actors));
  for (std::size_t r = 0; r < w_.ranks.size(); ++r) {
    for (int s = 0; s < kStreams; ++s) {
      sg4::Actor::create(fmt::format("rank{}.{}", r, to_string(static_cast<StreamId>(s))), hosts_[r],
                         [this, r, s] { stream_actor(r, s); });
    }
  }
  bool deadlock = false;
  sg4::Engine::on_deadlock_cb([&deadlock] { deadlock = true; });
  engine.run();
  if (deadlock || completed_ != w_.op_count()) {
    throw SimulationError(fmt::format("the simulation stopped with {} of {} ops done (deadlock)", completed_, w_.op_count()));
  }
  timeline_.makespan = Seconds(sg4::Engine::get_clock());
  timeline_.links = link_loads(w_, topology_);
  timeline_.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return timeline_;
}

class SimGridBackend final : public Backend {
 public:
  explicit SimGridBackend(ProgressFn progress) : progress_(std::move(progress)) {}
  Timeline run(const Workload& w, const Topology& topology) override {
    if (used_) throw SimulationError("SimGrid runs one simulation per process");
    used_ = true;
    SimGridRun run(w, topology, progress_);
    return run.run();
  }

 private:
  bool used_ = false;
  ProgressFn progress_;
};

}  // namespace

std::unique_ptr<Backend> make_simgrid_backend(ProgressFn progress) { return std::make_unique<SimGridBackend>(std::move(progress)); }

}  // namespace trainsim
