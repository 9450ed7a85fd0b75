#include "models/layer_program.hpp"

#include <algorithm>
#include <limits>
#include <type_traits>

#include <fmt/format.h>

namespace trainsim {

Seconds LayerProgram::weight_total() const {
  Seconds total;
  for (const auto t : weight) total += t;
  return total;
}

namespace {
void append(std::vector<Segment>& out, const LayerStep& s, Seconds t, LayerKind kind) {
  if (s.is_communication()) {
    out.push_back({true, s.part, t, &s, fmt::format("{}.{}", to_string(kind), s.name), s.overlaps_next});
    return;
  }
  // The segment beside an overlapping communication holds just that step.
  const bool beside = out.size() >= 2 && out[out.size() - 2].overlaps_next;
  if (out.empty() || out.back().is_communication || out.back().part != s.part || beside) {
    out.push_back({false, s.part, Seconds(0), nullptr, fmt::format("{}.{}.{}", to_string(kind), to_string(s.pass), to_string(s.part)), false});
  }
  out.back().duration += t;
}

// Whether a step of a layer of `kind` runs inside a CUDA graph: transformer layers are captured,
// except, in a layer where the host waits for the device, the parts from the wait onwards.
bool captured(const LayerStep& s, LayerKind kind, bool graphs, bool layer_waits) {
  if (!graphs || kind == LayerKind::embedding || kind == LayerKind::head) return false;
  return !layer_waits || s.part == LayerPart::attention;
}

// The passes the host issues as one stretch: forward; the backward pass with its weight
// gradients, or without them where the schedule runs them apart.
int issue_pass(Pass pass, const HostIssue& host) {
  if (pass == Pass::forward) return 0;
  return pass == Pass::backward_weight && host.separate_weight_pass ? 2 : 1;
}

// The host's time to issue each step of issue pass `pass` and the device's time on its
// critical path.
std::vector<PacedStep> paced(const LayerCosts& costs, const std::vector<Seconds>& times, int pass,
                             const HostIssue& host, bool layer_waits) {
  std::vector<PacedStep> out;
  bool in_graph = false;
  for (std::size_t i = 0; i < costs.steps.size(); ++i) {
    const auto& s = costs.steps[i];
    if (issue_pass(s.pass, host) != pass) continue;
    PacedStep p;
    p.host_waits = s.host_waits;
    p.device = s.overlaps_next ? Seconds(0) : times[i];
    const bool graph = captured(s, costs.kind, host.cuda_graphs, layer_waits);
    if (graph) {
      if (!in_graph) p.host = host.costs.per_graph_launch;
    } else {
      p.host = host.costs.per_operation * s.operations +
               host.costs.per_extra_launch * std::max(0, s.launches - s.operations);
    }
    in_graph = graph;
    out.push_back(p);
  }
  return out;
}
}  // namespace

LayerProgram layer_program(const LayerCosts& costs, const KernelTimeModel& kernels, double slowdown,
                           const CommunicationModel& comm, const HostIssue& host) {
  LayerProgram p;
  p.kind = costs.kind;
  std::vector<Seconds> times;
  for (const auto& s : costs.steps) {
    times.push_back(std::visit(
        [&](const auto& work) {
          using Work = std::decay_t<decltype(work)>;
          if constexpr (std::is_same_v<Work, KernelStep>) {
            return kernels.time(work.kernel) * (slowdown / work.sm_share);
          } else {
            return comm.time(work);
          }
        },
        s.work));
  }
  // The device's waits for the host, per pass in issue order. A communication step's wait is
  // borne by the compute after it (the engine times communication by its traffic).
  std::array<std::vector<Seconds>, 3> stalls;
  std::array<std::size_t, 3> next{};
  const bool layer_waits = std::any_of(costs.steps.begin(), costs.steps.end(), [](const LayerStep& s) { return s.host_waits; });
  for (int pass = 0; pass < 3; ++pass) {
    stalls[static_cast<std::size_t>(pass)] = host_stalls(paced(costs, times, pass, host, layer_waits));
  }
  Seconds carried;
  // A pass that ends in communication leaves its wait to its last compute segment.
  const auto settle = [&](std::vector<Segment>& segments) {
    for (auto it = segments.rbegin(); it != segments.rend() && carried > Seconds(0); ++it) {
      if (it->is_communication) continue;
      it->duration += carried;
      p.host_stall += carried;
      carried = Seconds(0);
    }
  };
  for (std::size_t i = 0; i < costs.steps.size(); ++i) {
    const auto& s = costs.steps[i];
    const auto pass = static_cast<std::size_t>(issue_pass(s.pass, host));
    if (i > 0 && carried > Seconds(0)) {
      const auto previous = costs.steps[i - 1].pass;
      if (static_cast<std::size_t>(issue_pass(previous, host)) != pass) settle(previous == Pass::forward ? p.forward : p.backward);
    }
    Seconds t = times[i];
    const Seconds stall = stalls[pass][next[pass]++];
    if (s.is_communication()) {
      carried += stall;
    } else {
      t += stall + carried;
      p.host_stall += stall + carried;
      carried = Seconds(0);
    }
    switch (s.pass) {
      case Pass::forward: append(p.forward, s, t, costs.kind); break;
      case Pass::backward_input: append(p.backward, s, t, costs.kind); break;
      case Pass::backward_weight: p.weight[static_cast<std::size_t>(s.part)] += t; break;
    }
  }
  settle(costs.steps.empty() || costs.steps.back().pass == Pass::forward ? p.forward : p.backward);
  return p;
}

Seconds ProgramUnit::duration() const {
  return segment != nullptr ? segment->duration : program->weight[static_cast<std::size_t>(weight_part)];
}

namespace {

// Each part's last compute segment in `segments` (the largest size_t: none), after which its weight
// gradients run.
using PartEnds = std::array<std::size_t, 4>;
PartEnds part_ends(const std::vector<Segment>& segments) {
  PartEnds ends;
  ends.fill(std::numeric_limits<std::size_t>::max());
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (!segments[i].is_communication) ends[static_cast<std::size_t>(segments[i].part)] = i;
  }
  return ends;
}

void append_backward_segment(std::vector<ProgramUnit>& units, const LayerProgram& p, std::size_t index,
                             const PartEnds* ends, bool backward_chain) {
  const auto& s = p.backward[index];
  units.push_back({backward_chain, &p, &s, LayerPart::attention});
  const auto part = static_cast<std::size_t>(s.part);
  if (ends == nullptr || (*ends)[part] != index) return;
  if (p.weight[part] > Seconds(0)) units.push_back({backward_chain, &p, nullptr, s.part});
}

void append_forward(std::vector<ProgramUnit>& units, const LayerProgram& p) {
  for (const auto& s : p.forward) units.push_back({false, &p, &s, LayerPart::attention});
}

void append_backward(std::vector<ProgramUnit>& units, const LayerProgram& p, bool with_weights, bool backward_chain) {
  const auto ends = part_ends(p.backward);
  for (std::size_t j = 0; j < p.backward.size(); ++j) {
    append_backward_segment(units, p, j, with_weights ? &ends : nullptr, backward_chain);
  }
}

}  // namespace

