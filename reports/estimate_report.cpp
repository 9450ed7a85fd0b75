#include "reports/estimate_report.hpp"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "reports/number_format.hpp"

namespace trainsim {

std::string plan_text(const ParallelPlan& p) {
  std::string text = fmt::format("TP{} PP{} DP{} EP{} CP{}", p.tensor, p.pipeline, p.data, p.expert, p.context);
  if (p.expert > 1 || p.expert_tensor_degree() != p.tensor) text += fmt::format(" ETP{}", p.expert_tensor_degree());
  if (p.virtual_stages > 1) text += fmt::format(" V{}", p.virtual_stages);
  text += fmt::format(", {}, micro-batch {}, ZeRO-{}, {}, recompute {}", to_string(p.schedule), p.micro_batch_size,
                      p.zero_stage, to_string(p.precision), p.recompute.describe());
  if (p.communication_sms > 0) text += fmt::format(", {} SMs for communication", p.communication_sms);
  if (p.tp_comm_overlap && p.tensor > 1) text += ", TP comm overlap";
  if (p.cuda_graphs) text += ", CUDA graphs";
  if (p.moe_pad_to_capacity) text += ", MoE padded to capacity";
  if (p.cross_entropy != ParallelPlan{}.cross_entropy) text += fmt::format(", {} cross-entropy", to_string(p.cross_entropy));
  if (p.precision == Precision::fp8) text += fmt::format(", {} scaling", to_string(p.fp8_recipe));
  if (!p.routing.is_default()) text += ", routing " + p.routing.describe();
  return text;
}

namespace {

std::string beside(double estimate, const std::optional<double>& published, const std::string& shown) {
  if (!published) return "";
  return fmt::format("   published {} ({})", shown, deviation_text(estimate, *published));
}

void routing_section(std::string& out, const RoutingReport& q) {
  const auto& t = q.tokens_per_rank;
  const double mean = std::accumulate(t.begin(), t.end(), 0.0) / static_cast<double>(t.size());
  out += fmt::format("  routing            {}\n", q.routing);
  out += fmt::format("    hottest EP rank    {} of {}: {} routed tokens per MoE layer and micro-batch, {:.2f}x the mean {}; "
                     "every rank waits for its experts, and its incoming all-to-all on {}\n",
                     q.hottest_rank, t.size(), short_count(t[static_cast<std::size_t>(q.hottest_rank)]), q.hottest_factor,
                     short_count(mean), q.over_fabric ? "its NIC" : "NVLink");
  out += fmt::format("    least loaded       {} routed tokens\n", short_count(*std::min_element(t.begin(), t.end())));
  out += fmt::format("    step               {} against {} under balanced routing ({})\n", seconds_text(q.step),
                     seconds_text(q.balanced_step), deviation_text(q.step.si(), q.balanced_step.si()));
}

void step_section(std::string& out, const Scenario& s, const RunEstimate& r) {
  const auto& e = *r.headline;
  const auto& b = e.breakdown;
  const auto& pub = s.published;
  out += fmt::format("\nStep at sequence {} ({} micro-batches per pipeline, {} tokens)\n", r.headline_sequence_length,
                     e.micro_batches, short_count(e.tokens_per_step()));
  if (e.infeasible) out += fmt::format("  INFEASIBLE: {}\n", e.infeasible->detail);
  out += fmt::format("  step time          {:>12}{}\n", seconds_text(e.step_time),
                     beside(e.step_time.si(), pub.step_time ? std::optional<double>(pub.step_time->si()) : std::nullopt,
                            pub.step_time ? seconds_text(*pub.step_time) : ""));
  out += fmt::format("    compute            {:>10}\n", seconds_text(b.compute));
  if (e.host_stall > Seconds(0)) {
    out += fmt::format("      host stalls      {:>10}   (of the compute, on the busiest rank: the device waiting for the host)\n",
                       seconds_text(e.host_stall));
  }
  out += fmt::format("    exposed comm.      {:>10}\n", seconds_text(b.exposed_communication));
  out += fmt::format("    pipeline bubble    {:>10}   (the schedule's published formula on these chunks: {})\n",
                     seconds_text(b.pipeline_bubble), seconds_text(e.bubble_by_formula));
  out += fmt::format("    optimizer + DP     {:>10}\n", seconds_text(b.optimizer));
  out += "  by schedule phase (ISCA'25 Table 4 categories)\n";
  const auto& pb = pub.step_breakdown;
  const auto phase = [&](const char* name, Seconds ours, std::optional<Seconds> theirs) {
    out += fmt::format("    {:<20} {:>10}{}\n", name, seconds_text(ours),
                       theirs ? fmt::format("   published {} ({})", seconds_text(*theirs), deviation_text(ours.si(), theirs->si()))
                              : std::string());
  };
  phase("forward alone", b.warmup_forward, pb ? std::optional(pb->forward) : std::nullopt);
  phase("bubble", b.pipeline_bubble, pb ? std::optional(pb->bubble) : std::nullopt);
  phase("backward alone", b.cooldown_backward, pb ? std::optional(pb->backward) : std::nullopt);
  phase("weight alone", b.weight_gradient, pb ? std::optional(pb->weight) : std::nullopt);
  phase("steady / overlapped", b.steady, pb ? std::optional(pb->overlapped) : std::nullopt);
  phase("optimizer", b.optimizer, pb ? std::optional(pb->optimizer) : std::nullopt);
  out += fmt::format("  tokens per day     {:>12}{}\n", short_count(e.tokens_per_day()),
                     beside(e.tokens_per_day(), pub.tokens_per_day,
                            pub.tokens_per_day ? short_count(*pub.tokens_per_day) : ""));
  const double mfu = e.mfu(AttentionConvention::causal);
  const double mfu_non_causal = e.mfu(AttentionConvention::non_causal);
  out += fmt::format("  MFU causal         {:>12}{}   ({:.0f} TFLOPS/GPU of {:.0f} dense BF16)\n", percent_text(mfu),
                     beside(mfu, pub.mfu_causal, pub.mfu_causal ? percent_text(*pub.mfu_causal) : ""),
                     to_tflops(e.model_flops_per_gpu(AttentionConvention::causal)), to_tflops(*s.cluster.gpu.peak(Precision::bf16)));
  out += fmt::format("  MFU non-causal     {:>12}{}\n", percent_text(mfu_non_causal),
                     beside(mfu_non_causal, pub.mfu_non_causal,
                            pub.mfu_non_causal ? percent_text(*pub.mfu_non_causal) : ""));
  const auto& m = e.memory;
  out += fmt::format(
      "  memory (rank {})    {:.1f} GiB of {:.1f} GiB: weights {:.1f}, gradients {:.1f}, optimizer {:.1f}, "
      "activations {:.1f} ({:.0f} chunk sets), transient {:.1f}, overhead {:.1f}\n",
      m.pipeline_rank, to_gib(m.total()), to_gib(s.cluster.gpu.memory_capacity), to_gib(m.weights), to_gib(m.gradients),
      to_gib(m.optimizer_states), to_gib(m.activations), m.in_flight_chunks, to_gib(m.transient), to_gib(m.overhead));
  if (r.routing) routing_section(out, *r.routing);
}

// Goodput, ownership, energy and emissions, each with where its inputs come from.
void economics_section(std::string& out, const Scenario& s, const RunCost& run) {
  const auto& e = s.prices.energy;
  if (run.goodput) {
    const auto& g = *run.goodput;
    out += fmt::format(
        "  goodput {:.1f}%: job MTBF {:.2f} h, checkpoint {:.2f} TB written in {}, every {} (Young/Daly), restart {}; "
        "{} ideal GPU-hours become {}\n    [{}]\n",
        100.0 * g.efficiency, to_hours(g.mtbf), g.checkpoint.as_double() / 1e12, seconds_text(g.checkpoint_write),
        seconds_text(g.interval), seconds_text(s.reliability->restart_time), short_count(run.ideal_gpu_hours, 3),
        short_count(run.gpu_hours, 3), s.reliability->source);
  } else {
    out += "  goodput: not modelled (the scenario gives no failure rate): GPU-hours are ideal\n";
  }
  if (s.prices.ownership) {
    const auto& o = *s.prices.ownership;
    out += fmt::format("  ownership {} (${:.2f}/GPU-hour: GPU ${:.0f}, node ${:.0f}, network ${:.0f} per GPU over {:.1f} years at "
                       "{:.0f}% use, plus energy)\n    [{}; GPU price: {}]\n",
                       usd_text(run.ownership_usd), ownership_usd_per_gpu_hour(o, e), o.gpu_usd.value, o.node_usd_per_gpu,
                       o.network_usd_per_gpu, o.amortization_years, 100.0 * o.utilization, o.source, o.gpu_usd.source);
  }
  if (e.power_per_gpu) {
    out += fmt::format("  energy {:.2f} GWh at the wall ({:.0f} W per GPU x PUE {:.2f}), {} at ${:.4f}/kWh; emissions {:.0f} t CO2 "
                       "at {:.3f} kg/kWh\n    [power: {}]\n    [PUE: {}]\n    [electricity: {}]\n    [grid: {}]\n",
                       run.energy_kwh / 1e6, e.power_per_gpu->si(), e.pue.value, usd_text(run.energy_kwh * e.usd_per_kwh.value),
                       e.usd_per_kwh.value, run.emissions_kg / 1000.0, e.kg_co2_per_kwh.value, e.power_source, e.pue.source,
                       e.usd_per_kwh.source, e.kg_co2_per_kwh.source);
  } else {
    out += "  energy: unknown (the GPU has no TDP in the catalog; give prices.energy.power_per_gpu)\n";
  }
}

void run_section(std::string& out, const Scenario& s, const RunEstimate& r) {
  out += fmt::format("\nRun ({} GPUs at ${:.2f}/GPU-hour)\n", s.cluster.gpu_count, usd_per_gpu_hour(s.prices));
  out += fmt::format("  {:<20} {:>8} {:>9} {:>11} {:>7} {:>10}   {}\n", "phase", "tokens", "steps", "GPU-hours", "days",
                     "cost", "published GPU-hours");
  for (const auto& p : r.run.phases) {
    std::string published;
    if (p.published.gpu_hours) {
      published = fmt::format("{} ({})", short_count(*p.published.gpu_hours, 3), deviation_text(p.gpu_hours, *p.published.gpu_hours));
    }
    const std::string name = p.name + (p.source == PhaseSource::given ? " [given]" : "");
    out += fmt::format("  {:<20} {:>8} {:>9} {:>11} {:>7.2f} {:>10}   {}\n", name, short_count(p.tokens),
                       p.steps > 0 ? short_count(p.steps, 1) : "-", short_count(p.gpu_hours, 3), p.days, usd_text(p.cost_usd),
                       published);
    for (const auto& w : p.warnings) out += "      note: " + w + "\n";
  }
  const auto& pub = s.published;
  out += fmt::format("  {:<20} {:>8} {:>9} {:>11} {:>7.2f} {:>10}   {}\n", "total", "", "", short_count(r.run.gpu_hours, 3),
                     r.run.days, usd_text(r.run.cost_usd),
                     pub.total_gpu_hours ? fmt::format("{} ({}); ${}", short_count(*pub.total_gpu_hours, 3),
                                                       deviation_text(r.run.gpu_hours, *pub.total_gpu_hours),
                                                       pub.cost_usd ? short_count(*pub.cost_usd, 3) : "?")
                                         : "");
  for (const auto& p : r.run.phases) {
    if (p.source == PhaseSource::given) out += fmt::format("  [given] {}: {}\n", p.name, p.source_note);
  }
  economics_section(out, s, r.run);
}

void simulation_section(std::string& out, const StepSimulation& sim) {
  // Host time stays out: outputs are the same byte for byte on every run (bench/ measures it).
  out += fmt::format("\nSimulation ({} engine, {} fidelity): {} GPUs simulated, {} ops, {} flows\n", to_string(sim.engine),
                     sim.fidelity == Fidelity::full ? "full" : "reduced", sim.simulated_ranks, sim.ops, sim.flows);
  if (!sim.busy_fraction.empty()) {
    const auto [lo, hi] = std::minmax_element(sim.busy_fraction.begin(), sim.busy_fraction.end());
    double mean = 0;
    for (const double f : sim.busy_fraction) mean += f;
    mean /= static_cast<double>(sim.busy_fraction.size());
    out += fmt::format("  GPU compute busy     min {}, mean {}, max {}\n", percent_text(*lo), percent_text(mean), percent_text(*hi));
  }
  out += "  most loaded links\n";
  for (std::size_t i = 0; i < std::min<std::size_t>(5, sim.busiest_links.size()); ++i) {
    const auto& l = sim.busiest_links[i];
    out += fmt::format("    {:<16} {:>6} busy, {:.1f} GB over the step\n", l.name, percent_text(l.utilization), to_gb(l.bytes));
  }
}

}  // namespace

std::string estimate_text(const Scenario& s, const RunEstimate& r, const StepSimulation* simulation) {
  std::string out = fmt::format("trainsim: {} (engine: {})\n", s.name, r.engine);
  const auto& p = r.parameters;
  out += fmt::format("\nModel    {}\n", s.model.name);
  out += fmt::format("         {} parameters, {} active per token (embedding and head included)", short_count(double(p.total)),
                     short_count(double(p.active)));
  if (p.mtp_total > 0) out += fmt::format("; MTP modules {} more", short_count(double(p.mtp_total)));
  out += "\n";
  if (r.headline_sequence_length > 0) {
    out += fmt::format("         training FLOPs per token at sequence {}: {:.1f} GFLOP causal, {:.1f} GFLOP non-causal "
                       "(model FLOPs of the main model: 6 per matmul weight + attention, no recomputation)\n",
                       r.headline_sequence_length, r.flops_causal.total().si() / 1e9, r.flops_non_causal.total().si() / 1e9);
  }
  const auto& c = s.cluster;
  const auto domain = c.gpus_per_node == c.server_size()
                          ? std::string()
                          : fmt::format(" in NVLink domains of {}", c.gpus_per_node);
  out += fmt::format("Cluster  {} x {}, {} per node{}, {} fabric, {} NICs of {:.0f} Gb/s per node\n", c.gpu_count, c.gpu.name,
                     c.server_size(), domain, to_string(c.network.topology), c.nics_per_server(),
                     c.network.nic_bandwidth.si() * 8 / 1e9);
  out += fmt::format("Plan     {}\n", plan_text(s.plan));
  if (r.headline) step_section(out, s, r);
  if (simulation != nullptr) simulation_section(out, *simulation);
  run_section(out, s, r);

  out += fmt::format("\nKernel times: calibration \"{}\"\n", c.calibration_label);
  std::string uncalibrated;
  for (const auto& curve : r.curves) {
    out += fmt::format("  {:<22} {:<10} {}\n", to_string(curve.kind), to_string(curve.use.origin), curve.use.label);
    if (curve.use.origin == CurveOrigin::assumed) uncalibrated += (uncalibrated.empty() ? "" : ", ") + std::string(to_string(curve.kind));
  }
  out += "  uncalibrated classes: " + (uncalibrated.empty() ? std::string("none") : uncalibrated) + "\n";
  out += fmt::format("Host issue: {:.0f} us per operation, {:.0f} us per further launch, {:.0f} us per CUDA graph{}\n",
                     c.host.per_operation.si() * 1e6, c.host.per_extra_launch.si() * 1e6, c.host.per_graph_launch.si() * 1e6,
                     c.host == HostCosts{} ? " (defaults: the lower ends of NVIDIA's CUDA Graph Best Practice ranges)" : "");
  if (!s.published.source.empty()) out += "\nPublished figures: " + s.published.source + "\n";
  return out;
}

std::string estimate_markdown(const Scenario& s, const RunEstimate& r) {
  std::string out = fmt::format("# {}\n\nEngine: {}. Plan: {}.\n\n", s.name, r.engine, plan_text(s.plan));
  if (r.headline) {
    const auto& e = *r.headline;
    const auto& b = e.breakdown;
    out += "| step | compute | exposed comm. | bubble | optimizer + DP | tokens/day | MFU causal | memory |\n"
           "|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {:.1f} GiB |\n\n", seconds_text(e.step_time), seconds_text(b.compute),
                       seconds_text(b.exposed_communication), seconds_text(b.pipeline_bubble), seconds_text(b.optimizer),
                       short_count(e.tokens_per_day()), percent_text(e.mfu(AttentionConvention::causal)), to_gib(e.memory.total()));
  }
  out += "| phase | tokens | GPU-hours | days | cost | energy | CO2 | published GPU-hours |\n"
         "|---|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& p : r.run.phases) {
    out += fmt::format("| {}{} | {} | {} | {:.2f} | {} | {:.0f} MWh | {:.0f} t | {} |\n", p.name,
                       p.source == PhaseSource::given ? " [given]" : "", short_count(p.tokens), short_count(p.gpu_hours, 3),
                       p.days, usd_text(p.cost_usd), p.energy_kwh / 1000.0, p.emissions_kg / 1000.0,
                       p.published.gpu_hours ? short_count(*p.published.gpu_hours, 3) : "");
  }
  out += fmt::format("| total | | {} | {:.2f} | {} | {:.0f} MWh | {:.0f} t | {} |\n", short_count(r.run.gpu_hours, 3), r.run.days,
                     usd_text(r.run.cost_usd), r.run.energy_kwh / 1000.0, r.run.emissions_kg / 1000.0,
                     s.published.total_gpu_hours ? short_count(*s.published.total_gpu_hours, 3) : "");
  return out;
}

