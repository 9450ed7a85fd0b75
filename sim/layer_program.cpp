#include "sim/layer_program.hpp"

namespace trainsim {

Seconds LayerProgram::weight_total() const {
  Seconds total;
  for (const auto t : weight) total += t;
  return total;
}

namespace {
void append(std::vector<Segment>& out, const LayerStep& s, Seconds t, LayerKind kind) {
  if (s.is_communication) {
    out.push_back({true, s.part, Seconds(0), &s, std::string(to_string(kind)) + "." + s.name});
    return;
  }
  if (out.empty() || out.back().is_communication || out.back().part != s.part) {
    out.push_back({false, s.part, Seconds(0), nullptr,
                   std::string(to_string(kind)) + "." + std::string(to_string(s.pass)) + "." + std::string(to_string(s.part))});
  }
  out.back().duration += t;
}
}  // namespace

LayerProgram layer_program(const LayerCosts& costs, const KernelTimeModel& kernels, double slowdown) {
  LayerProgram p;
  p.kind = costs.kind;
  for (const auto& s : costs.steps) {
    const Seconds t = s.is_communication ? Seconds(0) : kernels.time(s.kernel) * slowdown;
    switch (s.pass) {
      case Pass::forward: append(p.forward, s, t, costs.kind); break;
      case Pass::backward_input: append(p.backward, s, t, costs.kind); break;
      case Pass::backward_weight: p.weight[static_cast<std::size_t>(s.part)] += t; break;
    }
  }
  return p;
}

}  // namespace trainsim
