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

  // Appends what an op on `stream` must wait for beyond its stream's order.
  std::uint32_t add_deps(std::vector<Dependency>& deps, StreamId stream) {
    std::uint32_t count = 0;
    for (const auto& d : {last, beside_wait == 1 ? beside : std::nullopt}) {
      if (d && d->stream != stream) {
        deps.push_back(*d);
        ++count;
      }
    }
    if (beside_wait > 0) --beside_wait;
    return count;
  }
};

class Lowerer {
 public:
  Lowerer(const StepProblem& p, LoweredStep& out)
      : p_(p),
        out_(out),
        ranks_(p.plan, p.fidelity),
        priced_(p.model, p.plan, p.cluster, p.kernels, MicroBatchShape{p.shape.sequence_length, p.plan.micro_batch_size}),
        comm_(p.plan, p.cluster, priced_.rates()),
        ctx_{ranks_, out.topology, priced_.rates()},
        schedule_(schedule_traits(p.plan.schedule)) {}

  void run();

 private:
  // Emission helpers on the current rank.
  std::uint32_t label(const std::string& text);
  Dependency emit_compute(Chain& chain, Seconds duration, const std::string& text);
  Dependency emit_exchange(Chain& chain, StreamId stream, Channel channel, const std::vector<ExchangeStep>& steps,
                           const std::string& text);
  void emit_units(Chain& forward, Chain& backward, const std::vector<ProgramUnit>& units);

  void emit_item(const ScheduleItem& item);
  void forward_chunk(const ChunkRef& ref, Chain& chain, bool before);
  void backward_chunk(const ChunkRef& ref, Chain& chain, bool before);
  std::vector<ExchangeStep> point_to_point(std::int32_t peer_pipeline_rank, bool outgoing);
  void data_parallel_sync(Chain& last_compute);
  // ZeRO-3 gathers a chunk's weights before each pass over it, prefetched one pass ahead: the
  // gather may start once the pass before the previous one has finished computing (its weights
  // are freed), so it runs beside the previous pass. The memory model holds a layer and its
  // prefetched successor; gathering a pass ahead times that layer-wise prefetch at chunk
  // granularity.
  void gather_weights(Chain& chain, std::int32_t chunk);
  // ZeRO-2/3 keep gradients sharded, so each backward pass ends with a reduce-scatter of the
  // chunk's gradients.
  void shard_exchange(Chain& chain, StreamId stream, Channel channel, std::int32_t chunk, bool gradients);
  // ZeRO-2/3: the reduce-scatter after `chain`'s weight gradients, on a branch of it (what
  // follows on the chain, the pipeline send, does not wait for it).
  void reduce_scatter_gradients(const Chain& chain, std::int32_t chunk);
  std::pair<std::int64_t, std::int64_t> chunk_parameters(std::int32_t chunk) const;  // dense, routed experts
  void data_exchange(Chain& chain, StreamId stream, Channel channel, Bytes dense, Bytes experts, Collective collective,
                     const char* text);
  LayerPrograms programs_of(std::int32_t chunk) const {
    return priced_.programs(out_.layout.chunks[static_cast<std::size_t>(chunk)]);
  }

  const StepProblem& p_;
  LoweredStep& out_;
  RankLayout ranks_;
  const ChunkCostModel priced_;
  const CommunicationModel comm_;
  CollectiveContext ctx_;
  const ScheduleTraits& schedule_;
  std::vector<std::vector<ScheduleItem>> order_;
  std::unordered_map<std::string, std::uint32_t> labels_;
  std::map<std::vector<int>, std::int32_t> mirrored_ids_;
  Bytes boundary_;
  // The rank being lowered.
  RankProgram* rank_ = nullptr;
  std::int32_t self_ = 0;
  std::uint32_t item_ = 0;
  // After each item emitted so far on this rank: the last compute op of the rank until then.
  std::vector<std::optional<Dependency>> item_compute_end_;
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
  stream.push_back(op);
  chain.last = Dependency{StreamId::compute, static_cast<std::uint32_t>(stream.size() - 1)};
  return *chain.last;
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
      emit_exchange(chain, StreamId::collective, channel_of(step), steps, u.segment->label);
      if (u.segment->overlaps_next) {
        chain.beside = chain.last;
        chain.beside_wait = 2;
        chain.last = before;
      }
    }
  }
}

std::vector<ExchangeStep> Lowerer::point_to_point(std::int32_t peer_pipeline_rank, bool outgoing) {
  ExchangeStep step;
  step.flows.push_back({ranks_.pipeline_peer(self_, peer_pipeline_rank), boundary_, outgoing});
  return {step};
}

Channel pp_channel(bool activation, std::int32_t direction) {
  if (direction == 0) return activation ? Channel::activation_down : Channel::gradient_down;
  return activation ? Channel::activation_up : Channel::gradient_up;
}

