#include "reports/sweep_report.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "reports/number_format.hpp"

namespace trainsim {
namespace {

// The detail of a case on one line (an invalid case's issues are one per line).
std::string one_line(const std::string& text) {
  std::string out = text;
  std::replace(out.begin(), out.end(), '\n', ';');
  while (!out.empty() && (out.back() == ';' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (const char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string fixed(const std::optional<double>& v, int decimals) {
  return v ? fmt::format("{:.{}f}", *v, decimals) : std::string();
}

// The text and Markdown tables' cells of one case.
std::vector<std::string> cells(const SweepCase& c) {
  std::vector<std::string> out = c.labels;
  out.emplace_back(to_string(c.status));
  out.push_back(c.step_time_s ? seconds_text(Seconds(*c.step_time_s)) : "");
  out.push_back(c.mfu_causal ? percent_text(*c.mfu_causal) : "");
  out.push_back(c.tokens_per_day ? short_count(*c.tokens_per_day) : "");
  out.push_back(c.memory_gib ? fmt::format("{:.1f} / {:.1f} GiB", *c.memory_gib, c.memory_capacity_gib.value_or(0.0)) : "");
  out.push_back(c.gpu_hours ? short_count(*c.gpu_hours, 3) : "");
  out.push_back(fixed(c.days, 1));
  out.push_back(c.cost_usd ? usd_text(*c.cost_usd) : "");
  out.push_back(one_line(c.detail));
  return out;
}

std::vector<std::string> headers(const SweepResult& r) {
  std::vector<std::string> out = r.pointers;
  for (const char* h : {"status", "step", "MFU causal", "tokens/day", "memory", "GPU-hours", "days", "cost", "why"}) out.emplace_back(h);
  return out;
}

}  // namespace

std::vector<std::vector<std::string>> sweep_table(const SweepResult& r) {
  std::vector<std::vector<std::string>> rows{headers(r)};
  for (const auto& c : r.cases) rows.push_back(cells(c));
  return rows;
}

std::string sweep_text(const SweepResult& r) {
  const auto rows = sweep_table(r);
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i + 1 < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out = fmt::format("trainsim sweep: {} (engine: {}), {} cases\n\n", r.scenario, r.engine, r.cases.size());
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      // Axis values and the status read left-aligned; figures right-aligned; the reason last.
      const bool left = i < r.pointers.size() + 1;
      if (i + 1 == row.size()) line += row[i];
      else line += left ? fmt::format("{:<{}}  ", row[i], width[i]) : fmt::format("{:>{}}  ", row[i], width[i]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string sweep_markdown(const SweepResult& r) {
  const auto row = [](const std::vector<std::string>& cells) {
    std::string line = "|";
    for (const auto& c : cells) line += " " + c + " |";
    return line + "\n";
  };
  auto rows = sweep_table(r);
  std::string out = row(rows.front());
  out += row(std::vector<std::string>(rows.front().size(), "---"));
  for (std::size_t i = 1; i < rows.size(); ++i) {
    for (auto& x : rows[i]) std::replace(x.begin(), x.end(), '|', '/');
    out += row(rows[i]);
  }
  return out;
}

std::string sweep_csv(const SweepResult& r) {
  std::string out;
  for (const auto& p : r.pointers) out += csv_field(p) + ",";
  out += "status,step_time_s,mfu_causal,tokens_per_day,memory_gib,memory_capacity_gib,gpu_hours,days,cost_usd,detail\n";
  for (const auto& c : r.cases) {
    for (const auto& l : c.labels) out += csv_field(l) + ",";
    out += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", to_string(c.status), fixed(c.step_time_s, 6), fixed(c.mfu_causal, 4),
                       fixed(c.tokens_per_day, 0), fixed(c.memory_gib, 2), fixed(c.memory_capacity_gib, 2), fixed(c.gpu_hours, 1),
                       fixed(c.days, 3), fixed(c.cost_usd, 2), csv_field(one_line(c.detail)));
  }
  return out;
}

nlohmann::json sweep_json(const SweepResult& r) {
  nlohmann::json cases = nlohmann::json::array();
  for (const auto& c : r.cases) {
    nlohmann::json j;
    for (std::size_t a = 0; a < r.pointers.size(); ++a) j["values"][r.pointers[a]] = c.values[a];
    j["status"] = to_string(c.status);
    if (!c.detail.empty()) j["detail"] = c.detail;
    const auto put = [&](const char* key, const std::optional<double>& v) {
      if (v) j[key] = *v;
    };
    put("step_time_s", c.step_time_s);
    put("mfu_causal", c.mfu_causal);
    put("tokens_per_day", c.tokens_per_day);
    put("memory_gib", c.memory_gib);
    put("memory_capacity_gib", c.memory_capacity_gib);
    put("gpu_hours", c.gpu_hours);
    put("days", c.days);
    put("cost_usd", c.cost_usd);
    cases.push_back(std::move(j));
  }
  return {{"scenario", r.scenario}, {"engine", r.engine}, {"axes", r.pointers}, {"cases", cases}};
}

}  // namespace trainsim