std::string estimate_csv(const Scenario& s, const RunEstimate& r) {
  std::string out = "scenario,engine,phase,source,tokens,steps,ideal_gpu_hours,gpu_hours,days,cost_usd,energy_kwh,emissions_kg_co2,"
                    "published_gpu_hours,step_time_s,mfu_causal,tokens_per_day,memory_gib,feasible\n";
  for (const auto& p : r.run.phases) {
    // The phase's first segment at its full batch (empty for a phase whose figures are given).
    std::string step = ",,,,";
    if (!p.segments.empty()) {
      const auto& e = p.segments.front();
      step = fmt::format("{:.6f},{:.4f},{:.0f},{:.2f},{}", e.step_time.si(), e.mfu(AttentionConvention::causal), e.tokens_per_day(),
                         to_gib(e.memory.total()), e.feasible() ? "true" : "false");
    }
    out += fmt::format("{},{},{},{},{:.0f},{:.1f},{:.1f},{:.1f},{:.4f},{:.2f},{:.1f},{:.1f},{},{}\n", s.name, r.engine, p.name,
                       p.source == PhaseSource::given ? "given" : "estimated", p.tokens, p.steps, p.ideal_gpu_hours, p.gpu_hours,
                       p.days, p.cost_usd, p.energy_kwh, p.emissions_kg,
                       p.published.gpu_hours ? fmt::format("{:.1f}", *p.published.gpu_hours) : "", step);
  }
  return out;
}

