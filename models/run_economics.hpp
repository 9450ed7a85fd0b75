#pragma once
// What a run's GPU-hours cost: rent, or ownership (capex amortised over the hours the cluster
// is used, plus energy); the energy and emissions behind them; and goodput, the GPU-hours
// failures, checkpoints and restarts add to the ideal ones. Defaults come from
// models/catalog/cost_defaults.json, each with its source; scenarios override them.
#include <optional>
#include <string>

#include "hardware/gpu_spec.hpp"
#include "hardware/json_reader.hpp"
#include "models/model_spec.hpp"
#include "models/parallel_plan.hpp"

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

// Dollars per GPU-hour of an owned cluster: capex over the hours used, plus energy.
double ownership_usd_per_gpu_hour(const Ownership& o, const EnergyPrices& e);
// The figure run costs are quoted in: the rental price, else the ownership cost.
double usd_per_gpu_hour(const Prices& p);
// Energy drawn per GPU-hour at the wall (server power x PUE), or 0 when unknown.
double kwh_per_gpu_hour(const EnergyPrices& e);

// Young/Daly checkpointing under random failures.
struct Goodput {
  Seconds mtbf;              // of the whole job
  Bytes checkpoint;          // the training state written each time
  Seconds checkpoint_write;  // its write time at the store's bandwidth
  Seconds interval;          // the optimum between checkpoints
  double efficiency = 1.0;   // useful time / wall time
};
// The training state a checkpoint holds: BF16 weights, FP32 master weights and both moments.
Bytes checkpoint_bytes(const ModelSpec& model, const ParallelPlan& plan);
Goodput goodput(const Reliability& r, std::int64_t gpus, Bytes checkpoint);

}  // namespace trainsim
