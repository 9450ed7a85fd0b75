#include "models/planner_spec.hpp"

#include <fmt/format.h>

namespace trainsim {

namespace {

// A non-empty list read element by element with `read`, or nullopt when the key is absent.
template <class T, class Read>
std::optional<std::vector<T>> read_list(ObjectReader& r, std::string_view key, const Read& read) {
  const auto field = r.raw(key, false);
  if (!field) return std::nullopt;
  const auto elements = r.array(key, false);
  std::vector<T> values;
  for (const auto& element : elements) {
    if (auto v = read(element)) values.push_back(*v);
  }
  if (field->node->is_array() && elements.empty()) r.diagnostics().error(field->pointer, "give at least one value");
  return values;
}

std::optional<std::vector<std::int64_t>> read_integers(ObjectReader& r, std::string_view key, std::int64_t min = 1,
                                                       std::int64_t max = ObjectReader::kNoMax) {
  return read_list<std::int64_t>(r, key, [&](const JsonRef& element) -> std::optional<std::int64_t> {
    const auto& v = *element.node;
    if (v.is_number_integer() && v.get<std::int64_t>() >= min && v.get<std::int64_t>() <= max) return v.get<std::int64_t>();
    const auto range = max == ObjectReader::kNoMax ? fmt::format("an integer >= {}", min)
                                                   : fmt::format("an integer from {} to {}", min, max);
    r.diagnostics().error(element.pointer, "expected " + range + ", got " + describe_json(v));
    return std::nullopt;
  });
}

}  // namespace

PlannerSpec parse_planner_spec(ObjectReader& r) {
  PlannerSpec s;
  auto& diag = r.diagnostics();
  s.gpu_counts = read_integers(r, "gpu_counts");
  s.tensor = read_integers(r, "tensor_parallel");
  s.pipeline = read_integers(r, "pipeline_parallel");
  s.context = read_integers(r, "context_parallel");
  s.expert = read_integers(r, "expert_parallel");
  s.expert_tensor = read_integers(r, "expert_tensor_parallel");
  s.micro_batch_sizes = read_integers(r, "micro_batch_sizes");
  s.virtual_stages = read_integers(r, "virtual_stages");
  const auto schedules = schedule_choices();
  s.schedules = read_list<Schedule>(r, "schedules", [&](const JsonRef& e) { return element_choice(e, schedules, diag); });
  s.recomputation = read_list<RecomputeSet>(r, "recomputation", [&](const JsonRef& e) { return parse_recomputation(e, diag); });
  s.precisions = read_list<Precision>(r, "precisions", [&](const JsonRef& e) { return element_choice(e, gemm_precision_choices(), diag); });
  if (const auto zero = read_integers(r, "zero_stages", 0, 3)) s.zero_stages = std::vector<int>(zero->begin(), zero->end());
  s.note = r.optional_string("note").value_or("");
  s.tensor_within_node = r.optional_boolean("tensor_within_node");
  if (const auto k = r.optional_integer("top_k", 0, 1000)) s.top_k = static_cast<int>(*k);
  s.min_headroom = r.optional_bytes("min_headroom");
  r.finish();
  return s;
}

}  // namespace trainsim
