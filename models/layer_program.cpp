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
}  // namespace

LayerProgram layer_program(const LayerCosts& costs, const KernelTimeModel& kernels, double slowdown,
                           const CommunicationModel& comm) {
  LayerProgram p;
  p.kind = costs.kind;
  for (const auto& s : costs.steps) {
    const Seconds t = std::visit(
        [&](const auto& work) {
          using Work = std::decay_t<decltype(work)>;
          if constexpr (std::is_same_v<Work, KernelStep>) {
            return kernels.time(work.kernel) * (slowdown / work.sm_share);
          } else {
            return comm.time(work);
          }
        },
        s.work);
    switch (s.pass) {
      case Pass::forward: append(p.forward, s, t, costs.kind); break;
      case Pass::backward_input: append(p.backward, s, t, costs.kind); break;
      case Pass::backward_weight: p.weight[static_cast<std::size_t>(s.part)] += t; break;
    }
  }
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
