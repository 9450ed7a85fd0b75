#include "planner/plan_space.hpp"

#include <algorithm>

#include "models/schedule_traits.hpp"

namespace trainsim {

namespace {

std::vector<std::int64_t> divisors_up_to(std::int64_t n, std::int64_t limit) {
  std::vector<std::int64_t> out;
  for (std::int64_t d = 1; d <= std::min(n, limit); ++d) {
    if (n % d == 0) out.push_back(d);
  }
  return out;
}

std::vector<std::int64_t> powers_of_two_up_to(std::int64_t limit) {
  std::vector<std::int64_t> out;
  for (std::int64_t v = 1; v <= limit; v *= 2) out.push_back(v);
  return out;
}

template <class T>
void narrow(std::vector<T>& axis, const std::optional<std::vector<T>>& values) {
  if (values) axis = *values;
}

}  // namespace

PlanSpace plan_space(const Scenario& s) {
  const auto& m = s.model;
  const auto& c = s.cluster;
  PlanSpace space;
  space.gpu_counts = {c.gpu_count};
  space.tensor = powers_of_two_up_to(c.gpus_per_node);
  space.pipeline = divisors_up_to(c.gpu_count, m.num_layers);
  space.context = {1, 2, 4, 8, 16};
  space.expert = m.moe ? divisors_up_to(m.moe->num_routed_experts, m.moe->num_routed_experts) : std::vector<std::int64_t>{1};
  space.expert_tensor = m.moe ? std::vector<std::int64_t>{0, 1} : std::vector<std::int64_t>{0};
  space.micro_batch_sizes = {1, 2, 4};
  space.virtual_stages = {2, 4};
  for (const auto* traits : all_schedules()) space.schedules.push_back(traits->id());
  space.zero_stages = {0, 1, 2, 3};
  space.recomputation = {RecomputeSet(), RecomputeSet(static_cast<unsigned>(RecomputePart::attention_core)),
                         RecomputeSet(static_cast<unsigned>(RecomputePart::full_layer))};
  if (std::find(space.recomputation.begin(), space.recomputation.end(), s.plan.recompute) == space.recomputation.end()) {
    space.recomputation.push_back(s.plan.recompute);
  }
  space.precisions = {s.plan.precision};
  if (!s.planner) return space;
  const auto& p = *s.planner;
  narrow(space.gpu_counts, p.gpu_counts);
  narrow(space.tensor, p.tensor);
  narrow(space.pipeline, p.pipeline);
  narrow(space.context, p.context);
  narrow(space.expert, p.expert);
  narrow(space.expert_tensor, p.expert_tensor);
  narrow(space.micro_batch_sizes, p.micro_batch_sizes);
  narrow(space.virtual_stages, p.virtual_stages);
  narrow(space.schedules, p.schedules);
  narrow(space.zero_stages, p.zero_stages);
  narrow(space.recomputation, p.recomputation);
  narrow(space.precisions, p.precisions);
  space.tensor_within_node = p.tensor_within_node.value_or(space.tensor_within_node);
  space.top_k = p.top_k.value_or(space.top_k);
  space.min_headroom = p.min_headroom.value_or(space.min_headroom);
  if (space.tensor_within_node) {
    std::erase_if(space.tensor, [&](std::int64_t t) { return t > c.gpus_per_node; });
  }
  return space;
}

std::int64_t plan_count(const PlanSpace& space) {
  std::int64_t count = 0;
  for_each_plan(space, ParallelPlan{}, [&](const ParallelPlan&, std::int64_t) { ++count; });
  return count;
}

void for_each_plan(const PlanSpace& space, const ParallelPlan& base,
                   const std::function<void(const ParallelPlan&, std::int64_t)>& visit) {
  ParallelPlan p = base;
  p.layers_per_chunk.clear();
  // Without a pipeline, GPipe and interleaved 1F1B run the passes 1F1B runs, in the same time,
  // keeping more activations: at PP1 they are not visited when the space has 1F1B, except as the
  // base's own plan (so that it is recognised). Not under ZeRO-3 or overlapped data-parallel
  // exchange, whose prefetches and reduce-scatters follow the pass order; the zero-bubble
  // schedules (separate weight passes) and DualPipeV (overlapped pairs) are timed differently
  // and always visited.
  const bool has_1f1b = std::find(space.schedules.begin(), space.schedules.end(), Schedule::one_f_one_b) != space.schedules.end();
  const auto same_as_1f1b = [&](const ParallelPlan& q) {
    if (q.pipeline != 1 || !has_1f1b || q.zero_stage == 3 || q.overlap_data_parallel) return false;
    if (q.schedule != Schedule::gpipe && q.schedule != Schedule::interleaved_1f1b) return false;
    return !(base.pipeline == 1 && q.schedule == base.schedule && q.virtual_stages == base.virtual_stages);
  };
  // The innermost axes: everything but the degrees, which the caller has set on `p`.
  const auto visit_settings = [&](std::int64_t gpus) {
    for (const auto schedule : space.schedules) {
      p.schedule = schedule;
      // The scenario's userbuffers overlap where Transformer Engine allows it: with a schedule
      // that defers weight gradients one would run without it (the plan rules refuse the two).
      p.tp_comm_overlap = base.tp_comm_overlap && !schedule_traits(schedule).defers_weight_gradients();
      const bool virtual_stages = schedule_traits(schedule).uses_virtual_stages();
      for (const auto vpp : virtual_stages ? space.virtual_stages : std::vector<std::int64_t>{1}) {
        p.virtual_stages = vpp;
        for (const auto mb : space.micro_batch_sizes) {
          p.micro_batch_size = mb;
          for (const auto zero : space.zero_stages) {
            p.zero_stage = zero;
            for (const auto& recompute : space.recomputation) {
              p.recompute = recompute;
              for (const auto precision : space.precisions) {
                p.precision = precision;
                if (!same_as_1f1b(p)) visit(p, gpus);
              }
            }
          }
        }
      }
    }
  };
  for (const auto gpus : space.gpu_counts) {
    for (const auto tp : space.tensor) {
      for (const auto pp : space.pipeline) {
        for (const auto cp : space.context) {
          if (gpus % (tp * pp * cp) != 0) continue;
          p.tensor = tp;
          p.pipeline = pp;
          p.context = cp;
          p.data = gpus / (tp * pp * cp);
          for (const auto ep : space.expert) {
            p.expert = ep;
            std::vector<std::int64_t> seen;  // effective expert tensor degrees at this tensor degree
            for (const auto etp : space.expert_tensor) {
              const std::int64_t effective = etp == 0 ? tp : etp;
              if (std::find(seen.begin(), seen.end(), effective) != seen.end()) continue;
              seen.push_back(effective);
              // The base plan's own spelling of the same degree, so that it is recognised.
              const bool as_base = effective == (base.expert_tensor == 0 ? tp : base.expert_tensor);
              p.expert_tensor = as_base ? base.expert_tensor : etp;
              visit_settings(gpus);
            }
          }
        }
      }
    }
  }
}

}  // namespace trainsim
