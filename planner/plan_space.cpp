#include "planner/plan_space.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/json_reader.hpp"
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

// A list of integers in [min, max], or nothing when the key is absent.
void read_integers(ObjectReader& r, std::string_view key, std::vector<std::int64_t>& out, std::int64_t min = 1,
                   std::int64_t max = ObjectReader::kNoMax) {
  if (!r.has(key)) return;
  std::vector<std::int64_t> values;
  for (const auto& element : r.array(key)) {
    const auto& v = *element.node;
    if (v.is_number_integer() && v.get<std::int64_t>() >= min && v.get<std::int64_t>() <= max) {
      values.push_back(v.get<std::int64_t>());
    } else {
      const auto range = max == ObjectReader::kNoMax ? fmt::format("an integer >= {}", min)
                                                     : fmt::format("an integer from {} to {}", min, max);
      r.diagnostics().error(element.pointer, "expected " + range + ", got " + describe_json(v));
    }
  }
  if (values.empty()) r.diagnostics().error(child_pointer(r.pointer(), key), "give at least one value");
  out = values;
}

template <typename T>
void read_choices(ObjectReader& r, std::string_view key, std::vector<T>& out,
                  const std::function<std::optional<T>(const JsonRef&)>& parse_one) {
  if (!r.has(key)) return;
  std::vector<T> values;
  for (const auto& element : r.array(key)) {
    if (auto v = parse_one(element)) values.push_back(*v);
  }
  if (values.empty()) r.diagnostics().error(child_pointer(r.pointer(), key), "give at least one value");
  out = values;
}

// The schedule names of the scenario format ("1f1b", "dualpipe", ...), read through the plan
// parser so that both accept the same spellings.
std::optional<ParallelPlan> plan_with(const JsonRef& element, std::string_view key, const ParallelPlan& base,
                                      Diagnostics& diag) {
  nlohmann::json doc = {{std::string(key), *element.node}};
  Diagnostics local(diag.file());
  ObjectReader reader(doc, "", local);
  auto plan = parse_parallel_plan(reader, &base);
  if (!local.has_errors()) return plan;
  diag.error(element.pointer, fmt::format("not a valid {}: {}", key, describe_json(*element.node)),
             "use the values the scenario's \"parallel\" object accepts");
  return std::nullopt;
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
  space.micro_batch_sizes = {1, 2, 4};
  space.virtual_stages = {2, 4};
  for (const auto* traits : all_schedules()) space.schedules.push_back(traits->id());
  space.zero_stages = {0, 1, 2, 3};
  space.recomputation = {RecomputeSet(), RecomputeSet(static_cast<unsigned>(RecomputePart::attention_core)),
                         RecomputeSet(static_cast<unsigned>(RecomputePart::full_layer))};
  if (std::find(space.recomputation.begin(), space.recomputation.end(), s.plan.recompute) == space.recomputation.end()) {
    space.recomputation.push_back(s.plan.recompute);
  }
  space.precisions = {Precision::bf16};
  if (c.gpu.peak(Precision::fp8)) space.precisions.push_back(Precision::fp8);
  if (s.planner.is_null()) return space;

  Diagnostics diag(s.file);
  ObjectReader r(s.planner, "/planner", diag);
  read_integers(r, "gpu_counts", space.gpu_counts);
  read_integers(r, "tensor_parallel", space.tensor);
  read_integers(r, "pipeline_parallel", space.pipeline);
  read_integers(r, "context_parallel", space.context);
  read_integers(r, "expert_parallel", space.expert);
  read_integers(r, "micro_batch_sizes", space.micro_batch_sizes);
  read_integers(r, "virtual_stages", space.virtual_stages);
  const auto field = [&](std::string_view key) {
    return [&, key](const JsonRef& e) { return plan_with(e, key, s.plan, diag); };
  };
  std::vector<ParallelPlan> plans;
  read_choices<ParallelPlan>(r, "schedules", plans, field("schedule"));
  if (r.has("schedules")) {
    space.schedules.clear();
    for (const auto& p : plans) space.schedules.push_back(p.schedule);
  }
  plans.clear();
  read_choices<ParallelPlan>(r, "recomputation", plans, field("recomputation"));
  if (r.has("recomputation")) {
    space.recomputation.clear();
    for (const auto& p : plans) space.recomputation.push_back(p.recompute);
  }
  plans.clear();
  read_choices<ParallelPlan>(r, "precisions", plans, field("precision"));
  if (r.has("precisions")) {
    space.precisions.clear();
    for (const auto& p : plans) space.precisions.push_back(p.precision);
  }
  std::vector<std::int64_t> zero;
  read_integers(r, "zero_stages", zero, 0, 3);
  if (!zero.empty()) space.zero_stages.assign(zero.begin(), zero.end());
  r.optional_string("note");  // why the constraints are what they are
  space.tensor_within_node = r.optional_boolean("tensor_within_node").value_or(true);
  space.top_k = static_cast<int>(r.optional_integer("top_k", 0, 1000).value_or(space.top_k));
  r.finish();
  diag.throw_if_any();
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
  for (const auto gpus : space.gpu_counts) {
    for (const auto tp : space.tensor) {
      for (const auto pp : space.pipeline) {
        for (const auto cp : space.context) {
          if (gpus % (tp * pp * cp) != 0) continue;
          const std::int64_t dp = gpus / (tp * pp * cp);
          for (const auto ep : space.expert) {
            for (const auto schedule : space.schedules) {
              const bool virtual_stages = schedule_traits(schedule).uses_virtual_stages();
              for (const auto vpp : virtual_stages ? space.virtual_stages : std::vector<std::int64_t>{1}) {
                for (const auto mb : space.micro_batch_sizes) {
                  for (const auto zero : space.zero_stages) {
                    for (const auto& recompute : space.recomputation) {
                      for (const auto precision : space.precisions) {
                        p.tensor = tp;
                        p.pipeline = pp;
                        p.context = cp;
                        p.data = dp;
                        p.expert = ep;
                        p.schedule = schedule;
                        p.virtual_stages = vpp;
                        p.micro_batch_size = mb;
                        p.zero_stage = zero;
                        p.recompute = recompute;
                        p.precision = precision;
                        visit(p, gpus);
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}

}  // namespace trainsim
