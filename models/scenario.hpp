#pragma once
// A scenario: the model, the cluster, the parallel plan, the training phases and the prices,
// read from one JSON file and checked as a whole before anything is computed.
#include <string>
#include <vector>

#include "core/json_override.hpp"
#include "hardware/cluster_spec.hpp"
#include "models/model_spec.hpp"
#include "models/planner_spec.hpp"
#include "models/prices.hpp"
#include "models/training_run.hpp"
#include "models/validation_target.hpp"

namespace trainsim {

struct Scenario {
  std::string file;
  std::string name;
  std::string description;
  ModelSpec model;
  ClusterSpec cluster;
  ParallelPlan plan;
  std::vector<TrainingPhase> phases;
  Prices prices;
  std::optional<Reliability> reliability;  // absent: no failures modelled
  PublishedRun published;
  // The planner's search space and constraints ("planner"), when the scenario narrows it.
  std::optional<PlannerSpec> planner;
  // The measured run a validation scenario is compared with ("validation").
  std::optional<ValidationTarget> validation;
};

// Reads and validates a scenario file, with `overrides` (`--set`) applied to the document
// before it is read. Throws ConfigError listing every issue found.
Scenario load_scenario(const std::string& path, const std::vector<JsonOverride>& overrides = {});
// The scenario file's document with `overrides` applied, not yet read as a scenario (what
// load_scenario reads). Throws ConfigError when it does not parse or a pointer leads nowhere.
nlohmann::json scenario_document(const std::string& path, const std::vector<JsonOverride>& overrides);
// Same, from a parsed document; `file` names it in messages, `base_dir` resolves paths.
Scenario parse_scenario(const nlohmann::json& doc, const std::string& file, const std::string& base_dir);

}  // namespace trainsim
