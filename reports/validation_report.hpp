#pragma once
// The validation table: predicted against measured per row, the error, the mean absolute
// percentage error and the worst row.
#include <nlohmann/json.hpp>

#include "reports/table_format.hpp"
#include <string>

#include "validation/validation_suite.hpp"

namespace trainsim {

std::string validation_text(const ValidationSummary& summary);
nlohmann::json validation_json(const ValidationSummary& summary);
// One row per validation row for csv and md: measured, predicted, error and step shares.
Table validation_table(const ValidationSummary& summary);

}  // namespace trainsim
