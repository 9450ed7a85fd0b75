#include "reports/html_report.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "reports/estimate_report.hpp"
#include "reports/sweep_report.hpp"
#include "reports/number_format.hpp"
#include "reports/svg_chart.hpp"

namespace trainsim {

namespace {

std::string page(const std::string& title, const std::string& body) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n"
      "body {{ font-family: sans-serif; margin: 2em; max-width: 1400px; color: #222; }}\n"
      "table {{ border-collapse: collapse; margin: 1em 0; }}\n"
      "th, td {{ border: 1px solid #ccc; padding: 4px 8px; text-align: right; }}\n"
      "th:first-child, td:first-child {{ text-align: left; }}\n"
      "td:last-child {{ text-align: left; }}\n"
      // A number keeps its unit on its line ("19.264 s"); only the last, descriptive column wraps.
      "th, td {{ white-space: nowrap; }}\ntd:last-child {{ white-space: normal; }}\n"
      "figure {{ margin: 1.5em 0; }}\n.source {{ color: #555; font-size: 0.85em; }}\n</style>\n</head>\n<body>\n{}</body>\n</html>\n",
      html_escape(title), body);
}

std::string row(const std::vector<std::string>& cells, bool header = false) {
  std::string out = "<tr>";
  const char* tag = header ? "th" : "td";
  for (const auto& c : cells) out += fmt::format("<{0}>{1}</{0}>", tag, html_escape(c));
  return out + "</tr>\n";
}

std::string figure(const std::string& svg) { return "<figure>\n" + svg + "</figure>\n"; }

}  // namespace

std::string estimate_html(const Scenario& s, const RunEstimate& r, const StepSimulation* sim) {
  std::string body = fmt::format("<h1>{}</h1>\n<p>{}</p>\n<p>Engine: {}. Plan: {}.</p>\n", html_escape(s.name),
                                 html_escape(s.description), html_escape(r.engine), html_escape(plan_text(s.plan)));
  if (r.headline) {
    const auto& e = *r.headline;
    const auto& b = e.breakdown;
    body += "<h2>Step</h2>\n<table>\n" + row({"quantity", "trainsim", "published"}, true);
    const auto& pub = s.published;
    body += row({"step time", seconds_text(e.step_time), pub.step_time ? seconds_text(*pub.step_time) : ""});
    body += row({"tokens per day", short_count(e.tokens_per_day()), pub.tokens_per_day ? short_count(*pub.tokens_per_day) : ""});
    body += row({"MFU (causal, dense BF16 peak)", percent_text(e.mfu(AttentionConvention::causal)), pub.mfu_causal ? percent_text(*pub.mfu_causal) : ""});
    body += row({"memory, fullest GPU", fmt::format("{:.1f} GiB of {:.1f}", to_gib(e.memory.total()), to_gib(s.cluster.gpu.memory_capacity)), ""});
    body += "</table>\n";
    std::vector<StackedRow> rows = {{"trainsim", {b.compute.si(), b.exposed_communication.si(), b.pipeline_bubble.si(), b.optimizer.si()}}};
    body += figure(stacked_bar_chart("Step time by activity", {"compute", "exposed communication", "pipeline bubble", "optimizer + DP"},
                                     rows, "s"));
    std::vector<StackedRow> phases = {{"trainsim", {b.warmup_forward.si(), b.pipeline_bubble.si(), b.cooldown_backward.si(),
                                                    b.weight_gradient.si(), b.steady.si(), b.optimizer.si()}}};
    if (const auto& p = pub.step_breakdown) {
      phases.push_back({"published", {p->forward.si(), p->bubble.si(), p->backward.si(), p->weight.si(), p->overlapped.si(),
                                      p->optimizer.si()}});
    }
    body += figure(stacked_bar_chart("Step time by schedule phase (ISCA'25 Table 4 categories)",
                                     {"forward alone", "bubble", "backward alone", "weight alone", "steady / overlapped",
                                      "optimizer"},
                                     phases, "s"));
    if (!pub.source.empty()) body += "<p class=\"source\">Published: " + html_escape(pub.source) + "</p>\n";
  }
  if (sim != nullptr && sim->timeline.makespan.si() > 0.0) {
    const Seconds from = sim->timeline.makespan * 0.5;
    body += figure(timeline_chart("Timeline excerpt: the middle of the step, first two simulated GPUs", sim->lowered.workload,
                                  sim->timeline, 2, from, from + sim->timeline.makespan * 0.02));
  }
  body += "<h2>Run</h2>\n<table>\n" + row({"phase", "tokens", "GPU-hours", "days", "cost", "energy", "CO2"}, true);
  std::vector<StackedRow> bars;
  for (const auto& p : r.run.phases) {
    body += row({p.name + (p.source == PhaseSource::given ? " [given]" : ""), short_count(p.tokens), short_count(p.gpu_hours, 3),
                 fmt::format("{:.2f}", p.days), usd_text(p.cost_usd), fmt::format("{:.0f} MWh", p.energy_kwh / 1000.0),
                 fmt::format("{:.0f} t", p.emissions_kg / 1000.0)});
    bars.push_back({p.name, {p.gpu_hours / 1e6}});
  }
  body += row({"total", "", short_count(r.run.gpu_hours, 3), fmt::format("{:.2f}", r.run.days), usd_text(r.run.cost_usd),
               fmt::format("{:.0f} MWh", r.run.energy_kwh / 1000.0), fmt::format("{:.0f} t", r.run.emissions_kg / 1000.0)});
  body += "</table>\n" + figure(stacked_bar_chart("GPU-hours by phase", {"GPU-hours (millions)"}, bars, "M"));
  body += "<p class=\"source\">Prices: " + html_escape(s.prices.source) + "</p>\n";
  return page("trainsim: " + s.name, body);
}

