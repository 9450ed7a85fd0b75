#include "models/step_replay.hpp"

#include <algorithm>
#include <stdexcept>

namespace trainsim {

namespace {

// When each (direction, chunk, micro-batch) pass's output was there for the next chunk's
// rank, once the pass has run.
class PassTimes {
 public:
  PassTimes(std::int64_t depth, std::int64_t micro_batches)
      : depth_(depth), micro_batches_(micro_batches), times_(static_cast<std::size_t>(2 * depth * micro_batches), Seconds(-1)) {}
  [[nodiscard]] bool known(const ChunkRef& r) const { return times_[index(r)] >= Seconds(0); }
  [[nodiscard]] Seconds at(const ChunkRef& r) const { return times_[index(r)]; }
  void set(const ChunkRef& r, Seconds t) { times_[index(r)] = t; }

 private:
  [[nodiscard]] std::size_t index(const ChunkRef& r) const {
    return static_cast<std::size_t>((r.direction * depth_ + r.chunk) * micro_batches_ + r.micro_batch);
  }
  std::int64_t depth_, micro_batches_;
  std::vector<Seconds> times_;
};

// One rank's resources: its compute, and the queues its messages and ZeRO's traffic take in
// order (the engine's point-to-point, weight-gather and gradient-shard streams).
struct RankState {
  std::size_t cursor = 0;
  Seconds p2p_free, gather_free, shard_free;
  Seconds weights_gathered;           // the previous step's overlapped weight gather, when there is one
  std::vector<Seconds> item_ends;     // when each item so far finished
  std::size_t gather_deadline = 0;    // the first item that waits for that gather
};

class Replay {
 public:
  Replay(const StepProgram& program, std::int64_t n, const ScheduleOptions& options)
      : p_(program),
        schedule_(program.schedule()),
        depth_(schedule_.chunk_count(program.plan())),
        forward_sent_(depth_, n),
        backward_sent_(depth_, n) {
    for (int r = 0; r < program.plan().pipeline; ++r) orders_.push_back(schedule_.order(program.plan(), r, n, options));
    for (int c = 0; c < static_cast<int>(program.layout().chunks.size()); ++c) {
      gathers_.push_back(time_of(program.chunk_sync(c).weight_gathers));
      reduce_scatters_.push_back(time_of(program.chunk_sync(c).gradient_shards));
    }
  }

  StepReplay run();

 private:
  // Runs rank r's next item if its inputs are there; false when it must wait.
  bool step(std::size_t r, ReplayedRank& rank, RankState& state);
  // The step-end exchange and update after the rank's last item.
  void finish(std::size_t r, ReplayedRank& rank, RankState& state);
  // When this rank can use the output of pass `source`: at once when it ran the pass, else when
  // the message arrived and its point-to-point queue took it.
  [[nodiscard]] Seconds input(const PassTimes& sent, const ChunkRef& source, int rank, Seconds& p2p_free) const;
  // When the output of pass `ref`, ending at `end`, is there for chunk `to_chunk`'s rank.
  [[nodiscard]] Seconds output(const ChunkRef& ref, int to_chunk, int rank, Seconds end, Seconds& p2p_free) const;
  [[nodiscard]] Seconds duration(const ScheduleItem& item) const;
  [[nodiscard]] Seconds compute(const ScheduleItem& item) const;
  [[nodiscard]] Seconds time_of(const std::vector<CollectiveStep>& steps) const;
  [[nodiscard]] const ChunkCost& chunk(int c) const { return p_.pipeline().chunks[static_cast<std::size_t>(c)]; }

