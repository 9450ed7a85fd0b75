#pragma once
// What a scenario says a run's GPU-hours cost and how often it fails: rent, ownership inputs,
// energy prices and the reliability of the job. Defaults come from
// models/catalog/cost_defaults.json, each with its source; scenarios override them. The
// arithmetic on them lives in cost/.
#include <optional>
#include <string>

#include "core/json_reader.hpp"
#include "hardware/gpu_spec.hpp"

namespace trainsim {

struct SourcedValue {
  double value = 0.0;
  std::string source;
};

struct EnergyPrices {
  SourcedValue pue;             // facility power / IT power
  SourcedValue usd_per_kwh;
  SourcedValue kg_co2_per_kwh;  // grid emission intensity
  std::optional<Watts> power_per_gpu;  // server power per GPU; absent when the GPU has no TDP
  std::string power_source;
};

struct Ownership {
  SourcedValue gpu_usd;                // purchase price of one GPU
  double node_usd_per_gpu = 0.0;       // servers, CPUs, memory, storage: share per GPU
  double network_usd_per_gpu = 0.0;    // NICs, switches, optics, cables per endpoint
  double amortization_years = 0.0;
  double utilization = 1.0;            // share of the amortisation period the cluster is used
  std::string source;
};

struct Prices {
  std::optional<double> rental_usd_per_gpu_hour;
  std::string source;
  EnergyPrices energy;
  std::optional<Ownership> ownership;
};

struct Reliability {
  double failures_per_gpu_hour = 0.0;   // interruptions of the job, per GPU and hour
  Seconds restart_time;                 // from an interruption to training again
  BytesPerSecond checkpoint_write_bandwidth;  // aggregate, to the checkpoint store
  std::string source;
};

// Reads "prices" (defaults filled in for `gpu`). Throws nothing; issues go to the reader.
Prices parse_prices(ObjectReader& reader, const GpuSpec& gpu);
Reliability parse_reliability(ObjectReader& reader, std::int64_t gpu_count);

}  // namespace trainsim
