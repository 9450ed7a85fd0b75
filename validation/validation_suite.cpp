#include "validation/validation_suite.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>

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

}  // namespace

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
  SimulatedTimer simulated(s, engine, Fidelity::reduced);
  const auto e = estimate_run(s, simulated.timer(), false, std::string(to_string(engine)));
  const StepEstimate& step = *e.headline;
  row.feasible = step.feasible();
  if (step.infeasible) row.infeasible_reason = step.infeasible->detail;
  if (!row.feasible) return row;
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

ValidationSummary validate(const std::vector<std::string>& files, EngineKind engine) {
  ValidationSummary out;
  out.engine = std::string(to_string(engine));
  double sum = 0.0;
  double worst = -1.0;
  for (const auto& f : files) {
    out.rows.push_back(validate_scenario(load_scenario(f), engine));
    const auto& r = out.rows.back();
    if (!r.feasible) {
      ++out.infeasible;
      continue;
    }
    sum += std::abs(r.error());
    if (std::abs(r.error()) > worst) {
      worst = std::abs(r.error());
      out.worst = out.rows.size() - 1;
    }
  }
  const auto feasible = out.rows.size() - out.infeasible;
  out.mean_absolute_error = feasible > 0 ? sum / static_cast<double>(feasible) : 0.0;
  return out;
}

bool meets_bar(const ValidationSummary& summary) {
  if (summary.infeasible > 0 || summary.mean_absolute_error >= kMeanErrorBar) return false;
  return std::all_of(summary.rows.begin(), summary.rows.end(),
                     [](const ValidationRow& r) { return std::abs(r.error()) < kRowErrorBar; });
}

std::vector<std::string> validation_files(const std::string& directory, bool ci_only) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.path().extension() != ".json") continue;
    if (ci_only && !validation_target(load_scenario(entry.path().string())).ci) continue;
    files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end(), natural_less);
  return files;
}

}  // namespace trainsim
