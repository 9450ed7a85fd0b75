// The step program through both engines over seeded random feasible plans (schedules, ZeRO
// stages, TP/PP/DP/EP/CP, overlap, recomputation, precision, sequence parallelism, SMs for
// communication, micro-batch sizes) of four model families on 8-32 H100:
// - the closed form (the program replayed at chunk granularity) and the analytic backend (the
//   same program lowered to kernel segments and exchange steps) agree;
// - SimGrid, which adds contention to the analytic backend's flows, is never faster;
// - changing one plan field moves both engines the same way.
//
// The tolerance. Both engines run the same program from the same priced layer segments, and
// neither models contention, so they differ only in granularity:
// (a) communication: the closed form prices a collective alpha-beta on its group's layout and a
//     pipeline hop alpha-beta on NVLink or the fabric; the engine runs each exchange step on its routed
//     links (per-link latencies, its flows sharing links among themselves). Same bytes, same
//     hop counts: the contention tests hold the engine to the alpha-beta price within 1-3% per
//     collective, and collectives are a fraction of a step: 2.5% of the step covers it, with
//     items' trailing communication counted at its end by the closed form and at the last
//     kernel by the engine (the overlap windows' item boundaries).
// (b) overlapped pairs (DualPipe, DualPipeV): the closed form starts a pair when both inputs are
//     there; the engine starts each half on its own input. The closed form can only be later,
//     and only in the fill and drain, where a rank's pairs can find one direction's input a
//     chunk pass ahead of the other's: at most pp pairs per rank, each by at most one chunk's
//     forward pass alone. That one-sided allowance is added for those schedules.
#include <iomanip>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

#include <fmt/format.h>

#include "hardware/kernel_time_model.hpp"
#include "models/model_catalog.hpp"
#include "models/plan_rules.hpp"
#include "models/step_estimate.hpp"
#include "scenario_fixture.hpp"
#include "sim/step_simulation.hpp"