std::vector<ProgramUnit> forward_units(const LayerPrograms& layers) {
  std::vector<ProgramUnit> units;
  for (const auto* p : layers) append_forward(units, *p);
  return units;
}

std::vector<ProgramUnit> backward_units(const LayerPrograms& layers, bool with_weights) {
  std::vector<ProgramUnit> units;
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) append_backward(units, **it, with_weights, false);
  return units;
}

std::vector<ProgramUnit> pair_units(const LayerPrograms& forward, const LayerPrograms& backward) {
  std::vector<ProgramUnit> units;
  const std::size_t common = std::min(forward.size(), backward.size());
  for (std::size_t k = 0; k < common; ++k) {
    const auto& f = *forward[k];
    const auto& b = *backward[backward.size() - 1 - k];
    const auto ends = part_ends(b.backward);
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < f.forward.size() || j < b.backward.size()) {
      if (j < b.backward.size()) append_backward_segment(units, b, j++, &ends, true);
      if (i < f.forward.size()) units.push_back({false, &f, &f.forward[i++], LayerPart::attention});
    }
  }
  for (std::size_t k = common; k < forward.size(); ++k) append_forward(units, *forward[k]);
  for (std::size_t k = common; k < backward.size(); ++k) append_backward(units, *backward[backward.size() - 1 - k], true, true);
  return units;
}

Seconds two_stream_time(const std::vector<ProgramUnit>& units) {
  struct Chain {
    Seconds ready;
    Seconds beside_end;  // an overlapping communication's end, which the unit after next awaits
    int beside = 0;      // units until that wait: 2 right after the communication
  };
  std::array<Seconds, 2> stream_free{};  // compute, communication
  std::array<Chain, 2> chains{};         // forward, backward
  Seconds end(0);
  for (const auto& u : units) {
    auto& stream = stream_free[u.is_communication() ? 1 : 0];
    auto& chain = chains[u.backward_chain ? 1 : 0];
    // The unit after next waits for an overlapping communication; if that unit overlaps in turn,
    // the wait passes on to the unit beside it (a bulk scatter after a gather's data gradient:
    // the weight gradient beside the scatter needs the gathered input).
    if (chain.beside == 1) chain.ready = max(chain.ready, chain.beside_end);
    const Seconds start = max(stream, chain.ready);
    const Seconds finish = start + u.duration();
    stream = finish;
    end = max(end, finish);
    if (chain.beside > 0) --chain.beside;
    if (u.is_communication() && u.segment->overlaps_next) {
      chain.beside_end = finish;
      chain.beside = 2;
      continue;  // the next unit of the chain does not wait for it
    }
    chain.ready = finish;
  }
  return end;
}

}  // namespace trainsim
