#include "reports/validation_report.hpp"

#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "reports/number_format.hpp"

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

std::string share(Seconds part, Seconds total) {
  return total.si() > 0.0 ? fmt::format("{:.0f}%", 100.0 * part.si() / total.si()) : "-";
}

std::string class_list(const std::vector<std::string>& classes) {
  std::string out;
  for (const auto& c : classes) out += (out.empty() ? "" : ", ") + c;
  return out;
}

std::string defaults_text(const ValidationRow& r) {
  if (r.default_classes.empty()) return "none";
  if (r.default_classes.size() == r.kernel_classes) return "all";
  return fmt::format("{} of {}", r.default_classes.size(), r.kernel_classes);
}

// Where each GPU's kernel curves come from, once per GPU and calibration (one calibration per
// GPU type): the classes of each origin.
void origins_footer(std::string& out, const ValidationSummary& s) {
  std::map<std::string, std::set<std::string>> by_gpu;
  for (const auto& r : s.rows) {
    if (!r.feasible()) continue;
    std::map<std::string, std::vector<std::string>> by_origin;
    for (const auto& [kind, origin] : r.class_origins) by_origin[origin].push_back(kind);
    std::string line;
    for (const auto* origin : {"calibrated", "derived", "borrowed", "default"}) {
      if (const auto it = by_origin.find(origin); it != by_origin.end()) {
        line += fmt::format("{}{}: {}", line.empty() ? "" : "; ", origin, class_list(it->second));
      }
    }
    by_gpu[r.gpu].insert(line);
  }
  for (const auto& [gpu, lines] : by_gpu) {
    for (const auto& line : lines) out += fmt::format("  {}: {}\n", gpu, line);
  }
}

void slice_table(std::string& out, const char* title, const std::vector<ErrorStats>& slices) {
  out += fmt::format("\n{:<14} {:>5} {:>10} {:>10}\n", title, "rows", "|error|", "signed");
  for (const auto& e : slices) {
    out += fmt::format("{:<14} {:>5} {:>9.1f}% {:>+9.1f}%\n", e.label, e.rows, 100.0 * e.mean_absolute, 100.0 * e.mean_signed);
  }
}
}  // namespace

std::string validation_text(const ValidationSummary& s) {
  std::string out = fmt::format("{:<19} {:<9} {:<14} {:>10} {:>10} {:>8}  {:>7} {:>6} {:>6} {:>6}  {:<9} {}\n", "row", "GPU",
                                "metric", "measured", "predicted", "error", "compute", "comm.", "bubble", "optim.",
                                "defaults", "convention");
  for (const auto& r : s.rows) {
    const auto& t = r.target;
    if (!r.feasible()) {
      out += fmt::format("{:<19} {:<9} {:<14} {:>10} {:>10}           {}\n", t.row, r.gpu, unit(t.metric), plain_number(t.measured, 4),
                         to_string(r.status), r.reason);
      continue;
    }
    const auto& b = r.breakdown;
    out += fmt::format("{:<19} {:<9} {:<14} {:>10} {:>10} {:>+7.1f}%  {:>7} {:>6} {:>6} {:>6}  {:<9} {}\n", t.row,
                       r.gpu, unit(t.metric), plain_number(t.measured, 4), plain_number(r.predicted, 4), 100.0 * r.error(), share(b.compute, b.total),
                       share(std::max(Seconds(0), b.exposed_communication), b.total), share(b.pipeline_bubble, b.total),
                       share(b.optimizer, b.total), defaults_text(r), counted(t));
  }
  const auto predicted = s.rows.size() - s.infeasible - s.failed;
  out += fmt::format("\n{} rows, engine {}: {} predicted", s.rows.size(), s.engine, predicted);
  if (s.infeasible > 0) out += fmt::format(", {} infeasible in trainsim (a measured run fitted)", s.infeasible);
  if (s.failed > 0) out += fmt::format(", {} failed to load", s.failed);
  out += fmt::format(". Mean absolute error {:.1f}%, mean signed {:+.1f}%", 100.0 * s.mean_absolute_error,
                     100.0 * s.mean_signed_error);
  if (predicted > 0) {
    const auto& w = s.rows[s.worst];
    out += fmt::format(", worst {} ({:+.1f}%)", w.target.row, 100.0 * w.error());
  }
  out += ".\nError: + means trainsim predicts the run faster than measured, whatever the metric. Step shares:\n"
         "compute, exposed communication, pipeline bubble, optimizer and exposed data-parallel exchange.\n"
         "Kernel curves per GPU: calibrated (measured on it), derived (by stated ratios), borrowed (measured on\n"
         "another GPU of the same silicon, or a related class's fit) and default (no measurement):\n";
  origins_footer(out, s);
  slice_table(out, "source group", s.by_group);
  slice_table(out, "GPU", s.by_gpu);
  slice_table(out, "model", s.by_kind);
  out += "\nSources: each row's citation is in its scenario's \"validation\" object (trainsim validate --format json).\n";
  return out;
}

