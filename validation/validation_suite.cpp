#include "validation/validation_suite.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>

#include "core/io_error.hpp"
#include "cost/run_estimate.hpp"
#include "cost/simulated_timer.hpp"

namespace trainsim {

namespace {

const PhaseSegment& headline_segment(const Scenario& s) {
  for (const auto& phase : s.phases) {
    if (phase.has_shape()) return phase.segments.front();
  }
  throw std::logic_error("a validated scenario has an estimated phase");
}

// Achieved FLOP/s per GPU at the headline step, counted as the source counted them.
double tflops_per_gpu(const Scenario& s, const ValidationTarget& t, const StepEstimate& step) {
  const auto& seg = headline_segment(s);
  const TokenFlops per_token = t.flops == FlopCounting::hardware
                                   ? hardware_flops_per_token(s.model, seg.sequence_length, t.attention, seg.plan.recompute)
                                   : model_flops_per_token(s.model, seg.sequence_length, t.attention);
  return per_token.total().si() * step.tokens_per_step() / step.step_time.si() /
         static_cast<double>(s.cluster.gpu_count) / 1e12;
}

double phase_hours(const RunEstimate& e, const ValidationTarget& t, bool per_trillion) {
  if (t.phase == "all") return e.run.gpu_hours;
  for (const auto& p : e.run.phases) {
    if (p.name == t.phase) return per_trillion ? p.gpu_hours / p.tokens * 1e12 : p.gpu_hours;
  }
  throw std::logic_error("validation_target checked the phase name");
}

// Natural order: "sc21-9" before "sc21-10".
bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) != 0 && std::isdigit(static_cast<unsigned char>(b[j])) != 0) {
      std::size_t i_end = i;
      std::size_t j_end = j;
      while (i_end < a.size() && std::isdigit(static_cast<unsigned char>(a[i_end])) != 0) ++i_end;
      while (j_end < b.size() && std::isdigit(static_cast<unsigned char>(b[j_end])) != 0) ++j_end;
      const auto x = std::stoull(a.substr(i, i_end - i));
      const auto y = std::stoull(b.substr(j, j_end - j));
      if (x != y) return x < y;
      i = i_end;
      j = j_end;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

bool lower_is_faster(ValidationMetric m) {
  return m == ValidationMetric::step_time_s || m == ValidationMetric::gpu_hours ||
         m == ValidationMetric::gpu_hours_per_trillion_tokens;
}

std::string group_of(const std::string& row) { return row.substr(0, row.find('-')); }

// A file's "validation" object read as plain JSON, whether or not the scenario loads (an
// empty object when there is none to read).
nlohmann::json raw_validation_object(const std::string& file) {
  Diagnostics ignored(file);
  const auto doc = read_json_file(file, ignored);
  if (!doc || !doc->is_object()) return nlohmann::json::object();
  const auto v = doc->find("validation");
  return v != doc->end() && v->is_object() ? *v : nlohmann::json::object();
}

// A scenario that did not load: what its "validation" object says, as far as it can be read.
ValidationRow failed_row(const std::string& file, std::string reason) {
  ValidationRow row;
  row.file = file;
  row.status = RowStatus::failed;
  row.reason = std::move(reason);
  row.target.row = std::filesystem::path(file).stem().string();
  const auto v = raw_validation_object(file);
  if (const auto r = v.find("row"); r != v.end() && r->is_string()) row.target.row = r->get<std::string>();
  if (const auto m = v.find("measured"); m != v.end() && m->is_number()) row.target.measured = m->get<double>();
  if (const auto m = v.find("metric"); m != v.end() && m->is_string()) {
    row.target.metric = find_validation_metric(m->get<std::string>()).value_or(row.target.metric);
  }
  row.group = group_of(row.target.row);
  return row;
}

std::string issues_text(const ConfigError& e) {
  std::string text;
  for (const auto& issue : e.issues()) text += (text.empty() ? "" : "; ") + format_issue(issue);
  return text;
}

// Read from the file itself, so that a scenario that fails to load still reaches the run and
// is reported there.
bool marked_ci(const std::string& file) {
  const auto v = raw_validation_object(file);
  const auto ci = v.find("ci");
  return ci != v.end() && ci->is_boolean() && ci->get<bool>();
}

struct Accumulator {
  std::size_t rows = 0;
  double absolute = 0.0;
  double signed_sum = 0.0;
};

std::vector<ErrorStats> slices(const std::map<std::string, Accumulator>& by_label) {
  std::vector<ErrorStats> out;
  for (const auto& [label, a] : by_label) {
    const auto n = static_cast<double>(a.rows);
    out.push_back({label, a.rows, a.absolute / n, a.signed_sum / n});
  }
  return out;
}

}  // namespace

std::string_view to_string(RowStatus s) {
  switch (s) {
    case RowStatus::predicted: return "predicted";
    case RowStatus::infeasible: return "infeasible";
    case RowStatus::failed: return "failed";
  }
  return "?";
}