nlohmann::json step_breakdown_json(const StepBreakdown& b) {
  return {{"compute", b.compute.si()},
          {"exposed_communication", b.exposed_communication.si()},
          {"pipeline_bubble", b.pipeline_bubble.si()},
          {"optimizer", b.optimizer.si()},
          {"warmup_forward", b.warmup_forward.si()},
          {"steady", b.steady.si()},
          {"cooldown_backward", b.cooldown_backward.si()},
          {"weight_gradient", b.weight_gradient.si()}};
}

nlohmann::json estimate_json(const Scenario& s, const RunEstimate& r, const StepSimulation* simulation) {
  nlohmann::json j;
  j["scenario"] = s.name;
  j["engine"] = r.engine;
  j["used_given_figures"] = r.used_given;
  j["total_params"] = r.parameters.total;
  j["active_params"] = r.parameters.active;
  j["mtp_params"] = r.parameters.mtp_total;
  j["sequence_length"] = r.headline_sequence_length;
  j["flops_per_token"] = {{"causal_flop", r.flops_causal.total().si()},
                          {"non_causal_flop", r.flops_non_causal.total().si()},
                          {"convention", "model FLOPs of the main model, forward + backward, no recomputation"}};
  if (r.headline) {
    const auto& e = *r.headline;
    const auto& b = e.breakdown;
    j["feasible"] = e.feasible();
    if (e.infeasible) j["infeasible_reason"] = e.infeasible->detail;
    j["step_time_s"] = e.step_time.si();
    j["micro_batches_per_pipeline"] = e.micro_batches;
    j["tokens_per_step"] = e.tokens_per_step();
    j["tokens_per_day"] = e.tokens_per_day();
    j["mfu"] = {{"causal", e.mfu(AttentionConvention::causal)}, {"non_causal", e.mfu(AttentionConvention::non_causal)}, {"peak", "dense BF16"}};
    j["model_tflops_per_gpu"] = {{"causal", to_tflops(e.model_flops_per_gpu(AttentionConvention::causal))},
                                 {"non_causal", to_tflops(e.model_flops_per_gpu(AttentionConvention::non_causal))}};
    j["step_breakdown_s"] = step_breakdown_json(b);
    j["bubble_by_published_formula_s"] = e.bubble_by_formula.si();
    j["host_stall_s"] = e.host_stall.si();
    const auto& m = e.memory;
    j["memory_bytes"] = {{"pipeline_rank", m.pipeline_rank},     {"weights", m.weights.count()},
                         {"gradients", m.gradients.count()},     {"optimizer_states", m.optimizer_states.count()},
                         {"activations", m.activations.count()}, {"transient", m.transient.count()},
                         {"overhead", m.overhead.count()},       {"total", m.total().count()},
                         {"capacity", s.cluster.gpu.memory_capacity.count()}};
  }
  if (r.routing) {
    const auto& q = *r.routing;
    j["routing"] = {{"routing", q.routing},
                    {"routed_tokens_per_ep_rank", q.tokens_per_rank},
                    {"hottest_ep_rank", q.hottest_rank},
                    {"hottest_factor", q.hottest_factor},
                    {"hottest_incoming_link", q.over_fabric ? "nic" : "nvlink"},
                    {"step_time_s", q.step.si()},
                    {"balanced_step_time_s", q.balanced_step.si()}};
  }
  nlohmann::json phases = nlohmann::json::array();
  for (const auto& p : r.run.phases) {
    nlohmann::json ph{{"name", p.name},
                      {"source", p.source == PhaseSource::given ? "given" : "estimated"},
                      {"tokens", p.tokens},
                      {"steps", p.steps},
                      {"ideal_gpu_hours", p.ideal_gpu_hours},
                      {"gpu_hours", p.gpu_hours},
                      {"days", p.days},
                      {"cost_usd", p.cost_usd},
                      {"energy_kwh", p.energy_kwh},
                      {"emissions_kg_co2", p.emissions_kg}};
    if (s.prices.ownership) ph["ownership_usd"] = p.ownership_usd;
    if (p.source == PhaseSource::given) ph["given_source"] = p.source_note;
    if (p.published.gpu_hours) ph["published_gpu_hours"] = *p.published.gpu_hours;
    if (!p.warnings.empty()) ph["warnings"] = p.warnings;
    phases.push_back(ph);
  }
  j["phases"] = phases;
  j["ideal_gpu_hours"] = r.run.ideal_gpu_hours;
  j["gpu_hours"] = r.run.gpu_hours;
  j["days"] = r.run.days;
  j["cost_usd"] = r.run.cost_usd;
  j["usd_per_gpu_hour"] = usd_per_gpu_hour(s.prices);
  j["energy_kwh"] = r.run.energy_kwh;
  j["emissions_kg_co2"] = r.run.emissions_kg;
  if (s.prices.ownership) j["ownership_usd"] = r.run.ownership_usd;
  if (r.run.goodput) {
    const auto& g = *r.run.goodput;
    j["goodput"] = {{"efficiency", g.efficiency},
                    {"job_mtbf_s", g.mtbf.si()},
                    {"checkpoint_bytes", g.checkpoint.count()},
                    {"checkpoint_write_s", g.checkpoint_write.si()},
                    {"checkpoint_interval_s", g.interval.si()}};
  }
  nlohmann::json curves = nlohmann::json::object();
  for (const auto& curve : r.curves) {
    curves[std::string(to_string(curve.kind))] = {{"origin", to_string(curve.use.origin)}, {"label", curve.use.label}};
  }
  j["kernel_calibration"] = {{"name", s.cluster.calibration_label}, {"classes", curves}};
  const auto& host = s.cluster.host;
  j["host_issue_s"] = {{"operation", host.per_operation.si()},
                       {"extra_launch", host.per_extra_launch.si()},
                       {"graph_launch", host.per_graph_launch.si()}};
  if (simulation != nullptr) {
    nlohmann::json links = nlohmann::json::array();
    for (const auto& l : simulation->busiest_links) {
      links.push_back({{"link", l.name}, {"bytes", l.bytes.count()}, {"utilization", l.utilization}});
    }
    j["simulation"] = {{"engine", to_string(simulation->engine)},
                       {"fidelity", simulation->fidelity == Fidelity::full ? "full" : "reduced"},
                       {"simulated_gpus", simulation->simulated_ranks},
                       {"ops", simulation->ops},
                       {"flows", simulation->flows},
                       {"gpu_busy_fraction", simulation->busy_fraction},
                       {"busiest_links", links}};
  }
  if (const auto& pb = s.published.step_breakdown) {
    j["published_step_breakdown_s"] = {{"forward", pb->forward.si()},       {"bubble", pb->bubble.si()},
                                       {"backward", pb->backward.si()},     {"weight", pb->weight.si()},
                                       {"overlapped", pb->overlapped.si()}, {"optimizer", pb->optimizer.si()}};
  }
  if (!s.published.source.empty()) {
    nlohmann::json pub{{"source", s.published.source}};
    if (s.published.step_time) pub["step_time_s"] = s.published.step_time->si();
    if (s.published.tokens_per_day) pub["tokens_per_day"] = *s.published.tokens_per_day;
    if (s.published.total_gpu_hours) pub["gpu_hours"] = *s.published.total_gpu_hours;
    if (s.published.cost_usd) pub["cost_usd"] = *s.published.cost_usd;
    j["published"] = pub;
  }
  return j;
}

}  // namespace trainsim
