#pragma once
// A sweep's cases as a table (text, Markdown, CSV: one row per case) and as JSON; its HTML page
// is in html_report.hpp.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "planner/sweep.hpp"

namespace trainsim {

// The table the text, Markdown and HTML outputs show: a header row, then one row per case.
std::vector<std::vector<std::string>> sweep_table(const SweepResult& result);
std::string sweep_text(const SweepResult& result);
std::string sweep_markdown(const SweepResult& result);
std::string sweep_csv(const SweepResult& result);
nlohmann::json sweep_json(const SweepResult& result);

}  // namespace trainsim
