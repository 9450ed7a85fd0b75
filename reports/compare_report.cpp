#include "reports/compare_report.hpp"

#include <cmath>

#include <fmt/format.h>

#include "reports/estimate_report.hpp"
#include "reports/number_format.hpp"

namespace trainsim {

namespace {

// One row's figures, formatted once for every text-like output.
struct Cells {
  std::string name, gpu, gpus, tpp, oct_2022, oct_2023, china, china_reason, plan, step, days, gpu_hours, cost, energy, emissions, bottleneck;
};

Cells cells(const ComparedScenario& r) {
  const auto& s = r.scenario;
  const auto& run = r.estimate.run;
  Cells c;
  c.name = s.name;
  c.gpu = s.cluster.gpu.id;
  c.gpus = std::to_string(s.cluster.gpu_count);
  c.tpp = fmt::format("{:.0f}", r.export_control.tpp);
  c.oct_2022 = to_string(r.export_control.oct_2022);
  c.oct_2023 = to_string(r.export_control.oct_2023);
  c.china = to_string(r.export_control.china);
  c.china_reason = r.export_control.china_reason;
  c.plan = plan_text(s.plan);
  c.step = r.estimate.headline ? seconds_text(r.estimate.headline->step_time) : "-";
  c.days = fmt::format("{:.1f}", run.days);
  c.gpu_hours = short_count(run.gpu_hours, 3);
  c.cost = usd_text(run.cost_usd);
  c.energy = fmt::format("{:.2f} GWh", run.energy_kwh / 1e6);
  c.emissions = fmt::format("{:.0f} t", run.emissions_kg / 1000.0);
  c.bottleneck = bottleneck_text(r.bottleneck);
  return c;
}

}  // namespace

namespace {
// How much a doubled resource shortens the step, as a signed percentage ("-24%", "0%").
std::string change_text(double reduction) {
  const double percent = -100.0 * reduction;
  return std::abs(percent) < 0.5 ? "0%" : fmt::format("{:+.0f}%", percent);
}
}  // namespace

std::string bottleneck_text(const BottleneckAnalysis& a) {
  std::string others;
  double dominant = 0.0;
  for (const auto& d : a.doubled) {
    if (d.resource == a.dominant) {
      dominant = d.step_reduction;
      continue;
    }
    others += fmt::format("{}{} {}", others.empty() ? "" : ", ", d.resource, change_text(d.step_reduction));
  }
  return fmt::format("{} (doubled: {}; {})", a.dominant, change_text(dominant), others);
}

std::string compare_text(const std::vector<ComparedScenario>& rows) {
  std::vector<Cells> table;
  std::size_t name_width = 8;  // "scenario"
  for (const auto& r : rows) {
    table.push_back(cells(r));
    name_width = std::max(name_width, table.back().name.size());
  }
  constexpr auto columns = "{:<12} {:>6} {:>6} {:<20} {:<20} {:<24} {:>10} {:>7} {:>9} {:>9} {:>10} {:>8}\n";
  std::string out = fmt::format("{:<{}} ", "scenario", name_width) +
                    fmt::format(columns, "GPU", "GPUs", "TPP", "Oct 2022", "Oct 2023", "China (2026)", "step", "days",
                                "GPU-hours", "cost", "energy", "CO2");
  for (const auto& c : table) {
    out += fmt::format("{:<{}} ", c.name, name_width) + fmt::format(columns, c.gpu, c.gpus, c.tpp, c.oct_2022, c.oct_2023,
                                                                     c.china, c.step, c.days, c.gpu_hours, c.cost, c.energy,
                                                                     c.emissions);
  }
  out += "\nPlan and what limits the step (closed-form step with one resource doubled; memory capacity: the best plan of\n"
         "the planner's space with twice the memory):\n";
  for (const auto& c : table) out += fmt::format("  {}\n    {}\n    {}\n    China: {}\n", c.name, c.plan, c.bottleneck, c.china_reason);
  out += "\nSources: TPP and classifications from hardware/catalog/gpus.json (trainsim hardware); prices, energy and\n"
         "emissions per scenario (trainsim estimate shows each input's source); steps from the "
         "scenario's engine run.\n";
  out += china_rules_note() + "\n";
  return out;
}

nlohmann::json compare_json(const std::vector<ComparedScenario>& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : rows) {
    const auto& s = r.scenario;
    nlohmann::json doubled = nlohmann::json::object();
    for (const auto& d : r.bottleneck.doubled) doubled[d.resource] = d.step_reduction;
    nlohmann::json row = estimate_json(s, r.estimate);
    row["gpu"] = s.cluster.gpu.id;
    row["gpus"] = s.cluster.gpu_count;
    row["export_control"] = {{"tpp", r.export_control.tpp},
                             {"oct_2022", to_string(r.export_control.oct_2022)},
                             {"oct_2023", to_string(r.export_control.oct_2023)},
                             {"china_2026", {{"access", to_string(r.export_control.china)},
                                             {"reason", r.export_control.china_reason},
                                             {"h20_class", r.export_control.h20_class}}}};
    if (r.export_control.performance_density) row["export_control"]["performance_density"] = *r.export_control.performance_density;
    row["bottleneck"] = {{"dominant", r.bottleneck.dominant},
                         {"closed_form_step_s", r.bottleneck.step.si()},
                         {"step_reduction_when_doubled", doubled},
                         {"best_plan_step_s", r.bottleneck.best_plan_step.si()},
                         {"best_plan_step_with_double_memory_s", r.bottleneck.best_plan_step_with_double_memory.si()}};
    out.push_back(row);
  }
  return out;
}

std::string compare_markdown(const std::vector<ComparedScenario>& rows) {
  std::string out =
      "| scenario | GPU | GPUs | TPP | Oct 2022 | Oct 2023 | China (2026) | step | days | GPU-hours | cost | energy | CO2 | bottleneck |\n"
      "|---|---|---:|---:|---|---|---|---:|---:|---:|---:|---:|---:|---|\n";
  for (const auto& r : rows) {
    const auto c = cells(r);
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", c.name, c.gpu, c.gpus, c.tpp,
                       c.oct_2022, c.oct_2023, c.china, c.step, c.days, c.gpu_hours, c.cost, c.energy, c.emissions, c.bottleneck);
  }
  return out;
}

std::string compare_csv(const std::vector<ComparedScenario>& rows) {
  std::string out =
      "scenario,gpu,gpus,tpp,oct_2022,oct_2023,china_2026,step_time_s,days,gpu_hours,cost_usd,energy_kwh,emissions_kg_co2,bottleneck\n";
  for (const auto& r : rows) {
    const auto& run = r.estimate.run;
    out += fmt::format("{},{},{},{:.1f},{},{},{},{:.6f},{:.4f},{:.1f},{:.2f},{:.1f},{:.1f},{}\n", r.scenario.name,
                       r.scenario.cluster.gpu.id, r.scenario.cluster.gpu_count, r.export_control.tpp,
                       to_string(r.export_control.oct_2022), to_string(r.export_control.oct_2023),
                       to_string(r.export_control.china), r.estimate.headline ? r.estimate.headline->step_time.si() : 0.0, run.days, run.gpu_hours, run.cost_usd,
                       run.energy_kwh, run.emissions_kg, r.bottleneck.dominant);
  }
  return out;
}

}  // namespace trainsim
