#include "planner/sweep.hpp"

#include <nlohmann/json.hpp>

#include "cost/simulated_timer.hpp"
#include "sim/mpi_jobs.hpp"
#include "sim/simulation_size.hpp"

namespace trainsim {
namespace {

[[noreturn]] void bad_axis(std::string_view text, const std::string& why) {
  throw ConfigError({{"--vary", "", "\"" + std::string(text) + "\": " + why,
                      "--vary takes POINTER=v1,v2,..., e.g. --vary /cluster/gpu_count=1024,2048,4096"}});
}

// `list` split at the commas that are not inside brackets, braces or a JSON string.
std::vector<std::string> split_values(std::string_view list) {
  std::vector<std::string> out(1);
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const char c = list[i];
    if (quoted) {
      if (c == '\\' && i + 1 < list.size()) out.back() += list[i++];
      else if (c == '"') quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if (c == ',' && depth == 0) {
      out.emplace_back();
      continue;
    }
    out.back() += list[i];
  }
  return out;
}

// What one case sends back from its worker: the row's fields as JSON.
std::string run_case(const std::string& path, const std::vector<JsonOverride>& overrides, std::optional<EngineKind> engine,
                     Bytes memory_limit) {
  nlohmann::json j;
  try {
    const auto scenario = load_scenario(path, overrides);
    const auto e = estimate_run_with(scenario, engine, memory_limit);
    j["status"] = "ok";
    if (e.headline) {
      const auto& h = *e.headline;
      if (h.infeasible) j = {{"status", "infeasible"}, {"detail", h.infeasible->detail}};
      j["step_time_s"] = h.step_time.si();
      j["mfu_causal"] = h.mfu(AttentionConvention::causal);
      j["tokens_per_day"] = h.tokens_per_day();
      j["memory_gib"] = to_gib(h.memory.total());
      j["memory_capacity_gib"] = to_gib(scenario.cluster.gpu.memory_capacity);
    }
    j["gpu_hours"] = e.run.gpu_hours;
    j["days"] = e.run.days;
    j["cost_usd"] = e.run.cost_usd;
  } catch (const ConfigError& error) {
    j = {{"status", "invalid"}, {"detail", error.what()}};
  } catch (const SizeOverflow& error) {  // sizes beyond what trainsim represents: bad input, as estimate says
    j = {{"status", "invalid"}, {"detail", std::string("a size derived from it is beyond what trainsim represents (") + error.what() + ")"}};
  }
  return j.dump();
}

std::optional<double> number_at(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;  // absent, or not finite (JSON has no NaN)
  return j[key].get<double>();
}

}  // namespace

std::string_view to_string(SweepStatus status) {
  switch (status) {
    case SweepStatus::ok: return "ok";
    case SweepStatus::infeasible: return "infeasible";
    case SweepStatus::invalid: return "invalid";
    case SweepStatus::failed: return "failed";
  }
  return "failed";
}

SweepAxis parse_sweep_axis(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos) bad_axis(text, "no '=' between the pointer and the values");
  SweepAxis axis;
  axis.pointer = std::string(text.substr(0, eq));
  for (auto& value : split_values(text.substr(eq + 1))) {
    if (value.empty()) bad_axis(text, "an empty value (two commas in a row, or one at an end)");
    try {
      axis.values.push_back(parse_override(axis.pointer + "=" + value));
    } catch (const ConfigError& e) {
      bad_axis(text, e.issues().front().message);
    }
    axis.labels.push_back(std::move(value));
  }
  return axis;
}

SweepResult run_sweep(const std::string& path, const std::vector<JsonOverride>& overrides, const std::vector<SweepAxis>& axes,
                      const SweepOptions& options) {
  // The base must read on its own, and each axis's pointer must lead somewhere in it: those
  // are the command's errors, not one case's.
  const auto base = load_scenario(path, overrides);
  auto first_case = overrides;
  for (const auto& axis : axes) first_case.push_back(axis.values.front());
  (void)scenario_document(path, first_case);
  std::size_t count = 1;
  for (const auto& axis : axes) count *= axis.values.size();
  if (count > kMaxSweepCases) {
    throw ConfigError({{"--vary", "", std::to_string(count) + " cases: a sweep runs at most " + std::to_string(kMaxSweepCases),
                        "fewer values, or several sweeps"}});
  }

  SweepResult result;
  result.scenario = base.name;
  result.engine = options.engine ? std::string(to_string(*options.engine)) : "closed-form";
  for (const auto& axis : axes) result.pointers.push_back(axis.pointer);
  // The cases that run at once share this process's memory: each simulation is held to its share.
  const Bytes memory_limit(available_memory().count() / std::max(1, options.jobs));
  std::vector<std::function<std::string()>> jobs;
  for (std::size_t i = 0; i < count; ++i) {
    SweepCase c;
    auto changes = overrides;
    std::size_t rest = i;
    for (std::size_t a = axes.size(); a-- > 0;) {  // the last axis varies fastest
      const auto k = rest % axes[a].values.size();
      rest /= axes[a].values.size();
      c.labels.insert(c.labels.begin(), axes[a].labels[k]);
      c.values.insert(c.values.begin(), axes[a].values[k].value);
      changes.insert(changes.begin() + static_cast<std::ptrdiff_t>(overrides.size()), axes[a].values[k]);
    }
    result.cases.push_back(std::move(c));
    jobs.emplace_back([path, changes = std::move(changes), engine = options.engine, memory_limit] {
      return run_case(path, changes, engine, memory_limit);
    });
  }
  const auto done = run_across_ranks(jobs, std::max(1, options.jobs), options.progress);
  if (done.size() != count) return result;  // an MPI rank other than 0: rank 0 has the results
  for (std::size_t i = 0; i < count; ++i) {
    auto& c = result.cases[i];
    if (!done[i].ok) {
      c.detail = done[i].text;
      continue;
    }
    const auto j = nlohmann::json::parse(done[i].text);
    const auto status = j["status"].get<std::string>();
    c.status = status == "ok" ? SweepStatus::ok : status == "infeasible" ? SweepStatus::infeasible : SweepStatus::invalid;
    c.detail = j.value("detail", "");
    c.step_time_s = number_at(j, "step_time_s");
    c.mfu_causal = number_at(j, "mfu_causal");
    c.tokens_per_day = number_at(j, "tokens_per_day");
    c.memory_gib = number_at(j, "memory_gib");
    c.memory_capacity_gib = number_at(j, "memory_capacity_gib");
    c.gpu_hours = number_at(j, "gpu_hours");
    c.days = number_at(j, "days");
    c.cost_usd = number_at(j, "cost_usd");
  }
  return result;
}

}  // namespace trainsim
