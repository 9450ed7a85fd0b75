#include "planner/scenario_init.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "hardware/gpu_catalog.hpp"
#include "models/model_catalog.hpp"
#include "models/parameter_count.hpp"
#include "models/plan_rules.hpp"
#include "planner/plan_search.hpp"
#include "planner/plan_writer.hpp"

namespace trainsim {
namespace {

constexpr const char* kFile = "trainsim init";
// Tokens per parameter at the compute-optimal point: Hoffmann et al., "Training
// Compute-Optimal Large Language Models" (arXiv:2203.15556), about 20 (their Table 3).
constexpr double kChinchillaTokensPerParameter = 20.0;
// The sequence length of Llama 3's pre-training (arXiv:2407.21783 sec.3.4.1).
constexpr std::int64_t kDefaultSequence = 8192;
// Tokens per global batch: Llama 2 trained every size on 4M-token batches (arXiv:2307.09288 sec.2.2).
constexpr double kDefaultBatchTokens = 4194304.0;
// One 400 Gb/s NIC per GPU: the HGX/DGX H100 reference design (NVIDIA DGX H100 user guide:
// eight ConnectX-7 at 400 Gb/s for the compute fabric).
constexpr const char* kNicBandwidth = "400Gbps";

[[noreturn]] void refuse(const std::string& pointer, const std::string& message, const std::string& hint) {
  Diagnostics diag(kFile);
  diag.error(pointer, message, hint);
  diag.throw_if_any();
  throw ConfigError({});  // unreachable: throw_if_any threw
}

std::int64_t power_of_two_at_most(double x) {
  std::int64_t p = 1;
  while (static_cast<double>(p * 2) <= x) p *= 2;
  return p;
}

nlohmann::json cluster_json(const InitRequest& request, const GpuSpec& gpu) {
  const auto domain = gpu.scale_up.domain_size;
  const auto per_node = request.gpus_per_node.value_or(std::min<std::int64_t>(8, domain));
  nlohmann::json cluster = {{"gpu", gpu.id},
                            {"gpu_count", request.gpu_count},
                            {"gpus_per_node", per_node},
                            {"network",
                             {{"topology", "rail_optimized_fat_tree"},
                              {"nics_per_node", per_node},
                              {"nic_bandwidth", kNicBandwidth}}}};
  // A rack-scale domain (GB200 NVL72) spans servers: the cluster uses it where it divides.
  if (domain > per_node && domain % per_node == 0 && request.gpu_count % domain == 0) {
    cluster["gpus_per_nvlink_domain"] = domain;
  }
  return cluster;
}

nlohmann::json parallel_json(std::int64_t tensor, std::int64_t pipeline, std::int64_t data, const std::string& precision) {
  return {{"tensor_parallel", tensor}, {"pipeline_parallel", pipeline}, {"data_parallel", data},
          {"schedule", "1f1b"},        {"micro_batch_size", 1},         {"zero_stage", 1},
          {"recomputation", "none"},   {"precision", precision}};
}

// The first plan, widest tensor parallelism first, then the shortest pipeline, that follows
// every rule on this model, cluster and shape (memory is the planner's question, not this).
nlohmann::json rule_abiding_plan(const ModelSpec& model, const nlohmann::json& cluster_doc, const InitRequest& request,
                                 std::int64_t sequence, std::int64_t batch) {
  Diagnostics diag(kFile);
  ObjectReader cluster_reader(cluster_doc, "/cluster", diag);
  const auto cluster = parse_cluster_spec(cluster_reader, ".");
  diag.throw_if_any();
  for (std::int64_t tensor = cluster.gpus_per_server; tensor >= 1; tensor /= 2) {
    if (request.gpu_count % tensor != 0) continue;
    for (std::int64_t pipeline = 1; pipeline <= model.num_layers; ++pipeline) {
      if ((request.gpu_count / tensor) % pipeline != 0) continue;
      const auto doc = parallel_json(tensor, pipeline, request.gpu_count / (tensor * pipeline), request.precision);
      Diagnostics plan_diag(kFile);
      ObjectReader reader(doc, "/parallel", plan_diag);
      const auto plan = parse_parallel_plan(reader, nullptr, request.gpu_count);
      if (!plan_diag.has_errors() && plan_issues(model, cluster, plan, sequence, batch).empty()) return doc;
    }
  }
  refuse("/parallel", fmt::format("no plan of {} on {} {} follows the rules at sequence {} and batch {}", model.id,
                                  request.gpu_count, request.gpu, sequence, batch),
         "try another GPU count, --sequence-length or --global-batch");
}

std::string description(const InitRequest& request, const ModelSpec& model, const GpuSpec& gpu, double tokens,
                        std::int64_t sequence, std::int64_t batch, const nlohmann::json& cluster) {
  std::string text = fmt::format("{} on {} {}, written by trainsim init. Assumptions to replace with your own: ", model.name,
                                 request.gpu_count, gpu.name);
  const auto amount = tokens >= 1e12 ? fmt::format("{:g}T", tokens / 1e12) : fmt::format("{:g}B", tokens / 1e9);
  text += request.tokens ? fmt::format("{} tokens (given)", amount)
                         : fmt::format("{} tokens, 20 per parameter (Chinchilla, arXiv:2203.15556)", amount);
  text += request.sequence_length ? fmt::format("; sequence {} (given)", sequence)
                                  : fmt::format("; sequence {} (Llama 3's pre-training, arXiv:2407.21783, or the model's maximum)", sequence);
  text += request.global_batch_size
              ? fmt::format("; global batch {} sequences (given)", batch)
              : fmt::format("; global batch {} sequences, about 4M tokens (Llama 2, arXiv:2307.09288)", batch);
  text += fmt::format("; {} GPUs per server, one {} NIC per GPU on a rail-optimized fat tree (the DGX H100 design)",
                      cluster["gpus_per_node"].get<std::int64_t>(), kNicBandwidth);
  text += "; the GPU's rental price from the catalog (hardware/catalog/gpus.json, an estimate); the plan is the planner's "
          "best on this cluster (trainsim plan shows the alternatives).";
  return text;
}

nlohmann::json prices_json(const GpuSpec& gpu) {
  const auto source = fmt::format("catalog estimate for {} (hardware/catalog/gpus.json); replace with your quote", gpu.id);
  if (gpu.prices.rental_usd_per_gpu_hour) return {{"rental_usd_per_gpu_hour", *gpu.prices.rental_usd_per_gpu_hour}, {"source", source}};
  if (gpu.prices.purchase_usd) {
    // Four years: the server life Microsoft and Alphabet depreciated over until they extended it to
    // six in 2022 and 2023 (their 10-K filings for fiscal 2022 and 2023).
    return {{"ownership",
             {{"node_usd_per_gpu", 0}, {"network_usd_per_gpu", 0}, {"amortization_years", 4}, {"source", source + ", GPU only, 4 years"}}},
            {"source", source}};
  }
  refuse("/prices", "the catalog has no rental or purchase price for " + gpu.id, "add prices to the written scenario");
}

}  // namespace

InitResult initial_scenario(const InitRequest& request) {
  const auto* model = find_model(request.model);
  if (model == nullptr) refuse("/model", "unknown model \"" + request.model + "\"", "catalog models: " + model_catalog_ids());
  const auto* gpu = find_gpu(request.gpu);
  if (gpu == nullptr) refuse("/cluster/gpu", "unknown GPU \"" + request.gpu + "\"", "catalog GPUs: " + gpu_catalog_ids());

  const double tokens = request.tokens.value_or(
      std::round(kChinchillaTokensPerParameter * static_cast<double>(count_parameters(*model).total) / 1e9) * 1e9);
  const auto sequence = request.sequence_length.value_or(
      model->max_sequence_length > 0 ? std::min(kDefaultSequence, model->max_sequence_length) : kDefaultSequence);
  const auto batch = request.global_batch_size.value_or(
      std::max<std::int64_t>(1, power_of_two_at_most(kDefaultBatchTokens / static_cast<double>(sequence))));
  const auto cluster = cluster_json(request, *gpu);

  nlohmann::json doc = {{"schema_version", 1},
                        {"name", fmt::format("{}-{}x{}", model->id, request.gpu_count, gpu->id)},
                        {"description", description(request, *model, *gpu, tokens, sequence, batch, cluster)},
                        {"model", model->id},
                        {"cluster", cluster},
                        {"parallel", rule_abiding_plan(*model, cluster, request, sequence, batch)},
                        {"training",
                         {{"phases", {{{"name", "pre-training"}, {"tokens", tokens}, {"sequence_length", sequence},
                                       {"global_batch_size", batch}}}}}},
                        {"prices", prices_json(*gpu)}};
  const auto scenario = parse_scenario(doc, kFile, ".");
  InitResult out{doc, request.search, std::nullopt, std::nullopt};
  if (!request.search) return out;

  auto space = plan_space(scenario);
  space.top_k = 1;
  PlanSearchOptions options;
  options.jobs = request.jobs;
  options.engine = EngineKind::analytic;
  options.progress = request.progress;
  out.search = search_plans(scenario, space, options);
  const auto& shortlist = out.search->shortlist;
  const auto best = std::find_if(shortlist.begin(), shortlist.end(), [](const RankedPlan& p) { return p.simulated; });
  if (best == shortlist.end()) return out;  // nothing fits: the rule-abiding plan stays, for plan to explain
  out.best = static_cast<std::size_t>(best - shortlist.begin());
  out.scenario = scenario_with_plan(doc, scenario, best->plan, best->gpu_count);
  return out;
}

}  // namespace trainsim
