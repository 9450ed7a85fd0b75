#include "sim/lowering.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

#include "models/chunk_costs.hpp"
#include "models/layer_program.hpp"
#include "models/plan_rules.hpp"
#include "sim/collective_lowering.hpp"

namespace trainsim {
namespace {

// The last op of a chain of dependent work (one chunk's forward, say), wherever it ran.
struct Chain {
  std::optional<Dependency> last;
  // An overlapping communication (Segment::overlaps_next): the next op runs beside it, the op
  // after that waits for it too.
  std::optional<Dependency> beside;
  int beside_wait = 0;
  // The wait an overlapping communication took over from the one before it, which the op
  // beside it owes too (as the closed form's two_stream_time passes it on).
  std::optional<Dependency> carried;

  // Appends what an op on `stream` must wait for beyond its stream's order.
  std::uint32_t add_deps(std::vector<Dependency>& deps, StreamId stream) {
    std::uint32_t count = 0;
    for (const auto& d : {last, beside_wait == 1 ? beside : std::nullopt, carried}) {
      if (d && d->stream != stream) {
        deps.push_back(*d);
        ++count;
      }
    }
    if (beside_wait > 0) --beside_wait;
    carried.reset();
    return count;
  }
};

class Lowerer {
 public:
  Lowerer(const StepProgram& program, const SimulationOptions& options, LoweredStep& out)
      : program_(program),
        plan_(program.plan()),
        options_(options),
        out_(out),
        ranks_(program.plan(), options.fidelity),
        ctx_{ranks_, out.topology, program.comm().rates()} {}

  void run();

 private:
  // Emission helpers on the current rank.
  std::uint32_t label(const std::string& text);
  Dependency emit_compute(Chain& chain, Seconds duration, const std::string& text);
  std::optional<Dependency> last_compute() const;
  Dependency emit_exchange(Chain& chain, StreamId stream, Channel channel, const std::vector<ExchangeStep>& steps,
                           const std::string& text);
  void emit_units(Chain& forward, Chain& backward, const std::vector<ProgramUnit>& units);

  void emit_item(const ScheduleItem& item);
  void forward_chunk(const ChunkRef& ref, Chain& chain, bool before);
  void backward_chunk(const ChunkRef& ref, Chain& chain, bool before);
  std::vector<ExchangeStep> point_to_point(std::int32_t peer_pipeline_rank, bool outgoing);
  void lower_rank(std::int32_t global);
  // The step-end exchange: the gradient reduction after the items from `reduction_start` on
  // have begun (all of them without overlap), the optimizer, and the weight gather (which,
  // with overlap, runs at the start of the step as the previous step's, the item at
  // `gather_deadline` waiting for it).
  void data_parallel_sync(std::size_t reduction_start, bool gather_at_start);
  // ZeRO-3 gathers a chunk's weights before each pass over it, prefetched as the program says
  // (StepProgram::kPrefetchItems). The memory model holds a layer and its prefetched
  // successor; gathering a pass ahead times that layer-wise prefetch at chunk granularity.
  void gather_weights(Chain& chain, std::int32_t chunk);
  // Data-parallel steps (a chunk's ZeRO traffic or the rank's step-end exchange) as one
  // exchange on `stream`.
  void sync_exchange(Chain& chain, StreamId stream, Channel channel, const std::vector<CollectiveStep>& steps,
                     const char* text);
  // ZeRO-2/3 keep gradients sharded: the reduce-scatter after `chain`'s weight gradients, on a
  // branch of it (what follows on the chain, the pipeline send, does not wait for it).
  void reduce_scatter_gradients(const Chain& chain, std::int32_t chunk);

