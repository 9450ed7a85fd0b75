#include "reports/plan_report.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "reports/estimate_report.hpp"
#include "reports/number_format.hpp"

namespace trainsim {

std::string plan_search_text(const Scenario& s, const PlanSearchResult& r) {
  std::string out = fmt::format("trainsim plan: {} ({} phase: sequence {}, batch {}, {} tokens)\n\n", s.name, r.phase,
                                r.shape.sequence_length, r.shape.global_batch_size, short_count(r.phase_tokens));
  out += fmt::format("{} candidate plans, {} feasible, {} not:\n", r.candidates, r.feasible, r.candidates - r.feasible);
  for (const auto& c : r.infeasible) out += fmt::format("  {:>9}  {} (e.g. {})\n", c.plans, to_string(c.reason), c.example);
  out += fmt::format("\nShortlist: the best {} by closed form{}, simulated ({} engine, reduced fidelity)\n",
                     r.shortlist.size() - (r.baseline_rank > static_cast<std::int64_t>(r.shortlist.size()) ? 1 : 0),
                     r.baseline_rank > 0 ? " and the scenario's plan" : "", to_string(r.engine));
  out += fmt::format("  {:>6} {:>9} {:>9} {:>7} {:>8} {:>9} {:>7} {:>9} {:>9} {:>9} {:>8}  {}\n", "rank", "closed",
                     "simulated", "MFU", "MFU@BF16", "memory", "room", "days", "cost", "bubble", "exposed", "plan");
  for (const auto& p : r.shortlist) {
    const double mfu = p.estimate.work.mfu_of_precision_peak(p.step_time(), AttentionConvention::causal);
    const double mfu_bf16 = p.estimate.work.mfu(p.step_time(), AttentionConvention::causal);
    const auto& b = p.simulated ? p.simulation : p.estimate.breakdown;
    out += fmt::format("  {:>6} {:>9} {:>9} {:>7} {:>8} {:>5.1f}GiB {:>4.1f}GiB {:>9.2f} {:>9} {:>9} {:>8}  {}{}{}\n", p.rank,
                       seconds_text(p.estimate.step_time), p.simulated ? seconds_text(p.simulation.total) : "failed",
                       percent_text(mfu), percent_text(mfu_bf16), to_gib(p.estimate.memory.total()), to_gib(p.headroom), p.price.days,
                       usd_text(p.price.cost_usd), seconds_text(b.pipeline_bubble), seconds_text(b.exposed_communication),
                       plan_text(p.plan), p.baseline ? "  [scenario's plan]" : "", p.pareto ? "  [Pareto]" : "");
    if (!p.simulated) out += "         simulation failed: " + p.simulation_error + "\n";
  }
  out += "  (rank: by closed-form step time among feasible plans; MFU causal at the simulated step, of the dense peak of the\n"
         "   plan's precision, and of the dense BF16 peak; room: memory left on\n"
         "   the fullest GPU; days and cost: the whole phase at this step; [Pareto]: no other listed plan is faster,\n"
         "   cheaper and roomier at once)\n";
  const auto best = std::find_if(r.shortlist.begin(), r.shortlist.end(), [](const RankedPlan& p) { return p.simulated; });
  if (best != r.shortlist.end() && best->plan.precision != s.plan.precision) {
    out += fmt::format("\nNote: the best plan computes in {}, not the scenario's {} (planner.precisions allows it).\n",
                       to_string(best->plan.precision), to_string(s.plan.precision));
  }
  if (r.baseline_rank > 0) {
    out += fmt::format("\nThe scenario's plan ranks {} of {} feasible plans by closed form (top {}%).\n", r.baseline_rank,
                       r.feasible, plain_number(100.0 * static_cast<double>(r.baseline_rank) / static_cast<double>(std::max<std::int64_t>(r.feasible, 1)), 2));
  } else {
    out += "\nThe scenario's plan is not feasible: " + r.baseline_reason + "\n";
  }
  return out;
}

namespace {
nlohmann::json plan_json(const ParallelPlan& p) {
  return {{"tensor_parallel", p.tensor},   {"pipeline_parallel", p.pipeline},  {"data_parallel", p.data},
          {"expert_parallel", p.expert},   {"expert_tensor_parallel", p.expert_tensor_degree()},
          {"context_parallel", p.context},    {"schedule", to_string(p.schedule)},
          {"virtual_stages", p.virtual_stages}, {"micro_batch_size", p.micro_batch_size}, {"zero_stage", p.zero_stage},
          {"recomputation", p.recompute.describe()}, {"precision", to_string(p.precision)},
          {"tp_comm_overlap", p.tp_comm_overlap},
          {"cuda_graphs", p.cuda_graphs},
          {"moe_pad_to_capacity", p.moe_pad_to_capacity},
          {"cross_entropy", to_string(p.cross_entropy)},
          {"fp8_recipe", to_string(p.fp8_recipe)}};
}
}  // namespace

nlohmann::json plan_search_json(const Scenario& s, const PlanSearchResult& r) {
  nlohmann::json j;
  j["scenario"] = s.name;
  j["phase"] = r.phase;
  j["sequence_length"] = r.shape.sequence_length;
  j["global_batch_size"] = r.shape.global_batch_size;
  j["candidates"] = r.candidates;
  j["feasible"] = r.feasible;
  j["infeasible_by_reason"] = nlohmann::json::array();
  for (const auto& c : r.infeasible) {
    j["infeasible_by_reason"].push_back({{"reason", to_string(c.reason)}, {"plans", c.plans}, {"example", c.example}});
  }
  j["engine"] = to_string(r.engine);
  j["baseline_rank"] = r.baseline_rank;
  if (r.baseline_rank == 0) j["baseline_infeasible_reason"] = r.baseline_reason;
  j["plans"] = nlohmann::json::array();
  for (const auto& p : r.shortlist) {
    nlohmann::json e{{"rank", p.rank},
                     {"gpus", p.gpu_count},
                     {"plan", plan_json(p.plan)},
                     {"closed_form_step_time_s", p.estimate.step_time.si()},
                     {"closed_form_breakdown_s", step_breakdown_json(p.estimate.breakdown)},
                     {"memory_bytes", p.estimate.memory.total().count()},
                     {"headroom_bytes", p.headroom.count()},
                     {"days", p.price.days},
                     {"gpu_hours", p.price.gpu_hours},
                     {"cost_usd", p.price.cost_usd},
                     {"baseline", p.baseline},
                     {"pareto", p.pareto},
                     {"mfu_causal", {{"of_precision_peak", p.estimate.work.mfu_of_precision_peak(p.step_time(), AttentionConvention::causal)},
                                     {"of_bf16_peak", p.estimate.work.mfu(p.step_time(), AttentionConvention::causal)}}}};
    if (p.simulated) {
      e["simulated_step_time_s"] = p.simulation.total.si();
      e["simulated_breakdown_s"] = step_breakdown_json(p.simulation);
    } else {
      e["simulation_error"] = p.simulation_error;
    }
    j["plans"].push_back(e);
  }
  return j;
}

std::string plan_search_csv(const PlanSearchResult& r) {
  std::string out =
      "rank,gpus,tensor_parallel,pipeline_parallel,data_parallel,expert_parallel,expert_tensor_parallel,context_parallel,"
      "schedule,virtual_stages,"
      "micro_batch_size,zero_stage,recomputation,precision,closed_form_step_time_s,simulated_step_time_s,memory_bytes,"
      "headroom_bytes,days,gpu_hours,cost_usd,baseline,pareto\n";
  for (const auto& e : r.shortlist) {
    const auto& p = e.plan;
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},\"{}\",{},{:.6f},{},{},{},{:.4f},{:.1f},{:.2f},{},{}\n", e.rank,
                       e.gpu_count, p.tensor, p.pipeline, p.data, p.expert, p.expert_tensor_degree(), p.context, to_string(p.schedule),
                       p.virtual_stages, p.micro_batch_size, p.zero_stage, p.recompute.describe(), to_string(p.precision),
                       e.estimate.step_time.si(), e.simulated ? fmt::format("{:.6f}", e.simulation.total.si()) : "",
                       e.estimate.memory.total().count(), e.headroom.count(), e.price.days, e.price.gpu_hours,
                       e.price.cost_usd, e.baseline, e.pareto);
  }
  return out;
}

}  // namespace trainsim

namespace trainsim {

std::string init_summary_text(const InitResult& result) {
  if (!result.searched) return "plan: the first that follows the rules (not searched; it may not fit in memory)\n";
  const auto& search = *result.search;
  const auto* best = result.best_plan();
  if (best == nullptr) {
    return fmt::format("plan: none of {} candidates fits; the scenario keeps one that follows the rules (trainsim plan says "
                       "why each fails)\n",
                       search.candidates);
  }
  return fmt::format("best plan: {}\n  {} per step, {:.1f} days, {} GPU-hours, {} for {} tokens (analytic engine)\n"
                     "  the fastest of {} feasible plans of {} candidates; trainsim plan simulates the shortlist on SimGrid\n",
                     plan_text(best->plan), seconds_text(best->step_time()), best->price.days, short_count(best->price.gpu_hours),
                     usd_text(best->price.cost_usd), short_count(search.phase_tokens), search.feasible, search.candidates);
}

}  // namespace trainsim