namespace trainsim {
namespace {
using namespace testing;

constexpr double kShared = 0.025;  // (a) above
constexpr int kPlans = 200;

struct Case {
  ModelSpec model;
  ClusterSpec cluster;
  ParallelPlan plan;
  StepShape shape;
};

// A catalog model cut to a few layers, so that 200 plans simulate in seconds.
ModelSpec shortened(const std::string& id, std::int64_t layers) {
  ModelSpec m = *find_model(id);
  m.num_layers = layers;
  if (m.moe) m.moe->first_dense_layers = std::min<std::int64_t>(m.moe->first_dense_layers, 1);
  m.mtp_depth = 0;
  return m;
}

template <class T>
T pick(std::mt19937_64& rng, const std::vector<T>& values) {
  return values[std::uniform_int_distribution<std::size_t>(0, values.size() - 1)(rng)];
}

RecomputeSet recompute(std::initializer_list<RecomputePart> parts) {
  unsigned bits = 0;
  for (const auto p : parts) bits |= static_cast<unsigned>(p);
  return RecomputeSet(bits);
}

bool valid(const Case& c) {
  return plan_issues(c.model, c.cluster, c.plan, c.shape.sequence_length, c.shape.global_batch_size).empty();
}

// A candidate plan; nullopt when its degrees do not fit the cluster or it breaks a plan rule.
std::optional<Case> draw(std::mt19937_64& rng, const std::vector<ModelSpec>& models, const ClusterSpec& base) {
  Case c;
  c.model = pick(rng, models);
  c.cluster = base;
  c.cluster.gpu_count = pick(rng, std::vector<std::int64_t>{8, 16, 32});
  auto& p = c.plan;
  p.tensor = pick(rng, std::vector<std::int64_t>{1, 2, 4, 8});
  p.pipeline = pick(rng, std::vector<std::int64_t>{1, 2, 4});
  p.context = pick(rng, std::vector<std::int64_t>{1, 1, 2});
  if (c.cluster.gpu_count % (p.tensor * p.pipeline * p.context) != 0) return std::nullopt;
  p.data = c.cluster.gpu_count / (p.tensor * p.pipeline * p.context);
  if (c.model.moe) {
    // Folded over the stage: expert tensor as tensor (Megatron-Core's default) or 1, and any
    // expert degree the stage's ranks leave room for.
    p.expert_tensor = pick(rng, std::vector<std::int64_t>{0, 1});
    std::vector<std::int64_t> degrees;
    for (std::int64_t e = 1; e <= p.stage_ranks(); e *= 2) {
      if (p.stage_ranks() % (e * p.expert_tensor_degree()) == 0 && c.model.moe->num_routed_experts % e == 0) degrees.push_back(e);
    }
    p.expert = pick(rng, degrees);
  }
  std::vector<Schedule> schedules;
  for (const auto* t : all_schedules()) schedules.push_back(t->id());
  p.schedule = pick(rng, schedules);
  p.virtual_stages = schedule_traits(p.schedule).uses_virtual_stages() ? 2 : 1;
  p.micro_batch_size = pick(rng, std::vector<std::int64_t>{1, 2});
  p.zero_stage = pick(rng, std::vector<int>{0, 1, 2, 3});
  p.overlap_data_parallel = pick(rng, std::vector<bool>{false, true});
  p.recompute = pick(rng, std::vector<RecomputeSet>{recompute({}), recompute({RecomputePart::attention_core}),
                                                    recompute({RecomputePart::full_layer}),
                                                    recompute({RecomputePart::norm, RecomputePart::activation})});
  p.precision = pick(rng, std::vector<Precision>{Precision::bf16, Precision::fp8});
  p.sequence_parallel = pick(rng, std::vector<bool>{true, false});
  // Userbuffers overlap only where the frameworks allow it (the plan rules): sequence parallelism,
  // weight gradients kept in the backward pass.
  p.tp_comm_overlap = p.sequence_parallel && !schedule_traits(p.schedule).defers_weight_gradients() &&
                      pick(rng, std::vector<bool>{false, true});
  p.communication_sms = pick(rng, std::vector<std::int64_t>{0, 0, 16});
  p.memory_overhead = Bytes(4LL << 30);
  const std::int64_t n = p.pipeline * pick(rng, std::vector<std::int64_t>{2, 4});
  c.shape = {pick(rng, std::vector<std::int64_t>{1024, 2048}), n * p.data * p.micro_batch_size};
  if (!valid(c)) return std::nullopt;
  return c;
}

struct Timed {
  double closed_s = 0.0;
  double analytic_s = 0.0;
  double allowance_s = 0.0;  // (b) above, zero without overlapped pairs
};

std::optional<Timed> time(const Case& c, const KernelTimeModel& kernels) {
  const StepProgram program(c.model, c.cluster, c.plan, kernels, c.shape);
  const auto closed = estimate_step(program);
  if (!closed.feasible()) return std::nullopt;
  Timed t;
  t.closed_s = closed.step_time.si();
  t.analytic_s = simulate_step(program, EngineKind::analytic).estimate.step_time.si();
  if (program.schedule().overlapped_pairs()) {
    Seconds longest_forward(0);
    for (const auto& chunk : program.pipeline().chunks) {
      longest_forward = max(longest_forward, chunk.forward_compute + chunk.forward_exposed_communication);
    }
    t.allowance_s = (longest_forward * static_cast<double>(c.plan.pipeline)).si();
  }
  return t;
}

std::string describe(const Case& c) {
  const auto& p = c.plan;
  return fmt::format("{} on {} GPUs: TP{} PP{} DP{} CP{} EP{} ETP{} {} v{} mb{} ZeRO-{} overlap {} recompute {} {} SP {} "
                     "TP overlap {} graphs {} padded {} cross-entropy {} FP8 {} SMs {} seq {} batch {}",
                     c.model.id, c.cluster.gpu_count, p.tensor, p.pipeline, p.data, p.context, p.expert,
                     p.expert_tensor_degree(), to_string(p.schedule),
                     p.virtual_stages, p.micro_batch_size, p.zero_stage, p.overlap_data_parallel, p.recompute.describe(),
                     p.precision == Precision::fp8 ? "fp8" : "bf16", p.sequence_parallel, p.tp_comm_overlap,
                     p.cuda_graphs, p.moe_pad_to_capacity, to_string(p.cross_entropy), to_string(p.fp8_recipe), p.communication_sms, c.shape.sequence_length, c.shape.global_batch_size);
}

// H100 nodes of 8 on the default scenario's network.
ClusterSpec h100_cluster() {
  auto doc = scenario_json("scenarios/deepseek-v3-h800.json");
  doc["cluster"]["gpu"] = "h100-sxm";
  doc["cluster"]["calibration"] = "h100-published";
  doc["cluster"]["gpu_count"] = 8;
  doc["parallel"]["data_parallel"] = 8;
  doc["parallel"]["pipeline_parallel"] = 1;
  doc["parallel"]["expert_parallel"] = 8;
  doc["parallel"]["schedule"] = "1f1b";
  doc["training"]["phases"] = nlohmann::json::array({{{"name", "p"}, {"steps", 10}, {"sequence_length", 4096}, {"global_batch_size", 8}}});
  doc.erase("published");
  return parse(doc).cluster;
}

// The one-field changes of a plan, each still valid: what a user would try next.
std::vector<std::pair<std::string, Case>> one_field_changes(const Case& c) {
  std::vector<std::pair<std::string, Case>> out;
  const auto add = [&](const std::string& field, const auto& change) {
    Case next = c;
    change(next.plan);
    if (valid(next)) out.emplace_back(field, next);
  };
  add("overlap_data_parallel", [](ParallelPlan& p) { p.overlap_data_parallel = !p.overlap_data_parallel; });
  add("zero_stage", [](ParallelPlan& p) { p.zero_stage = p.zero_stage == 3 ? 2 : p.zero_stage + 1; });
  add("recomputation", [](ParallelPlan& p) {
    p.recompute = p.recompute.has(RecomputePart::full_layer) ? recompute({}) : recompute({RecomputePart::full_layer});
  });
  add("precision", [](ParallelPlan& p) { p.precision = p.precision == Precision::fp8 ? Precision::bf16 : Precision::fp8; });
  add("sequence_parallel", [](ParallelPlan& p) { p.sequence_parallel = !p.sequence_parallel; });
  add("communication_sms", [](ParallelPlan& p) { p.communication_sms = p.communication_sms > 0 ? 0 : 32; });
  add("expert_tensor_parallel", [](ParallelPlan& p) { p.expert_tensor = p.expert_tensor == 1 ? 0 : 1; });
  add("tp_comm_overlap", [](ParallelPlan& p) { p.tp_comm_overlap = !p.tp_comm_overlap; });
  add("cuda_graphs", [](ParallelPlan& p) { p.cuda_graphs = !p.cuda_graphs; });
  add("moe_pad_to_capacity", [](ParallelPlan& p) { p.moe_pad_to_capacity = !p.moe_pad_to_capacity; });
  add("fp8_recipe", [](ParallelPlan& p) {
    p.fp8_recipe = p.fp8_recipe == Fp8Recipe::tensorwise ? Fp8Recipe::delayed : Fp8Recipe::tensorwise;
  });
  add("cross_entropy", [](ParallelPlan& p) {
    p.cross_entropy = p.cross_entropy == CrossEntropyKernel::megatron ? CrossEntropyKernel::transformer_engine
                                                                       : CrossEntropyKernel::megatron;
  });
  return out;
}

class StepProgramProperty : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = h100_cluster();
    std::mt19937_64 rng(20261205);  // the seed: every run checks the same plans
    // Beside the four families: squared ReLU (Nemotron-4), the parallel block (on the 1.7B GPT:
    // at MegaScale's 175B width on 16 GPUs ZeRO-3's gathers outweigh the compute, against
    // (a)'s premise), ALiBi with an embedding norm (BLOOM), sliding windows, sinks and expert
    // biases (GPT-OSS).
    auto parallel_block = shortened("megatron-gpt-1.7b", 8);
    parallel_block.id += "-parallel-block";
    parallel_block.parallel_block = true;
    const std::vector<ModelSpec> models{shortened("llama-3.1-8b", 8),   shortened("megatron-gpt-1.7b", 8),
                                        shortened("mixtral-8x7b", 4),   shortened("deepseek-v2", 4),
                                        shortened("nemotron-4-15b", 4), parallel_block,
                                        shortened("bloom-176b", 2),     shortened("gpt-oss-120b", 4)};
    const auto kernels = kernel_model(cluster_);
    while (static_cast<int>(cases_.size()) < kPlans) {
      auto c = draw(rng, models, cluster_);
      if (!c) continue;
      const auto t = time(*c, kernels);
      if (!t) continue;  // does not fit in memory
      cases_.push_back(*c);
      times_.push_back(*t);
    }
  }
  ClusterSpec cluster_;
  std::vector<Case> cases_;
  std::vector<Timed> times_;
};