// `before`: true emits the receive that must precede the chunk, false the send after it.
// `before`: true emits what must precede the chunk (ZeRO-3's weight gather, the receive), false
// what follows it (the send). A neighbouring chunk on this same rank (DualPipeV's turn of the
// V) hands over in memory.
void Lowerer::forward_chunk(const ChunkRef& ref, Chain& chain, bool before) {
  const auto depth = static_cast<std::int32_t>(schedule_.chunk_count(p_.plan));
  if (before && p_.plan.zero_stage == 3) gather_weights(chain, ref.chunk);
  if (before && ref.chunk > 0) {
    const auto from = schedule_.chunk_holder(p_.plan, ref.chunk - 1, ref.direction);
    if (from != rank_->pipeline_rank) {
      emit_exchange(chain, StreamId::p2p, pp_channel(true, ref.direction), point_to_point(from, false), "pp.recv_activation");
    }
  }
  if (!before && ref.chunk + 1 < depth) {
    const auto to = schedule_.chunk_holder(p_.plan, ref.chunk + 1, ref.direction);
    if (to != rank_->pipeline_rank) {
      emit_exchange(chain, StreamId::p2p, pp_channel(true, ref.direction), point_to_point(to, true), "pp.send_activation");
    }
  }
}

void Lowerer::backward_chunk(const ChunkRef& ref, Chain& chain, bool before) {
  const auto depth = static_cast<std::int32_t>(schedule_.chunk_count(p_.plan));
  if (before && p_.plan.zero_stage == 3) gather_weights(chain, ref.chunk);
  if (before && ref.chunk + 1 < depth) {
    const auto from = schedule_.chunk_holder(p_.plan, ref.chunk + 1, ref.direction);
    if (from != rank_->pipeline_rank) {
      emit_exchange(chain, StreamId::p2p, pp_channel(false, ref.direction), point_to_point(from, false), "pp.recv_gradient");
    }
  }
  if (!before && ref.chunk > 0) {
    const auto to = schedule_.chunk_holder(p_.plan, ref.chunk - 1, ref.direction);
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
      emit_units(chain, chain, forward_units(programs_of(item.forward.chunk)));
      forward_chunk(item.forward, chain, false);
      break;
    }
    case ItemKind::backward: {
      Chain chain;
      backward_chunk(item.backward, chain, true);
      emit_units(chain, chain, backward_units(programs_of(item.backward.chunk), !item.defer_weights));
      if (!item.defer_weights) reduce_scatter_gradients(chain, item.backward.chunk);
      backward_chunk(item.backward, chain, false);
      break;
    }
    case ItemKind::weight: {
      Chain chain;
      const auto layers = programs_of(item.backward.chunk);
      for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
        const Seconds w = (*it)->weight_total();
        if (w > Seconds(0)) emit_compute(chain, w, fmt::format("{}.weight", to_string((*it)->kind)));
      }
      reduce_scatter_gradients(chain, item.backward.chunk);
      break;
    }
    case ItemKind::forward_backward: {
      Chain f_chain;
      Chain b_chain;
      forward_chunk(item.forward, f_chain, true);
      backward_chunk(item.backward, b_chain, true);
      emit_units(f_chain, b_chain, pair_units(programs_of(item.forward.chunk), programs_of(item.backward.chunk)));
      reduce_scatter_gradients(b_chain, item.backward.chunk);
      forward_chunk(item.forward, f_chain, false);
      backward_chunk(item.backward, b_chain, false);
      break;
    }
    case ItemKind::optimizer: break;
  }
}

std::pair<std::int64_t, std::int64_t> Lowerer::chunk_parameters(std::int32_t chunk) const {
  std::int64_t params = 0;
  std::int64_t experts = 0;
  for (const auto kind : out_.layout.chunks[static_cast<std::size_t>(chunk)].layers) {
    params += priced_.layer(kind).parameters;
    experts += priced_.layer(kind).expert_parameters;
  }
  return {params - experts, experts};
}

void Lowerer::data_exchange(Chain& chain, StreamId stream, Channel channel, Bytes dense, Bytes experts,
                            Collective collective, const char* text) {
  auto steps = exchange_steps(comm_.collective(collective, CommGroup::data, dense), self_, ctx_);
  const auto more = exchange_steps(comm_.collective(collective, CommGroup::expert_data, experts), self_, ctx_);
  steps.insert(steps.end(), more.begin(), more.end());
  if (!steps.empty()) emit_exchange(chain, stream, channel, steps, text);
}

void Lowerer::shard_exchange(Chain& chain, StreamId stream, Channel channel, std::int32_t chunk, bool gradients) {
  const auto [dense, experts] = chunk_parameters(chunk);
  const std::int64_t element = gradients ? bytes_per_element(p_.plan.gradient_precision) : 2;  // BF16 weights
  data_exchange(chain, stream, channel, Bytes(dense * element), Bytes(experts * element),
                gradients ? Collective::reduce_scatter : Collective::all_gather,
                gradients ? "zero.reduce_scatter_gradients" : "zero.gather_weights");
}

void Lowerer::gather_weights(Chain& chain, std::int32_t chunk) {
  Chain gate;
  if (item_ >= 2) gate.last = item_compute_end_[item_ - 2];
  shard_exchange(gate, StreamId::weight_gather, Channel::weight_gather, chunk, false);
  if (gate.last) chain.last = gate.last;
}