std::string compare_html(const std::vector<ComparedScenario>& rows) {
  std::string body = "<h1>trainsim: scenarios compared</h1>\n<table>\n" +
                     row({"scenario", "GPU", "GPUs", "TPP", "Oct 2022", "Oct 2023", "China (2026)", "step", "days", "GPU-hours", "cost",
                          "energy", "CO2", "bottleneck"},
                         true);
  std::vector<StackedRow> days, cost, energy, step;
  for (const auto& r : rows) {
    const auto& run = r.estimate.run;
    body += row({r.scenario.name, r.scenario.cluster.gpu.id, std::to_string(r.scenario.cluster.gpu_count),
                 fmt::format("{:.0f}", r.export_control.tpp), to_string(r.export_control.oct_2022),
                 to_string(r.export_control.oct_2023), to_string(r.export_control.china), r.estimate.headline ? seconds_text(r.estimate.headline->step_time) : "-",
                 fmt::format("{:.1f}", run.days), short_count(run.gpu_hours, 3), usd_text(run.cost_usd),
                 fmt::format("{:.2f} GWh", run.energy_kwh / 1e6), fmt::format("{:.0f} t", run.emissions_kg / 1000.0),
                 bottleneck_text(r.bottleneck)});
    days.push_back({r.scenario.name, {run.days}});
    cost.push_back({r.scenario.name, {run.cost_usd / 1e6}});
    energy.push_back({r.scenario.name, {run.energy_kwh / 1e6}});
    if (r.estimate.headline) {
      const auto& b = r.estimate.headline->breakdown;
      step.push_back({r.scenario.name, {b.compute.si(), b.exposed_communication.si(), b.pipeline_bubble.si(), b.optimizer.si()}});
    }
  }
  body += "</table>\n";
  body += figure(stacked_bar_chart("Days of training", {"days"}, days, "days"));
  body += figure(stacked_bar_chart("Cost", {"million USD"}, cost, "M$"));
  body += figure(stacked_bar_chart("Energy at the wall", {"GWh"}, energy, "GWh"));
  body += figure(stacked_bar_chart("Step time by activity", {"compute", "exposed communication", "pipeline bubble", "optimizer + DP"},
                                   step, "s"));
  body += "<p class=\"source\">TPP and classifications: hardware/catalog/gpus.json; prices, energy and emissions: each "
          "scenario's inputs (trainsim estimate lists their sources); bottleneck: closed-form step with one resource "
          "doubled.</p>\n<p class=\"source\">" + html_escape(china_rules_note()) + "</p>\n";
  return page("trainsim: scenarios compared", body);
}

std::string sweep_html(const SweepResult& r) {
  std::string body = fmt::format("<h1>Sweep of {}</h1>\n<p>Engine: {}. {} cases; a line joins the cases that ran and fit; "
                                 "an open point is a case that does not fit in memory.</p>\n",
                                 html_escape(r.scenario), html_escape(r.engine), r.cases.size());
  if (!r.pointers.empty()) {
    // Categories: the first axis's values in order; one line per value of the second axis.
    std::vector<std::string> categories;
    std::vector<std::string> lines;
    for (const auto& c : r.cases) {
      if (std::find(categories.begin(), categories.end(), c.labels[0]) == categories.end()) categories.push_back(c.labels[0]);
      const auto line = c.labels.size() > 1 ? r.pointers[1] + " = " + c.labels[1] : std::string();
      if (std::find(lines.begin(), lines.end(), line) == lines.end()) lines.push_back(line);
    }
    const auto chart = [&](const std::string& title, const std::string& unit, const auto& value) {
      std::vector<LineSeries> series;
      for (const auto& line : lines) {
        series.push_back({line, std::vector<std::optional<double>>(categories.size()), std::vector<bool>(categories.size())});
      }
      for (const auto& c : r.cases) {
        if (c.status != SweepStatus::ok && c.status != SweepStatus::infeasible) continue;
        const auto x = std::find(categories.begin(), categories.end(), c.labels[0]) - categories.begin();
        const auto line = c.labels.size() > 1 ? r.pointers[1] + " = " + c.labels[1] : std::string();
        const auto k = std::find(lines.begin(), lines.end(), line) - lines.begin();
        series[static_cast<std::size_t>(k)].values[static_cast<std::size_t>(x)] = value(c);
        series[static_cast<std::size_t>(k)].hollow[static_cast<std::size_t>(x)] = c.status == SweepStatus::infeasible;
      }
      return figure(line_chart(title, categories, series, r.pointers[0], unit));
    };
    body += chart("Step time", "s", [](const SweepCase& c) { return c.step_time_s; });
    body += chart("Days for the whole run", "days", [](const SweepCase& c) { return c.days; });
    body += chart("Cost of the whole run", "$M", [](const SweepCase& c) {
      return c.cost_usd ? std::optional<double>(*c.cost_usd / 1e6) : std::nullopt;
    });
  }
  const auto table = sweep_table(r);
  body += "<table>\n" + row(table.front(), true);
  for (std::size_t i = 1; i < table.size(); ++i) body += row(table[i]);
  body += "</table>\n";
  return page("trainsim sweep: " + r.scenario, body);
}

}  // namespace trainsim