  const StepProgram& p_;
  const ScheduleTraits& schedule_;
  std::int64_t depth_;
  PassTimes forward_sent_, backward_sent_;
  std::vector<std::vector<ScheduleItem>> orders_;
  std::vector<Seconds> gathers_;           // per chunk: ZeRO-3's weight gathers before a pass
  std::vector<Seconds> reduce_scatters_;   // per chunk: ZeRO-2/3's gradient reduce-scatters after one
};

Seconds Replay::time_of(const std::vector<CollectiveStep>& steps) const {
  Seconds t(0);
  for (const auto& s : steps) t += p_.comm().time(s);
  return t;
}

Seconds Replay::input(const PassTimes& sent, const ChunkRef& source, int rank, Seconds& p2p_free) const {
  const Seconds arrival = sent.at(source);
  if (schedule_.chunk_holder(p_.plan(), source.chunk, source.direction) == rank) return arrival;
  p2p_free = max(p2p_free, arrival);
  return p2p_free;
}

Seconds Replay::output(const ChunkRef& ref, int to_chunk, int rank, Seconds end, Seconds& p2p_free) const {
  if (to_chunk < 0 || to_chunk >= depth_) return end;
  const int to_rank = schedule_.chunk_holder(p_.plan(), to_chunk, ref.direction);
  if (to_rank == rank) return end;
  p2p_free = max(p2p_free, end) + p_.pipeline_hop(rank, to_rank);
  return p2p_free;
}

Seconds Replay::duration(const ScheduleItem& item) const {
  switch (item.kind) {
    case ItemKind::forward: return chunk(item.forward.chunk).forward_compute + chunk(item.forward.chunk).forward_exposed_communication;
    case ItemKind::backward: {
      const auto& c = chunk(item.backward.chunk);
      return c.backward_input_compute + c.backward_exposed_communication +
             (item.defer_weights ? Seconds(0) : c.backward_weight_compute);
    }
    case ItemKind::weight: return chunk(item.backward.chunk).backward_weight_compute;
    case ItemKind::forward_backward: {
      const auto& chunks = p_.layout().chunks;
      return p_.priced().overlapped_pair_time(chunks[static_cast<std::size_t>(item.forward.chunk)],
                                              chunks[static_cast<std::size_t>(item.backward.chunk)]);
    }
    case ItemKind::optimizer: break;
  }
  return Seconds(0);
}

Seconds Replay::compute(const ScheduleItem& item) const {
  Seconds t(0);
  if (item.kind == ItemKind::forward || item.kind == ItemKind::forward_backward) t += chunk(item.forward.chunk).forward_compute;
  if (item.kind == ItemKind::backward || item.kind == ItemKind::forward_backward) {
    t += chunk(item.backward.chunk).backward_input_compute;
    if (!item.defer_weights) t += chunk(item.backward.chunk).backward_weight_compute;
  }
  if (item.kind == ItemKind::weight) t += chunk(item.backward.chunk).backward_weight_compute;
  return t;
}

bool Replay::step(std::size_t r, ReplayedRank& rank, RankState& state) {
  const auto& items = orders_[r];
  const std::size_t i = state.cursor;
  const auto& item = items[i];
  const int self = static_cast<int>(r);
  const bool forward = item.kind == ItemKind::forward || item.kind == ItemKind::forward_backward;
  const bool backward = item.kind == ItemKind::backward || item.kind == ItemKind::forward_backward;
  const ChunkRef forward_source{item.forward.chunk - 1, item.forward.micro_batch, item.forward.direction};
  const ChunkRef backward_source{item.backward.chunk + 1, item.backward.micro_batch, item.backward.direction};
  const bool forward_input = forward && item.forward.chunk > 0;
  const bool backward_input = backward && item.backward.chunk + 1 < depth_;
  if ((forward_input && !forward_sent_.known(forward_source)) || (backward_input && !backward_sent_.known(backward_source))) {
    return false;
  }
  Seconds start = rank.chunks_end;
  if (forward_input) start = max(start, input(forward_sent_, forward_source, self, state.p2p_free));
  if (backward_input) start = max(start, input(backward_sent_, backward_source, self, state.p2p_free));
  // ZeRO-3 gathers each pass's weights, prefetched: once the pass kPrefetchItems back has run.
  const Seconds gate = i >= StepProgram::kPrefetchItems ? state.item_ends[i - StepProgram::kPrefetchItems] : Seconds(0);
  for (const auto* ref : {forward ? &item.forward : nullptr, backward ? &item.backward : nullptr}) {
    if (ref == nullptr) continue;
    const Seconds gather = gathers_[static_cast<std::size_t>(ref->chunk)];
    if (gather <= Seconds(0)) continue;
    state.gather_free = max(state.gather_free, gate) + gather;
    start = max(start, state.gather_free);
  }
  if (i == state.gather_deadline && state.weights_gathered > Seconds(0)) start = max(start, state.weights_gathered);
  const Seconds span = duration(item);
  rank.chunks_end = start + span;
  rank.compute += compute(item);
  rank.spans[static_cast<std::size_t>(item.kind)] += span;
  state.item_ends.push_back(rank.chunks_end);
  // ZeRO-2/3 reduce-scatter the gradients of every backward pass that completes them.
  if (item.kind == ItemKind::weight || (backward && !item.defer_weights)) {
    const Seconds reduce = reduce_scatters_[static_cast<std::size_t>(item.backward.chunk)];
    if (reduce > Seconds(0)) state.shard_free = max(state.shard_free, rank.chunks_end) + reduce;
  }
  if (forward) forward_sent_.set(item.forward, output(item.forward, item.forward.chunk + 1, self, rank.chunks_end, state.p2p_free));
  if (backward) {
    backward_sent_.set(item.backward, output(item.backward, item.backward.chunk - 1, self, rank.chunks_end, state.p2p_free));
  }
  ++state.cursor;
  return true;
}

void Replay::finish(std::size_t r, ReplayedRank& rank, RankState& state) {
  const auto& items = orders_[r];
  const int self = static_cast<int>(r);
  const auto& sync = p_.rank_sync(self);
  const Seconds reduction = time_of(sync.gradient_reduction);
  const std::size_t start = p_.reduction_start(self, items);
  Seconds ready = max(rank.chunks_end, state.shard_free);
  if (start < items.size()) {
    // Overlapped: from the start of the items that may hide it, on the gradient-shard queue.
    const Seconds from = start > 0 ? state.item_ends[start - 1] : Seconds(0);
    state.shard_free = max(state.shard_free, from) + reduction;
    ready = max(rank.chunks_end, state.shard_free);
  } else {
    ready += reduction;
  }
  rank.end = ready + p_.kernels().time(sync.optimizer);
  if (state.weights_gathered > Seconds(0)) {
    rank.end = max(rank.end, state.weights_gathered);
  } else {
    rank.end += time_of(sync.weight_gather);
  }
}

StepReplay Replay::run() {
  const auto ranks = orders_.size();
  StepReplay out;
  out.ranks.resize(ranks);
  std::vector<RankState> states(ranks);
  std::size_t remaining = 0;
  for (std::size_t r = 0; r < ranks; ++r) {
    remaining += orders_[r].size();
    const auto& sync = p_.rank_sync(static_cast<int>(r));
    // Overlapped, the weight gather is the previous step's, under way from the start.
    if (sync.gather_overlap > Seconds(0)) {
      states[r].weights_gathered = time_of(sync.weight_gather);
      states[r].gather_deadline = p_.gather_deadline(static_cast<int>(r), orders_[r]);
    }
  }
  for (bool progress = true; remaining > 0 && progress;) {
    progress = false;
    for (std::size_t r = 0; r < ranks; ++r) {
      while (states[r].cursor < orders_[r].size() && step(r, out.ranks[r], states[r])) {
        --remaining;
        progress = true;
      }
    }
  }
  if (remaining > 0) throw std::logic_error("a schedule's order deadlocks in the replay");
  for (std::size_t r = 0; r < ranks; ++r) {
    finish(r, out.ranks[r], states[r]);
    out.makespan = max(out.makespan, out.ranks[r].end);
  }
  return out;
}

// `b` + (`b` - `a`) x `steps`: a quantity extended along the steady phase.
Seconds extended(Seconds a, Seconds b, double steps) { return b + (b - a) * steps; }

}  // namespace

StepReplay replay_micro_batches(const StepProgram& program, std::int64_t micro_batches, const ScheduleOptions& options) {
  return Replay(program, micro_batches, options).run();
}

StepReplay replay_step(const StepProgram& program) {
  const std::int64_t n = program.micro_batches();
  // Two micro-batches per pipeline rank reach every schedule's steady phase (the longest
  // warm-up, interleaved 1F1B's, issues pp micro-batches on each chunk before its first
  // backward), and every schedule accepts that count (a multiple of the pipeline degree, even,
  // >= 2 pp).
  const std::int64_t base = 2 * program.plan().pipeline;
  if (n <= 2 * base) return replay_micro_batches(program, n);
  const auto a = replay_micro_batches(program, base);
  auto b = replay_micro_batches(program, 2 * base);
  const double steps = static_cast<double>(n - 2 * base) / static_cast<double>(base);
  b.makespan = Seconds(0);
  for (std::size_t r = 0; r < b.ranks.size(); ++r) {
    auto& rank = b.ranks[r];
    const auto& first = a.ranks[r];
    rank.chunks_end = extended(first.chunks_end, rank.chunks_end, steps);
    rank.end = extended(first.end, rank.end, steps);
    rank.compute = extended(first.compute, rank.compute, steps);
    for (std::size_t k = 0; k < rank.spans.size(); ++k) rank.spans[k] = extended(first.spans[k], rank.spans[k], steps);
    b.makespan = max(b.makespan, rank.end);
  }
  return b;
}

Seconds average_rank_lower_bound(const ChunkCost& whole_model, const ParallelPlan& plan, std::int64_t micro_batches) {
  const auto& schedule = schedule_traits(plan.schedule);
  std::vector<std::int64_t> holders(static_cast<std::size_t>(schedule.chunk_count(plan)), 0);
  for (int r = 0; r < plan.pipeline; ++r) {
    for (const int c : schedule.chunks_of_rank(plan, r)) ++holders[static_cast<std::size_t>(c)];
  }
  if (holders.empty() || std::any_of(holders.begin(), holders.end(), [&](std::int64_t h) { return h != holders.front(); })) {
    return Seconds(0);
  }
  // Summed over the ranks, their per-micro-batch times (step_lower_bound's) weigh every layer
  // by the chunk share once per rank holding it; the same sums of the layers' costs, whichever
  // way the layout splits them. The busier stream's sum bounds a pair schedule's ranks on
  // average as it bounds each.
  const auto& w = whole_model;
  const Seconds compute = w.forward_compute + w.backward_input_compute + w.backward_weight_compute;
  const Seconds per_micro_batch = schedule.overlapped_pairs()
                                      ? max(compute, w.communication)
                                      : compute + w.forward_exposed_communication + w.backward_exposed_communication;
  const double weight = schedule.chunk_share() * static_cast<double>(holders.front()) / static_cast<double>(plan.pipeline);
  // Lowered by a hair: summed in another order, the layout's bound may round below it.
  constexpr double kRounding = 1.0 - 1e-12;
  return per_micro_batch * (weight * static_cast<double>(micro_batches) * kRounding);
}

Seconds step_lower_bound(const StepProgram& program) {
  const auto& schedule = program.schedule();
  const auto n = static_cast<double>(program.micro_batches());
  Seconds bound(0);
  for (const auto& t : program.pipeline().ranks) {
    // Each pass is one block of its compute and its exposed communication; an overlapped pair
    // (DualPipe) hides communication under the other pass, but its two streams each run in
    // order, so a pair takes at least its compute and at least its communication (as does a
    // pass alone). The rank's times already weigh each chunk by the share of micro-batches that
    // cross it.
    const Seconds per_micro_batch =
        schedule.overlapped_pairs() ? max(t.forward_compute + t.backward_compute + t.weight_compute, t.communication)
                                    : t.forward_alone() + t.backward_alone();
    bound = max(bound, per_micro_batch * n);
  }
  return bound;
}

}  // namespace trainsim
