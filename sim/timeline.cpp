#include "sim/timeline.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace trainsim {

PhaseBreakdown phase_breakdown(const Workload& w, const Timeline& t, std::size_t r) {
  PhaseBreakdown b;
  b.rank = static_cast<std::int32_t>(r);
  const auto& rank = w.ranks[r];
  const auto& compute = rank.streams[static_cast<std::size_t>(StreamId::compute)];
  const auto& timing = t.ops[r][static_cast<std::size_t>(StreamId::compute)];
  // An item's span on the compute stream: from its first kernel's start to its last one's
  // end, waits for communication inside it included; the optimizer item also counts the
  // data-parallel exchanges around its kernel.
  std::vector<Seconds> first(rank.items.size(), Seconds(-1));
  std::vector<Seconds> last(rank.items.size(), Seconds(-1));
  for (std::size_t i = 0; i < compute.size(); ++i) {
    const auto item = compute[i].item;
    if (first[item] < Seconds(0)) first[item] = timing[i].start;
    last[item] = timing[i].end;
    if (rank.items[item].kind != ItemKind::optimizer) b.busy_compute += compute[i].duration;
  }
  Seconds covered;
  for (std::size_t item = 0; item < rank.items.size(); ++item) {
    if (first[item] < Seconds(0)) continue;
    const Seconds span = last[item] - first[item];
    switch (rank.items[item].kind) {
      case ItemKind::forward: b.forward += span; break;
      case ItemKind::backward: b.backward += span; break;
      case ItemKind::weight: b.weight += span; break;
      case ItemKind::forward_backward: b.overlapped += span; break;
      case ItemKind::optimizer: break;
    }
    if (rank.items[item].kind != ItemKind::optimizer) covered += span;
  }
  // The optimizer phase runs from the end of the last chunk to the end of the rank's own
  // step-end work (its exchange and update); waiting for other ranks after it is idle.
  Seconds chunks_end;
  Seconds sync_end;
  for (std::size_t item = 0; item < rank.items.size(); ++item) {
    if (rank.items[item].kind != ItemKind::optimizer && last[item] > chunks_end) chunks_end = last[item];
  }
  for (int s = 0; s < kStreams; ++s) {
    const auto& ops = rank.streams[static_cast<std::size_t>(s)];
    for (std::size_t i = 0; i < ops.size(); ++i) {
      if (rank.items[ops[i].item].kind == ItemKind::optimizer) sync_end = max(sync_end, t.ops[r][static_cast<std::size_t>(s)][i].end);
    }
  }
  b.optimizer = max(Seconds(0), sync_end - chunks_end);
  b.bubble = t.makespan - covered - b.optimizer;
  return b;
}

std::size_t pace_setting_rank(const Workload& w) {
  std::size_t best = 0;
  Seconds most(-1);
  for (std::size_t r = 0; r < w.ranks.size(); ++r) {
    const auto& rank = w.ranks[r];
    Seconds compute(0);
    for (const auto& op : rank.streams[static_cast<std::size_t>(StreamId::compute)]) {
      if (rank.items[op.item].kind != ItemKind::optimizer) compute += op.duration;
    }
    if (compute > most * (1.0 + 1e-12)) {
      most = compute;
      best = r;
    }
  }
  return best;
}

}  // namespace trainsim

namespace trainsim {
namespace {
template <class T>
void put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
template <class T>
T take(const std::string& in, std::size_t& at) {
  if (at + sizeof(T) > in.size()) throw std::runtime_error("truncated timeline");
  T v;
  std::memcpy(&v, in.data() + at, sizeof v);
  at += sizeof v;
  return v;
}
}  // namespace

std::string serialize_timeline(const Timeline& t) {
  std::string out;
  put(out, t.makespan.si());
  put(out, t.wall_seconds);
  put(out, static_cast<std::uint64_t>(t.ops.size()));
  for (const auto& rank : t.ops) {
    for (const auto& stream : rank) {
      put(out, static_cast<std::uint64_t>(stream.size()));
      for (const auto& op : stream) {
        put(out, op.start.si());
        put(out, op.end.si());
      }
    }
  }
  put(out, static_cast<std::uint64_t>(t.links.size()));
  for (const auto& l : t.links) {
    put(out, l.link);
    put(out, l.bytes.count());
  }
  put(out, static_cast<std::uint64_t>(t.backend.size()));
  out += t.backend;
  return out;
}

Timeline deserialize_timeline(const std::string& in) {
  Timeline t;
  std::size_t at = 0;
  t.makespan = Seconds(take<double>(in, at));
  t.wall_seconds = take<double>(in, at);
  t.ops.resize(take<std::uint64_t>(in, at));
  for (auto& rank : t.ops) {
    for (auto& stream : rank) {
      stream.resize(take<std::uint64_t>(in, at));
      for (auto& op : stream) {
        op.start = Seconds(take<double>(in, at));
        op.end = Seconds(take<double>(in, at));
      }
    }
  }
  t.links.resize(take<std::uint64_t>(in, at));
  for (auto& l : t.links) {
    l.link = take<int>(in, at);
    l.bytes = Bytes(take<std::int64_t>(in, at));
  }
  const auto name = take<std::uint64_t>(in, at);
  t.backend = in.substr(at, name);
  return t;
}

}  // namespace trainsim
