#include "reports/validation_report.hpp"

#include <cmath>

#include <fmt/format.h>

namespace trainsim {

namespace {
std::string unit(ValidationMetric m) {
  switch (m) {
    case ValidationMetric::step_time_s: return "s/step";
    case ValidationMetric::tflops_per_gpu: return "TFLOP/s/GPU";
    case ValidationMetric::tokens_per_s_per_gpu: return "tokens/s/GPU";
    case ValidationMetric::gpu_hours: return "GPU-hours";
    case ValidationMetric::gpu_hours_per_trillion_tokens: return "GPU-h/T tokens";
  }
  return "";
}

std::string counted(const ValidationTarget& t) {
  if (t.metric != ValidationMetric::tflops_per_gpu) return "";
  return fmt::format("{} FLOPs, {}", t.flops == FlopCounting::hardware ? "hardware" : "model", to_string(t.attention));
}
}  // namespace

std::string validation_text(const ValidationSummary& s) {
  std::string out = fmt::format("{:<14} {:<12} {:<15} {:>12} {:>12} {:>8}  {}\n", "row", "GPU", "metric", "measured",
                                "predicted", "error", "convention");
  for (const auto& r : s.rows) {
    const auto& t = r.target;
    if (!r.feasible) {
      out += fmt::format("{:<14} {:<12} {:<15} {:>12.4g} {:>12} {:>8}  {}\n", t.row, r.gpu, unit(t.metric), t.measured,
                         "infeasible", "", r.infeasible_reason);
      continue;
    }
    out += fmt::format("{:<14} {:<12} {:<15} {:>12.4g} {:>12.4g} {:>+7.1f}%  {}\n", t.row, r.gpu, unit(t.metric),
                       t.measured, r.predicted, 100.0 * r.error(), counted(t));
  }
  out += fmt::format("\n{} rows, engine {}: mean absolute error {:.1f}%", s.rows.size(), s.engine,
                     100.0 * s.mean_absolute_error);
  if (!s.rows.empty() && s.infeasible < s.rows.size()) {
    const auto& w = s.rows[s.worst];
    out += fmt::format(", worst {} ({:+.1f}%)", w.target.row, 100.0 * w.error());
  }
  if (s.infeasible > 0) out += fmt::format("; {} rows infeasible in trainsim (a measured run fitted)", s.infeasible);
  out += "\nSources: each row's citation is in its scenario's \"validation\" object (trainsim validate --format json).\n";
  return out;
}

nlohmann::json validation_json(const ValidationSummary& s) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : s.rows) {
    const auto& t = r.target;
    nlohmann::json row{{"row", t.row},
                       {"file", r.file},
                       {"scenario", r.scenario},
                       {"gpu", r.gpu},
                       {"metric", to_string(t.metric)},
                       {"measured", t.measured},
                       {"citation", t.citation},
                       {"convention", t.convention},
                       {"ci", t.ci},
                       {"feasible", r.feasible}};
    if (r.feasible) {
      row["predicted"] = r.predicted;
      row["error"] = r.error();
    } else {
      row["infeasible_reason"] = r.infeasible_reason;
    }
    if (t.metric == ValidationMetric::tflops_per_gpu) {
      row["flops"] = t.flops == FlopCounting::hardware ? "hardware" : "model";
      row["attention"] = to_string(t.attention);
    }
    if (!t.phase.empty()) row["phase"] = t.phase;
    rows.push_back(row);
  }
  nlohmann::json out{{"engine", s.engine}, {"rows", rows}, {"mean_absolute_error", s.mean_absolute_error},
                     {"infeasible_rows", s.infeasible}};
  if (!s.rows.empty() && s.infeasible < s.rows.size()) out["worst_row"] = s.rows[s.worst].target.row;
  return out;
}

}  // namespace trainsim
