#pragma once
// What a validation scenario was measured at: the published figure, its metric and the
// convention it was computed with, read strictly from the scenario's "validation" object.
#include <optional>
#include <string>

#include <vector>

#include "core/json_reader.hpp"
#include "models/flop_count.hpp"
#include "models/training_run.hpp"

namespace trainsim {

enum class ValidationMetric {
  step_time_s,                    // seconds per step at the scenario's headline shape
  tflops_per_gpu,                 // achieved TFLOP/s per GPU under the row's FLOP convention
  tokens_per_s_per_gpu,           // convention-free throughput
  gpu_hours,                      // of one phase, or of the whole run ("all")
  gpu_hours_per_trillion_tokens,  // of one phase
};
std::string_view to_string(ValidationMetric m);
// The metric a name spells, or nullopt.
std::optional<ValidationMetric> find_validation_metric(std::string_view name);

enum class FlopCounting { model, hardware };  // hardware: the recomputed forward counted too

struct ValidationTarget {
  std::string row;       // the row of ../shared/reference/validation-public.csv
  std::string citation;
  std::string convention;  // how the source computed its figure, in words
  ValidationMetric metric = ValidationMetric::step_time_s;
  double measured = 0.0;   // in the metric's unit (TFLOP/s, tokens/s, seconds, GPU-hours)
  FlopCounting flops = FlopCounting::model;
  AttentionConvention attention = AttentionConvention::causal;
  std::string phase;  // gpu_hours metrics: the phase's name, or "all"
  bool ci = false;    // part of the subset the test suite runs
};

// Reads a scenario's "validation" object; a gpu_hours metric names one of `phases` (or "all").
// Issues go to the reader.
ValidationTarget parse_validation_target(ObjectReader& reader, const std::vector<TrainingPhase>& phases);

}  // namespace trainsim