TEST_F(StepProgramProperty, ClosedFormAgreesWithTheAnalyticBackend) {
  std::map<Schedule, int> by_schedule;
  std::map<std::string, int> by_model;
  int wider_than_data = 0;  // folded expert groups that reach across tensor ranks
  int split_experts = 0;    // expert tensor parallelism beside expert parallelism
  int tp_overlapped = 0;    // userbuffers overlap with tensor-parallel collectives to overlap
  for (std::size_t i = 0; i < cases_.size(); ++i) {
    const auto& t = times_[i];
    ++by_schedule[cases_[i].plan.schedule];
    ++by_model[cases_[i].model.id];
    const auto& p = cases_[i].plan;
    if (p.expert > p.data * p.context) ++wider_than_data;
    if (p.expert > 1 && p.expert_tensor_degree() > 1) ++split_experts;
    if (p.tp_comm_overlap && p.tensor > 1) ++tp_overlapped;
    EXPECT_GE(t.closed_s, t.analytic_s * (1.0 - kShared)) << describe(cases_[i]);
    EXPECT_LE(t.closed_s, t.analytic_s * (1.0 + kShared) + t.allowance_s) << describe(cases_[i]);
  }
  // The seed covers every schedule, several times.
  for (const auto* s : all_schedules()) EXPECT_GE(by_schedule[s->id()], 10) << s->name();
  // And every model family, the architecture features among them.
  EXPECT_EQ(by_model.size(), 8U);
  for (const auto& [id, plans] : by_model) EXPECT_GE(plans, 5) << id;
  // And parallel folding, both ways.
  EXPECT_GE(wider_than_data, 3);
  EXPECT_GE(split_experts, 3);
  // And tensor-parallel overlap.
  EXPECT_GE(tp_overlapped, 10);
}

