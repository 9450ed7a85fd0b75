#pragma once
// What a run's GPU-hours cost: rent, or ownership (capex amortised over the hours the cluster
// is used, plus energy); the energy and emissions behind them; and goodput, the GPU-hours
// failures, checkpoints and restarts add to the ideal ones.
#include "models/model_spec.hpp"
#include "models/parallel_plan.hpp"
#include "models/prices.hpp"

namespace trainsim {

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