void Lowerer::reduce_scatter_gradients(const Chain& chain, std::int32_t chunk) {
  if (p_.plan.zero_stage < 2) return;
  Chain branch = chain;
  shard_exchange(branch, StreamId::gradient_shards, Channel::gradient_shards, chunk, true);
}

void Lowerer::data_parallel_sync(Chain& last) {
  const auto& plan = p_.plan;
  std::int64_t dense = 0;
  std::int64_t experts = 0;
  for (const int c : out_.layout.chunks_of_rank[static_cast<std::size_t>(rank_->pipeline_rank)]) {
    const auto [d, e] = chunk_parameters(c);
    dense += d;
    experts += e;
  }
  const std::int64_t grad = bytes_per_element(plan.gradient_precision);
  // Without ZeRO gradients are all-reduced, with ZeRO-1 reduce-scattered here (ZeRO-2/3 did so
  // after each backward pass); ZeRO-1/2 gather the updated weights (ZeRO-3 before each pass).
  if (plan.zero_stage <= 1) {
    data_exchange(last, StreamId::collective, Channel::data, Bytes(dense * grad), Bytes(experts * grad),
                  plan.zero_stage == 0 ? Collective::all_reduce : Collective::reduce_scatter, "dp.reduce_gradients");
  }
  const std::int64_t owned =
      plan.zero_stage >= 1 ? dense / (plan.data * plan.context) + experts / std::max<std::int64_t>(1, plan.expert_data_parallel())
                           : dense + experts;
  const std::int64_t moment = bytes_per_element(plan.optimizer_moment_precision);
  const Bytes streamed(owned * ((4 + grad + 2 * moment) + (4 + 2 * moment + 2)));
  emit_compute(last, p_.kernels.time(memory_kernel(streamed, Bytes(0))), "optimizer.step");
  if (plan.zero_stage == 1 || plan.zero_stage == 2) {
    data_exchange(last, StreamId::collective, Channel::data, Bytes(dense * 2), Bytes(experts * 2), Collective::all_gather,
                  "dp.gather_weights");
  }
}

void Lowerer::run() {
  const auto& plan = p_.plan;
  out_.micro_batches = p_.shape.global_batch_size / (plan.data * plan.micro_batch_size);
  out_.tokens_per_step = static_cast<double>(p_.shape.global_batch_size) * static_cast<double>(p_.shape.sequence_length);
  const MicroBatchShape mb{p_.shape.sequence_length, plan.micro_batch_size};
  out_.layout = p_.layout ? *p_.layout : pipeline_layout(p_.model, plan, priced_.layer_kind_costs());
  out_.workload.compute_slowdown = priced_.sm_slowdown();
  boundary_ = stage_boundary_bytes(p_.model, plan, mb);
  order_ = p_.schedule ? *p_.schedule : pipeline_schedule(plan, out_.micro_batches);

  out_.workload.reduced = ranks_.fidelity() == Fidelity::reduced;
  for (const auto g : ranks_.simulated()) {
    out_.workload.ranks.emplace_back();
    rank_ = &out_.workload.ranks.back();
    self_ = g;
    rank_->global_rank = g;
    rank_->pipeline_rank = ranks_.coordinates(g).pipeline;
    Chain last;
    item_compute_end_.clear();
    const auto& compute = rank_->streams[static_cast<std::size_t>(StreamId::compute)];
    for (const auto& item : order_[static_cast<std::size_t>(rank_->pipeline_rank)]) {
      item_ = static_cast<std::uint32_t>(rank_->items.size());
      const ChunkRef& ref = item.kind == ItemKind::forward || item.kind == ItemKind::forward_backward ? item.forward : item.backward;
      rank_->items.push_back({item.kind, ref.chunk, ref.micro_batch});
      emit_item(item);
      item_compute_end_.push_back(compute.empty() ? std::nullopt
                                                  : std::optional<Dependency>(Dependency{
                                                        StreamId::compute, static_cast<std::uint32_t>(compute.size() - 1)}));
    }
    if (!p_.optimizer) continue;
    item_ = static_cast<std::uint32_t>(rank_->items.size());
    rank_->items.push_back({ItemKind::optimizer, -1, -1});
    if (!compute.empty()) last.last = Dependency{StreamId::compute, static_cast<std::uint32_t>(compute.size() - 1)};
    data_parallel_sync(last);
  }

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

LoweredStep lower_step(const StepProblem& p) {
  const auto issues = plan_issues(p.model, p.cluster, p.plan, p.shape.sequence_length, p.shape.global_batch_size);
  if (!issues.empty()) throw std::invalid_argument("lower_step needs a valid plan: " + issues.front().detail);
  LoweredStep out{Workload{}, Topology(p.cluster, p.kernels.link_efficiency(KernelClass::scale_up_transfer),
                                       p.kernels.link_efficiency(KernelClass::scale_out_transfer)),
                  PipelineLayout{}, 0, 0.0};
  Lowerer(p, out).run();
  return out;
}

}  // namespace trainsim
