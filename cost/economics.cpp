#include "cost/economics.hpp"

#include <algorithm>
#include <cmath>

#include "models/parameter_count.hpp"
#include "models/training_state.hpp"

namespace trainsim {

double kwh_per_gpu_hour(const EnergyPrices& e) {
  return e.power_per_gpu ? e.power_per_gpu->si() / 1000.0 * e.pue.value : 0.0;
}

double ownership_usd_per_gpu_hour(const Ownership& o, const EnergyPrices& e) {
  const double capex = o.gpu_usd.value + o.node_usd_per_gpu + o.network_usd_per_gpu;
  return capex / (o.amortization_years * 365.25 * 24.0 * o.utilization) + kwh_per_gpu_hour(e) * e.usd_per_kwh.value;
}

double usd_per_gpu_hour(const Prices& p) {
  if (p.rental_usd_per_gpu_hour) return *p.rental_usd_per_gpu_hour;
  return p.ownership ? ownership_usd_per_gpu_hour(*p.ownership, p.energy) : 0.0;
}

Bytes checkpoint_bytes(const ModelSpec& model, const ParallelPlan& plan) {
  const auto counts = count_parameters(model);
  const auto params = counts.total + counts.mtp_total;
  return Bytes(params * checkpoint_bytes_per_parameter(plan));
}

Goodput goodput(const Reliability& r, std::int64_t gpus, Bytes checkpoint) {
  Goodput g;
  g.checkpoint = checkpoint;
  g.checkpoint_write = checkpoint / r.checkpoint_write_bandwidth;
  if (r.failures_per_gpu_hour <= 0.0) return g;
  g.mtbf = Seconds(3600.0 / (r.failures_per_gpu_hour * static_cast<double>(gpus)));
  const double m = g.mtbf.si();
  const double delta = g.checkpoint_write.si();
  // Young's first-order optimum, with Daly's correction; the waste counts checkpoint writes,
  // half an interval of lost work per failure and the restart.
  const double tau = delta < m / 2.0 ? std::sqrt(2.0 * delta * m) - delta : m;
  g.interval = Seconds(tau);
  const double waste = delta / (tau + delta) + (tau / 2.0 + r.restart_time.si()) / m;
  g.efficiency = std::max(0.0, 1.0 - waste);
  return g;
}

}  // namespace trainsim