  const StepProgram& program_;
  const ParallelPlan& plan_;
  const SimulationOptions& options_;
  LoweredStep& out_;
  RankLayout ranks_;
  CollectiveContext ctx_;
  std::unordered_map<std::string, std::uint32_t> labels_;
  std::map<std::vector<int>, std::int32_t> mirrored_ids_;
  // The rank being lowered.
  RankProgram* rank_ = nullptr;
  std::int32_t self_ = 0;
  std::uint32_t item_ = 0;
  // After each item emitted so far on this rank: the last compute op of the rank until then.
  std::vector<std::optional<Dependency>> item_compute_end_;
  // Ops the next compute op waits for beyond its chain: an overlapped weight gather or gradient
  // reduction that work past its window must not start before.
  std::vector<Dependency> next_compute_waits_;
  // The last op of the previous item's own work (its pipeline send aside).
  std::optional<Dependency> item_end_;
};

std::uint32_t Lowerer::label(const std::string& text) {
  const auto [it, inserted] = labels_.emplace(text, static_cast<std::uint32_t>(out_.workload.labels.size()));
  if (inserted) out_.workload.labels.push_back(text);
  return it->second;
}

Dependency Lowerer::emit_compute(Chain& chain, Seconds duration, const std::string& text) {
  auto& stream = rank_->streams[static_cast<std::size_t>(StreamId::compute)];
  Op op;
  op.kind = OpKind::compute;
  op.label = label(text);
  op.item = item_;
  op.duration = duration;
  op.dep_begin = static_cast<std::uint32_t>(rank_->deps.size());
  op.dep_count = chain.add_deps(rank_->deps, StreamId::compute);
  for (const auto& d : next_compute_waits_) rank_->deps.push_back(d);
  op.dep_count += static_cast<std::uint32_t>(next_compute_waits_.size());
  next_compute_waits_.clear();
  stream.push_back(op);
  chain.last = Dependency{StreamId::compute, static_cast<std::uint32_t>(stream.size() - 1)};
  return *chain.last;
}

std::optional<Dependency> Lowerer::last_compute() const {
  const auto& compute = rank_->streams[static_cast<std::size_t>(StreamId::compute)];
  if (compute.empty()) return std::nullopt;
  return Dependency{StreamId::compute, static_cast<std::uint32_t>(compute.size() - 1)};
}

Dependency Lowerer::emit_exchange(Chain& chain, StreamId stream_id, Channel channel, const std::vector<ExchangeStep>& steps,
                                  const std::string& text) {
  auto& stream = rank_->streams[static_cast<std::size_t>(stream_id)];
  for (const auto& step : steps) {
    Op op;
    op.kind = OpKind::exchange;
    op.label = label(text);
    op.item = item_;
    op.extra_latency = step.extra_latency;
    op.flow_begin = static_cast<std::uint32_t>(rank_->flows.size());
    op.dep_begin = static_cast<std::uint32_t>(rank_->deps.size());
    op.dep_count = chain.add_deps(rank_->deps, stream_id);
    // Flows to simulated ranks are real; flows to symmetric copies load the mirrored route,
    // one merged flow per distinct route.
    std::map<std::int32_t, std::size_t> merged;
    out_.workload.full_detail_flows += step.flows.size();
    for (const auto& f : step.flows) {
      const auto index = ranks_.simulated_index(f.peer);
      if (index >= 0) {
        rank_->flows.push_back({index, f.bytes, channel, f.outgoing, -1});
        continue;
      }
      if (!f.outgoing) continue;  // a symmetric copy's send to us is the mirror of ours to it
      const auto route = out_.topology.mirrored_route(self_, f.peer);
      const auto [id_it, fresh] = mirrored_ids_.emplace(route, static_cast<std::int32_t>(out_.workload.mirrored_routes.size()));
      if (fresh) out_.workload.mirrored_routes.push_back(route);
      const auto [m, added] = merged.emplace(id_it->second, rank_->flows.size());
      if (added) {
        rank_->flows.push_back({ranks_.simulated_index(self_), f.bytes, channel, true, id_it->second});
      } else {
        rank_->flows[m->second].bytes += f.bytes;
      }
    }
    op.flow_count = static_cast<std::uint32_t>(rank_->flows.size()) - op.flow_begin;
    stream.push_back(op);
    chain.last = Dependency{stream_id, static_cast<std::uint32_t>(stream.size() - 1)};
  }
  return *chain.last;
}

void Lowerer::emit_units(Chain& forward, Chain& backward, const std::vector<ProgramUnit>& units) {
  for (const auto& u : units) {
    Chain& chain = u.backward_chain ? backward : forward;
    const auto kind = std::string(to_string(u.program->kind));
    if (u.segment == nullptr) {
      emit_compute(chain, u.duration(), fmt::format("{}.weight.{}", kind, to_string(u.weight_part)));
    } else if (!u.segment->is_communication) {
      emit_compute(chain, u.duration(), u.segment->label);
    } else {
      const auto& step = *u.segment->step;
      const auto steps = exchange_steps(step, self_, ctx_);
      if (steps.empty()) continue;
      const auto before = chain.last;
      const auto owed = chain.beside_wait == 1 ? chain.beside : std::nullopt;
      emit_exchange(chain, StreamId::collective, channel_of(step), steps, u.segment->label);
      if (u.segment->overlaps_next) {
        chain.beside = chain.last;
        chain.beside_wait = 2;
        chain.last = before;
        chain.carried = owed;
      }
    }
  }
}

std::vector<ExchangeStep> Lowerer::point_to_point(std::int32_t peer_pipeline_rank, bool outgoing) {
  ExchangeStep step;
  step.flows.push_back({ranks_.pipeline_peer(self_, peer_pipeline_rank), program_.stage_boundary(), outgoing});
  return {step};
}

Channel pp_channel(bool activation, std::int32_t direction) {
  if (direction == 0) return activation ? Channel::activation_down : Channel::gradient_down;
  return activation ? Channel::activation_up : Channel::gradient_up;
}

// `before`: true emits what must precede the chunk (ZeRO-3's weight gather, the receive), false
// what follows it (the send). A neighbouring chunk on this same rank (DualPipeV's turn of the
// V) hands over in memory.
void Lowerer::forward_chunk(const ChunkRef& ref, Chain& chain, bool before) {
  const auto& schedule = program_.schedule();
  const auto depth = static_cast<std::int32_t>(schedule.chunk_count(plan_));
  if (before) gather_weights(chain, ref.chunk);
  if (before && ref.chunk > 0) {
    const auto from = schedule.chunk_holder(plan_, ref.chunk - 1, ref.direction);
    if (from != rank_->pipeline_rank) {
      emit_exchange(chain, StreamId::p2p, pp_channel(true, ref.direction), point_to_point(from, false), "pp.recv_activation");
    }
  }
  if (!before && ref.chunk + 1 < depth) {
    const auto to = schedule.chunk_holder(plan_, ref.chunk + 1, ref.direction);
    if (to != rank_->pipeline_rank) {
      emit_exchange(chain, StreamId::p2p, pp_channel(true, ref.direction), point_to_point(to, true), "pp.send_activation");
    }
  }
}

void Lowerer::backward_chunk(const ChunkRef& ref, Chain& chain, bool before) {
  const auto& schedule = program_.schedule();
  const auto depth = static_cast<std::int32_t>(schedule.chunk_count(plan_));
  if (before) gather_weights(chain, ref.chunk);
  if (before && ref.chunk + 1 < depth) {
    const auto from = schedule.chunk_holder(plan_, ref.chunk + 1, ref.direction);
    if (from != rank_->pipeline_rank) {
      emit_exchange(chain, StreamId::p2p, pp_channel(false, ref.direction), point_to_point(from, false), "pp.recv_gradient");
    }
  }
  if (!before && ref.chunk > 0) {
    const auto to = schedule.chunk_holder(plan_, ref.chunk - 1, ref.direction);
    if (to != rank_->pipeline_rank) {
      emit_exchange(chain, StreamId::p2p, pp_channel(false, ref.direction), point_to_point(to, true), "pp.send_gradient");
    }
  }
}

void Lowerer::emit_item(const ScheduleItem& item) {
  switch (item.kind) {
    case ItemKind::forward: {
      Chain chain;
      forward_chunk(item.forward, chain, true);
      emit_units(chain, chain, forward_units(program_.chunk_layers(item.forward.chunk)));
      item_end_ = chain.last;
      forward_chunk(item.forward, chain, false);
      break;
    }
    case ItemKind::backward: {
      Chain chain;
      backward_chunk(item.backward, chain, true);
      emit_units(chain, chain, backward_units(program_.chunk_layers(item.backward.chunk), !item.defer_weights));
      item_end_ = chain.last;
      if (!item.defer_weights) reduce_scatter_gradients(chain, item.backward.chunk);
      backward_chunk(item.backward, chain, false);
      break;
    }
    case ItemKind::weight: {
      Chain chain;
      const auto layers = program_.chunk_layers(item.backward.chunk);
      for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
        const Seconds w = (*it)->weight_total();
        if (w > Seconds(0)) emit_compute(chain, w, fmt::format("{}.weight", to_string((*it)->kind)));
      }
      item_end_ = chain.last;
      reduce_scatter_gradients(chain, item.backward.chunk);
      break;
    }
    case ItemKind::forward_backward: {
      Chain f_chain;
      Chain b_chain;
      forward_chunk(item.forward, f_chain, true);
      backward_chunk(item.backward, b_chain, true);
      emit_units(f_chain, b_chain, pair_units(program_.chunk_layers(item.forward.chunk), program_.chunk_layers(item.backward.chunk)));
      reduce_scatter_gradients(b_chain, item.backward.chunk);
      forward_chunk(item.forward, f_chain, false);
      backward_chunk(item.backward, b_chain, false);
      break;
    }
    case ItemKind::optimizer: break;
  }
}

void Lowerer::sync_exchange(Chain& chain, StreamId stream, Channel channel, const std::vector<CollectiveStep>& steps,
                            const char* text) {
  std::vector<ExchangeStep> exchange;
  for (const auto& step : steps) {
    const auto more = exchange_steps(step, self_, ctx_);
    exchange.insert(exchange.end(), more.begin(), more.end());
  }
  if (!exchange.empty()) emit_exchange(chain, stream, channel, exchange, text);
}

void Lowerer::gather_weights(Chain& chain, std::int32_t chunk) {
  const auto& gathers = program_.chunk_sync(chunk).weight_gathers;
  if (gathers.empty()) return;
  Chain gate;
  if (item_ >= StepProgram::kPrefetchItems) gate.last = item_compute_end_[item_ - StepProgram::kPrefetchItems];
  sync_exchange(gate, StreamId::weight_gather, Channel::weight_gather, gathers, "zero.gather_weights");
  if (gate.last) chain.last = gate.last;
}

void Lowerer::reduce_scatter_gradients(const Chain& chain, std::int32_t chunk) {
  Chain branch = chain;
  sync_exchange(branch, StreamId::gradient_shards, Channel::gradient_shards, program_.chunk_sync(chunk).gradient_shards,
                "zero.reduce_scatter_gradients");
}

void Lowerer::data_parallel_sync(std::size_t reduction_start, bool gather_at_start) {
  const auto& sync = program_.rank_sync(rank_->pipeline_rank);
  Chain last;
  last.last = last_compute();
  // The update needs every gradient shard: ZeRO-2/3's per-pass reduce-scatters too.
  const auto& shards = rank_->streams[static_cast<std::size_t>(StreamId::gradient_shards)];
  if (!shards.empty()) {
    next_compute_waits_.push_back({StreamId::gradient_shards, static_cast<std::uint32_t>(shards.size() - 1)});
  }
  if (reduction_start < item_compute_end_.size()) {
    // Overlapped: the reduction starts with the items that may hide it, on its own stream so
    // that the layers' collectives do not queue behind it; the update waits for it.
    Chain reduction;
    if (reduction_start > 0) reduction.last = item_compute_end_[reduction_start - 1];
    sync_exchange(reduction, StreamId::gradient_shards, Channel::gradient_shards, sync.gradient_reduction,
                  "dp.reduce_gradients");
    if (reduction.last) next_compute_waits_.push_back(*reduction.last);
  } else {
    sync_exchange(last, StreamId::collective, Channel::data, sync.gradient_reduction, "dp.reduce_gradients");
  }
  emit_compute(last, program_.kernels().time(sync.optimizer), "optimizer.step");
  if (!gather_at_start) sync_exchange(last, StreamId::collective, Channel::data, sync.weight_gather, "dp.gather_weights");
}

void Lowerer::lower_rank(std::int32_t g) {
  out_.workload.ranks.emplace_back();
  rank_ = &out_.workload.ranks.back();
  self_ = g;
  rank_->global_rank = g;
  rank_->pipeline_rank = ranks_.coordinates(g).pipeline;
  item_compute_end_.clear();
  next_compute_waits_.clear();
  item_end_.reset();
  const bool paired = program_.schedule().overlapped_pairs();
  const auto items = options_.order ? (*options_.order)[static_cast<std::size_t>(rank_->pipeline_rank)]
                                    : program_.order(rank_->pipeline_rank);
  const auto& sync = program_.rank_sync(rank_->pipeline_rank);
  // Overlapped, the weight gather is the previous step's: it runs from the start of the step
  // beside the first items' forward work, and the item at the deadline waits for it.
  const bool gather_at_start = options_.optimizer && sync.gather_overlap > Seconds(0) && !sync.weight_gather.empty();
  const std::size_t deadline = gather_at_start ? program_.gather_deadline(rank_->pipeline_rank, items) : 0;
  std::optional<Dependency> gathered;
  if (gather_at_start) {
    item_ = 0;
    Chain gather;
    sync_exchange(gather, StreamId::weight_gather, Channel::weight_gather, sync.weight_gather, "dp.gather_weights");
    gathered = gather.last;
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    if (i == deadline && gathered) next_compute_waits_.push_back(*gathered);
    // Outside overlapped pairs a rank runs its items one after another, as Megatron's
    // schedules do: the next item's kernels wait for the previous item's last collective
    // (TP collectives are synchronous with the compute stream; pipeline sends are not).
    if (!paired && item_end_ && item_end_->stream != StreamId::compute) next_compute_waits_.push_back(*item_end_);
    item_ = static_cast<std::uint32_t>(rank_->items.size());
    const ChunkRef& ref = item.kind == ItemKind::forward || item.kind == ItemKind::forward_backward ? item.forward : item.backward;
    rank_->items.push_back({item.kind, ref.chunk, ref.micro_batch});
    emit_item(item);
    item_compute_end_.push_back(last_compute());
  }
  if (!options_.optimizer) return;
  item_ = static_cast<std::uint32_t>(rank_->items.size());
  rank_->items.push_back({ItemKind::optimizer, -1, -1});
  data_parallel_sync(program_.reduction_start(rank_->pipeline_rank, items), gather_at_start);
}

void Lowerer::run() {
  out_.micro_batches = program_.micro_batches();
  out_.tokens_per_step = program_.tokens_per_step();
  out_.layout = program_.layout();
  out_.workload.compute_slowdown = program_.priced().sm_slowdown();
  out_.workload.reduced = ranks_.fidelity() == Fidelity::reduced;
  for (const auto g : ranks_.simulated()) lower_rank(g);

  // Reduced runs keep one GPU per set of symmetric copies: a link shared by copies carries
  // each simulated flow once per copy, so its capacity is divided by the copies.
  const auto& links = out_.topology.links();
  out_.workload.link_capacity_scale.assign(links.size(), 1.0);
  if (out_.workload.reduced) {
    std::map<int, int> simulated_on_nic;
    std::map<int, int> simulated_on_leaf;
    for (const auto g : ranks_.simulated()) {
      ++simulated_on_nic[out_.topology.nic_of(g)];
      ++simulated_on_leaf[out_.topology.leaf_of_nic(out_.topology.nic_of(g))];
    }
    for (std::size_t i = 0; i < links.size(); ++i) {
      const auto& l = links[i];
      if ((l.kind == LinkKind::nic_out || l.kind == LinkKind::nic_in) && simulated_on_nic.contains(l.owner)) {
        out_.workload.link_capacity_scale[i] = static_cast<double>(simulated_on_nic[l.owner]) / out_.topology.gpus_on_nic(l.owner);
      }
      if ((l.kind == LinkKind::leaf_up || l.kind == LinkKind::leaf_down) && simulated_on_leaf.contains(l.owner)) {
        out_.workload.link_capacity_scale[i] = static_cast<double>(simulated_on_leaf[l.owner]) / out_.topology.gpus_on_leaf(l.owner);
      }
    }
  }
}

}  // namespace

LoweredStep lower_step(const StepProgram& program, const SimulationOptions& options) {
  const auto& shape = program.shape();
  const auto issues =
      plan_issues(program.model(), program.cluster(), program.plan(), shape.sequence_length, shape.global_batch_size);
  if (!issues.empty()) throw std::invalid_argument("lower_step needs a valid plan: " + issues.front().detail);
  const auto& kernels = program.kernels();
  LoweredStep out{Workload{}, Topology(program.cluster(), kernels.link_efficiency(KernelClass::scale_up_transfer),
                                       kernels.link_efficiency(KernelClass::scale_out_transfer)),
                  PipelineLayout{}, 0, 0.0};
  Lowerer(program, options, out).run();
  return out;
}

}  // namespace trainsim