TEST_F(StepProgramProperty, SimGridIsNeverFasterThanTheAnalyticBackend) {
  // SimGrid dates events to its timing precision (precision/timing, 1e-9 s by default), so a
  // step's chain of transfers and latency sleeps may come out a few nanoseconds early.
  constexpr double kSimGridTiming_s = 10e-9;
  const auto kernels = kernel_model(cluster_);
  for (const auto& c : cases_) {
    const StepProgram program(c.model, c.cluster, c.plan, kernels, c.shape);
    const double analytic = simulate_step(program, EngineKind::analytic).estimate.step_time.si();
    const double simgrid = simulate_step(program, EngineKind::simgrid).estimate.step_time.si();
    EXPECT_GE(simgrid, analytic * (1.0 - 1e-9) - kSimGridTiming_s) << std::setprecision(17) << simgrid << " " << analytic << " " << describe(c);
  }
}

TEST_F(StepProgramProperty, EachPlanFieldMovesBothEnginesTheSameWay) {
  // When one engine says a change moves the step by more than twice the engines' agreement
  // tolerance, the other must move it the same way (both agree within it on each plan).
  const auto kernels = kernel_model(cluster_);
  int compared = 0;
  for (std::size_t i = 0; i < cases_.size(); ++i) {
    for (const auto& [field, next] : one_field_changes(cases_[i])) {
      const auto moved = time(next, kernels);
      if (!moved) continue;
      const auto& before = times_[i];
      const double closed = moved->closed_s / before.closed_s - 1.0;
      const double analytic = moved->analytic_s / before.analytic_s - 1.0;
      const double noise = 2.0 * (kShared + std::max(before.allowance_s / before.closed_s, moved->allowance_s / moved->closed_s));
      ++compared;
      if (std::abs(closed) <= noise && std::abs(analytic) <= noise) continue;
      EXPECT_GT(closed * analytic, 0.0) << field << ": closed form " << closed << ", analytic " << analytic << " from "
                                        << describe(cases_[i]);
    }
  }
  EXPECT_GE(compared, 600);
}

}  // namespace
}  // namespace trainsim
