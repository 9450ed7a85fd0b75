#pragma once
// Times, memory and parameters of one pipeline chunk for one micro-batch, on one cluster:
// the layer operation lists priced with the kernel time model and alpha-beta communication.
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "hardware/kernel_time_model.hpp"
#include "models/collective_time.hpp"
#include "models/layer_costs.hpp"
#include "models/layer_program.hpp"
#include "models/pipeline_layout.hpp"

namespace trainsim {

struct ChunkCost {
  Seconds forward_compute;
  Seconds backward_input_compute;   // includes recomputed forward kernels
  Seconds backward_weight_compute;
  Seconds forward_exposed_communication;   // what a schedule without overlap waits for
  Seconds backward_exposed_communication;
  Seconds communication;  // every communication step of both passes, end to end on one stream
  Seconds host_stall;     // of its compute (every pass), the device's waits for the host
  Bytes saved_activations;
  Bytes transient;  // the largest single tensor a kernel writes (logits, say)
  std::int64_t parameters = 0;
  std::int64_t expert_parameters = 0;
  std::int64_t largest_layer_parameters = 0;  // the unit ZeRO-3 gathers at once
};

// Layer costs of every kind a model uses, priced once (they do not depend on the chunk).
class ChunkCostModel {
 public:
  ChunkCostModel(const ModelSpec& model, const ParallelPlan& plan, const ClusterSpec& cluster,
                 const KernelTimeModel& kernels, const MicroBatchShape& shape);
  // Programs point into the priced layer costs, so the model is neither copied nor moved.
  ChunkCostModel(const ChunkCostModel&) = delete;
  ChunkCostModel& operator=(const ChunkCostModel&) = delete;
  [[nodiscard]] ChunkCost chunk(const PipelineChunk& chunk) const;
  [[nodiscard]] const LayerCosts& layer(LayerKind kind) const;
  // The priced segments of each layer of `chunk`, in forward order (they point into this model).
  [[nodiscard]] LayerPrograms programs(const PipelineChunk& chunk) const;
  // One forward chunk overlapped with one backward chunk (DualPipe), on two streams.
  // Memoized by the chunks' layer kinds: pipelines of one priced model pair the same
  // compositions over and over (the planner, every rank of a replay).
  [[nodiscard]] Seconds overlapped_pair_time(const PipelineChunk& forward, const PipelineChunk& backward) const;
  // Compute slowdown from SMs reserved for communication kernels (DeepSeek-V3: 20 of 132).
  [[nodiscard]] double sm_slowdown() const { return sm_slowdown_; }
  [[nodiscard]] const LinkRates& rates() const { return comm_.rates(); }
  // Seconds per micro-batch of one layer of each kind: compute plus exposed communication,
  // the weights the pipeline layout balances.
  [[nodiscard]] LayerKindCosts layer_kind_costs() const;

 private:
  struct Priced {
    LayerCosts costs;
    ChunkCost cost;
  };
  std::vector<Priced> priced_;  // indexed by LayerKind
  std::vector<LayerProgram> programs_;  // indexed by LayerKind
  // Prices the layers' tensor, context and expert communication (whose layouts do not depend
  // on the data-parallel or pipeline degrees, so one model serves plans that differ in those).
  CommunicationModel comm_;
  double sm_slowdown_ = 1.0;
  using Kinds = std::vector<LayerKind>;
  // Orders stored (forward, backward) kind lists and looked-up pointers to them alike, so that
  // a lookup copies nothing.
  struct ByKinds {
    using is_transparent = void;
    static auto tied(const std::pair<Kinds, Kinds>& k) { return std::tie(k.first, k.second); }
    static auto tied(const std::pair<const Kinds*, const Kinds*>& k) { return std::tie(*k.first, *k.second); }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const { return tied(a) < tied(b); }
  };
  mutable std::map<std::pair<Kinds, Kinds>, Seconds, ByKinds> pair_times_;
};

}  // namespace trainsim