namespace {
nlohmann::json breakdown_json(const StepBreakdown& b) {
  return {{"compute_s", b.compute.si()},
          {"exposed_communication_s", b.exposed_communication.si()},
          {"pipeline_bubble_s", b.pipeline_bubble.si()},
          {"optimizer_s", b.optimizer.si()},
          {"total_s", b.total.si()}};
}

nlohmann::json slices_json(const std::vector<ErrorStats>& slices) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : slices) {
    out.push_back({{"label", e.label}, {"rows", e.rows}, {"mean_absolute_error", e.mean_absolute},
                   {"mean_signed_error", e.mean_signed}});
  }
  return out;
}
}  // namespace

nlohmann::json validation_json(const ValidationSummary& s) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : s.rows) {
    const auto& t = r.target;
    nlohmann::json row{{"row", t.row},
                       {"group", r.group},
                       {"file", r.file},
                       {"status", to_string(r.status)},
                       {"metric", to_string(t.metric)},
                       {"measured", t.measured}};
    if (r.status != RowStatus::failed) {
      row.update({{"scenario", r.scenario},
                  {"gpu", r.gpu},
                  {"model_kind", r.moe ? "moe" : "dense"},
                  {"citation", t.citation},
                  {"convention", t.convention},
                  {"ci", t.ci},
                  {"default_kernel_classes", r.default_classes}});
      nlohmann::json origins = nlohmann::json::object();
      for (const auto& [kind, origin] : r.class_origins) origins[kind] = origin;
      row["kernel_class_origins"] = origins;
    }
    if (r.feasible()) {
      row["predicted"] = r.predicted;
      row["error"] = r.error();
      row["breakdown"] = breakdown_json(r.breakdown);
    } else {
      row["reason"] = r.reason;
    }
    if (t.metric == ValidationMetric::tflops_per_gpu && r.status != RowStatus::failed) {
      row["flops"] = t.flops == FlopCounting::hardware ? "hardware" : "model";
      row["attention"] = to_string(t.attention);
    }
    if (!t.phase.empty()) row["phase"] = t.phase;
    rows.push_back(row);
  }
  nlohmann::json out{{"engine", s.engine},
                     {"error_sign", "+ means trainsim predicts the run faster than measured"},
                     {"rows", rows},
                     {"mean_absolute_error", s.mean_absolute_error},
                     {"mean_signed_error", s.mean_signed_error},
                     {"infeasible_rows", s.infeasible},
                     {"failed_rows", s.failed},
                     {"by_group", slices_json(s.by_group)},
                     {"by_gpu", slices_json(s.by_gpu)},
                     {"by_model_kind", slices_json(s.by_kind)}};
  if (s.rows.size() > s.infeasible + s.failed) out["worst_row"] = s.rows[s.worst].target.row;
  return out;
}

Table validation_table(const ValidationSummary& s) {
  Table t{{"row", "gpu", "metric", "measured", "predicted", "error_percent", "status", "compute", "exposed_communication",
           "bubble", "optimizer", "defaults", "convention", "reason"},
          {}};
  for (const auto& r : s.rows) {
    const auto& t_ = r.target;
    const auto& b = r.breakdown;
    const bool ok = r.feasible();
    t.rows.push_back({t_.row, r.gpu, unit(t_.metric), plain_number(t_.measured, 4), ok ? plain_number(r.predicted, 4) : "",
                      ok ? fmt::format("{:+.1f}", 100.0 * r.error()) : "", std::string(to_string(r.status)),
                      ok ? share(b.compute, b.total) : "", ok ? share(std::max(Seconds(0), b.exposed_communication), b.total) : "",
                      ok ? share(b.pipeline_bubble, b.total) : "", ok ? share(b.optimizer, b.total) : "",
                      ok ? defaults_text(r) : "", counted(t_), r.reason});
  }
  return t;
}

}  // namespace trainsim
