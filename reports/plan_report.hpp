#pragma once
// Renderers of a plan search: a text table for people, JSON and CSV for programs. JSON and CSV
// fields name their units.
#include <string>

#include <nlohmann/json.hpp>

#include "planner/plan_search.hpp"
#include "planner/scenario_init.hpp"

namespace trainsim {

std::string plan_search_text(const Scenario& scenario, const PlanSearchResult& result);
nlohmann::json plan_search_json(const Scenario& scenario, const PlanSearchResult& result);
// What `trainsim init` tells its user: the plan it wrote and what the run costs with it, or why
// none was searched or fits.
std::string init_summary_text(const InitResult& result);
// One row per shortlisted plan.
std::string plan_search_csv(const PlanSearchResult& result);

}  // namespace trainsim