double ValidationRow::error() const {
  const double relative = (predicted - target.measured) / target.measured;
  return lower_is_faster(target.metric) ? -relative : relative;
}

const ValidationTarget& validation_target(const Scenario& s) {
  if (!s.validation) {
    Diagnostics diag(s.file);
    diag.error("/validation", "missing required key \"validation\"",
               "a validation scenario names its row, citation, metric, measured value and convention");
    diag.throw_if_any();
  }
  return *s.validation;
}

ValidationRow validate_scenario(const Scenario& s, EngineKind engine) {
  ValidationRow row;
  row.file = s.file;
  row.scenario = s.name;
  row.gpu = s.cluster.gpu.id;
  row.target = validation_target(s);
  row.group = group_of(row.target.row);
  row.moe = s.model.moe.has_value();
  SimulatedTimer simulated(s, engine, Fidelity::reduced);
  const auto e = estimate_run(s, simulated.timer(), false, std::string(to_string(engine)));
  row.kernel_classes = e.curves.size();
  for (const auto& curve : e.curves) {
    if (curve.use.origin == CurveOrigin::assumed) row.default_classes.emplace_back(to_string(curve.kind));
    row.class_origins.emplace_back(to_string(curve.kind), to_string(curve.use.origin));
  }
  const StepEstimate& step = *e.headline;
  row.breakdown = step.breakdown;
  if (step.infeasible) {
    row.status = RowStatus::infeasible;
    row.reason = step.infeasible->detail;
    return row;
  }
  switch (row.target.metric) {
    case ValidationMetric::step_time_s: row.predicted = step.step_time.si(); break;
    case ValidationMetric::tflops_per_gpu: row.predicted = tflops_per_gpu(s, row.target, step); break;
    case ValidationMetric::tokens_per_s_per_gpu:
      row.predicted = step.tokens_per_step() / step.step_time.si() / static_cast<double>(s.cluster.gpu_count);
      break;
    case ValidationMetric::gpu_hours: row.predicted = phase_hours(e, row.target, false); break;
    case ValidationMetric::gpu_hours_per_trillion_tokens: row.predicted = phase_hours(e, row.target, true); break;
  }
  return row;
}

ValidationSummary validate(const std::vector<std::string>& files, EngineKind engine,
                           const std::vector<JsonOverride>& overrides, const ProgressFn& progress) {
  ValidationSummary out;
  out.engine = std::string(to_string(engine));
  for (const auto& f : files) {
    try {
      out.rows.push_back(validate_scenario(load_scenario(f, overrides), engine));
    } catch (const ConfigError& e) {
      out.rows.push_back(failed_row(f, issues_text(e)));
    } catch (const IoError& e) {
      out.rows.push_back(failed_row(f, e.what()));
    }
    if (progress) progress(static_cast<std::int64_t>(out.rows.size()), static_cast<std::int64_t>(files.size()));
  }
  summarize(out);
  return out;
}

void summarize(ValidationSummary& s) {
  Accumulator all;
  std::map<std::string, Accumulator> groups;
  std::map<std::string, Accumulator> gpus;
  std::map<std::string, Accumulator> kinds;
  double worst = -1.0;
  s.infeasible = 0;
  s.failed = 0;
  for (std::size_t i = 0; i < s.rows.size(); ++i) {
    const auto& r = s.rows[i];
    if (r.status == RowStatus::infeasible) ++s.infeasible;
    if (r.status == RowStatus::failed) ++s.failed;
    if (!r.feasible()) continue;
    const double e = r.error();
    for (auto* a : {&all, &groups[r.group], &gpus[r.gpu], &kinds[r.moe ? "MoE" : "dense"]}) {
      ++a->rows;
      a->absolute += std::abs(e);
      a->signed_sum += e;
    }
    if (std::abs(e) > worst) {
      worst = std::abs(e);
      s.worst = i;
    }
  }
  const auto n = static_cast<double>(std::max<std::size_t>(1, all.rows));
  s.mean_absolute_error = all.absolute / n;
  s.mean_signed_error = all.signed_sum / n;
  s.by_group = slices(groups);
  s.by_gpu = slices(gpus);
  s.by_kind = slices(kinds);
}

bool meets_bar(const ValidationSummary& summary) {
  if (summary.infeasible > 0 || summary.failed > 0 || summary.mean_absolute_error >= kMeanErrorBar) return false;
  return std::all_of(summary.rows.begin(), summary.rows.end(),
                     [](const ValidationRow& r) { return std::abs(r.error()) < kRowErrorBar; });
}

std::vector<std::string> validation_files(const std::string& directory, bool ci_only) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.path().extension() != ".json") continue;
    if (ci_only && !marked_ci(entry.path().string())) continue;
    files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end(), natural_less);
  return files;
}

}  // namespace trainsim
