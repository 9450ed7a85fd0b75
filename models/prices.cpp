#include "models/prices.hpp"

#include <fmt/format.h>

namespace trainsim {

namespace embedded {
extern const std::string_view cost_defaults_json;
}

namespace {

struct CostDefaults {
  SourcedValue pue, usd_per_kwh, kg_co2_per_kwh, node_power_factor;
};

const CostDefaults& cost_defaults() {
  static const CostDefaults defaults = [] {
    Diagnostics diag("models/catalog/cost_defaults.json");
    CostDefaults d;
    if (auto doc = parse_json_text(embedded::cost_defaults_json, diag)) {
      ObjectReader root(*doc, "", diag);
      root.integer("schema_version", 1, 1);
      root.string("about");
      const auto read = [&](const char* key, SourcedValue& out) {
        auto entry = root.object(key);
        out.value = entry.number("value");
        out.source = fmt::format("{} ({})", entry.string("source"), entry.integer("year", 1900, 2100));
        entry.finish();
      };
      read("pue", d.pue);
      read("usd_per_kwh", d.usd_per_kwh);
      read("kg_co2_per_kwh", d.kg_co2_per_kwh);
      read("node_power_factor", d.node_power_factor);
      root.finish();
    }
    diag.throw_if_any();  // the built-in file is tested; an error here is a build defect
    return d;
  }();
  return defaults;
}

// A value the scenario may override, with the source that comes with it.
SourcedValue overridable(ObjectReader* r, const char* key, const SourcedValue& fallback, const std::string& scenario_source,
                         double min, double max) {
  if (r == nullptr || !r->has(key)) return fallback;
  return {r->number(key, min, max), scenario_source};
}

}  // namespace

Prices parse_prices(ObjectReader& r, const GpuSpec& gpu) {
  Prices p;
  p.rental_usd_per_gpu_hour = r.optional_number("rental_usd_per_gpu_hour", 0.0, 1000.0);
  p.source = r.string("source");
  const auto& d = cost_defaults();
  auto energy = r.optional_object("energy");
  const std::string energy_source = energy ? energy->string("source") : "";
  ObjectReader* e = energy ? &*energy : nullptr;
  p.energy.pue = overridable(e, "pue", d.pue, energy_source, 1.0, 5.0);
  p.energy.usd_per_kwh = overridable(e, "usd_per_kwh", d.usd_per_kwh, energy_source, 0.0, 10.0);
  p.energy.kg_co2_per_kwh = overridable(e, "kg_co2_per_kwh", d.kg_co2_per_kwh, energy_source, 0.0, 5.0);
  if (e != nullptr && e->has("power_per_gpu")) {
    p.energy.power_per_gpu = e->watts("power_per_gpu");
    p.energy.power_source = energy_source;
  } else if (gpu.tdp) {
    p.energy.power_per_gpu = *gpu.tdp * d.node_power_factor.value;
    p.energy.power_source = fmt::format("GPU TDP {:.0f} W (catalog) x {}: {}", gpu.tdp->si(), d.node_power_factor.value,
                                        d.node_power_factor.source);
  }
  if (e != nullptr) e->finish();
  if (auto o = r.optional_object("ownership")) {
    Ownership own;
    own.source = o->string("source");
    if (o->has("gpu_usd")) {
      own.gpu_usd = {o->number("gpu_usd", 0.0, 1e7), own.source};
    } else if (gpu.prices.purchase_usd) {
      own.gpu_usd = {*gpu.prices.purchase_usd, fmt::format("catalog estimate for {} (see hardware/catalog/gpus.json)", gpu.id)};
    } else {
      r.diagnostics().error(child_pointer(o->pointer(), "gpu_usd"), "the catalog has no purchase price for " + gpu.id,
                            "give gpu_usd with its source");
    }
    own.node_usd_per_gpu = o->number("node_usd_per_gpu", 0.0, 1e7);
    own.network_usd_per_gpu = o->number("network_usd_per_gpu", 0.0, 1e7);
    own.amortization_years = o->number("amortization_years", 0.1, 50.0);
    own.utilization = o->optional_number("utilization", 0.01, 1.0).value_or(1.0);
    o->finish();
    p.ownership = own;
  }
  if (!p.rental_usd_per_gpu_hour && !p.ownership) {
    r.diagnostics().error(r.pointer(), "give rental_usd_per_gpu_hour or ownership (or both)");
  }
  r.finish();
  return p;
}

Reliability parse_reliability(ObjectReader& r, std::int64_t gpu_count) {
  Reliability rel;
  const auto rate = r.optional_number("failures_per_gpu_hour", 0.0, 1.0);
  const auto mtbf = r.optional_seconds("job_mtbf", Sign::positive);
  if (rate.has_value() == mtbf.has_value()) {
    r.diagnostics().error(r.pointer(), "give exactly one of failures_per_gpu_hour and job_mtbf");
  } else if (rate) {
    rel.failures_per_gpu_hour = *rate;
  } else if (mtbf->si() > 0.0 && gpu_count > 0) {
    rel.failures_per_gpu_hour = 1.0 / (to_hours(*mtbf) * static_cast<double>(gpu_count));
  }
  rel.restart_time = r.seconds("restart_time");
  rel.checkpoint_write_bandwidth = r.byte_rate("checkpoint_write_bandwidth");
  rel.source = r.string("source");
  r.finish();
  return rel;
}

}  // namespace trainsim
