#pragma once
// Everything that makes a pipeline schedule what it is, in one record per schedule: which
// chunks each pipeline rank holds, the schedule's bubble formula, the activations it keeps in
// flight, the plans and micro-batch counts it accepts, and the order in which each rank runs
// its chunk passes. One file per schedule family (models/schedules/); the closed form, the
// memory model, the scenario checks, the planner and sim/ all ask these records and nothing
// else. Adding a schedule is a new file there, its enum value and its line in the registry.
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/units.hpp"
#include "models/parallel_plan.hpp"
#include "models/plan_issue.hpp"

namespace trainsim {

// What a schedule item does (ISCA'25 Table 4's categories); `optimizer` is the step's end.
enum class ItemKind : std::uint8_t { forward, backward, weight, forward_backward, optimizer };
std::string_view to_string(ItemKind k);

struct ChunkRef {
  std::int32_t chunk = -1;
  std::int32_t micro_batch = -1;
  std::int32_t direction = 0;  // DualPipe: 0 flows rank 0 -> pp-1, 1 flows pp-1 -> 0
};

struct ScheduleItem {
  ItemKind kind = ItemKind::forward;
  ChunkRef forward;   // forward and forward_backward items
  ChunkRef backward;  // backward, forward_backward and weight items
  bool defer_weights = false;  // zero bubble: this backward leaves its weight gradients to a later item
};

// Chunk times a bubble formula is written in (DeepSeek-V3 Table 2's notation): F a forward
// chunk, B a full backward chunk (input and weights), W its weight-gradient part, F&B a
// forward and a backward chunk overlapped. A "chunk" is a stage for 1F1B-like schedules and
// interleaved 1F1B (all of a rank's chunks together, as Narayanan et al. write it), and one
// chunk pass for DualPipe and DualPipeV.
struct ChunkTimes {
  Seconds forward;
  Seconds backward;
  Seconds weight;
  Seconds overlapped_pair;
};

struct ScheduleOptions {
  // DualPipe's reference code runs the middle ranks' (DualPipeV: the last rank's) first
  // main-phase pair without overlap "to further reduce bubble size"; DeepSeek-V3 Table 2's
  // formula describes the schedule without this refinement.
  bool refine_middle_pair = true;
};

class ScheduleTraits {
 public:
  ScheduleTraits() = default;
  ScheduleTraits(const ScheduleTraits&) = delete;
  ScheduleTraits& operator=(const ScheduleTraits&) = delete;
  virtual ~ScheduleTraits() = default;

  [[nodiscard]] virtual Schedule id() const = 0;
  // The scenario format's name ("1f1b", "dualpipe", ...).
  [[nodiscard]] virtual std::string_view name() const = 0;

  // Placement. Model chunks a micro-batch passes through in order (the path's depth).
  [[nodiscard]] virtual std::int64_t chunk_count(const ParallelPlan& plan) const { return plan.pipeline; }
  // The chunks pipeline rank `rank` holds, in its local order.
  [[nodiscard]] virtual std::vector<int> chunks_of_rank(const ParallelPlan& plan, int rank) const;
  // The pipeline rank holding `chunk` of model copy `direction`.
  [[nodiscard]] virtual int chunk_holder(const ParallelPlan& plan, int chunk, int direction) const;
  // Of the n micro-batches per pipeline, the share that passes through each chunk (DualPipe's
  // two model copies each carry half).
  [[nodiscard]] virtual double chunk_share() const { return 1.0; }
  // Forward and backward chunks run as overlapped pairs on a compute and a communication
  // stream (DualPipe): the steady phase's pace is the pair's, not the sum of its halves.
  [[nodiscard]] virtual bool overlapped_pairs() const { return false; }
  // The plan's virtual_stages means something (interleaved 1F1B).
  [[nodiscard]] virtual bool uses_virtual_stages() const { return false; }
  // Some backward items leave their weight gradients to later items (zero bubble, DualPipe).
  [[nodiscard]] virtual bool defers_weight_gradients() const { return false; }

  // Idle time per step of a pipeline rank by the schedule's published formula.
  [[nodiscard]] virtual Seconds bubble(const ParallelPlan& plan, const ChunkTimes& t) const = 0;

  // Micro-batch activation sets each of `chunks` (the chunks of `rank`, in its local order)
  // holds at the rank's peak, with `n` micro-batches per step. By default a chunk at position c
  // of the path keeps its activations from its forward until its backward: depth - c
  // micro-batches in 1F1B-like steady states, never more than the chunk processes.
  [[nodiscard]] virtual std::vector<double> in_flight(const ParallelPlan& plan, const std::vector<int>& chunks, int rank,
                                                      std::int64_t n) const;

  // Rules on the plan's own fields (the pipeline degree's parity, virtual stages), reported
  // on the plan's keys.
  virtual void check_plan(const ParallelPlan& plan, PlanIssues& issues) const;
  // Rules on the micro-batches per pipeline per step, `n`.
  virtual void check_micro_batches(const ParallelPlan& plan, std::int64_t n, PlanIssues& issues) const;

  // The items pipeline rank `rank` runs, in order, for one step of `n` micro-batches.
  [[nodiscard]] virtual std::vector<ScheduleItem> order(const ParallelPlan& plan, int rank, std::int64_t n,
                                                        const ScheduleOptions& options) const = 0;
};

// The record of `schedule`.
const ScheduleTraits& schedule_traits(Schedule schedule);
// Every schedule, in the order the scenario format lists them.
const std::vector<const ScheduleTraits*>& all_schedules();

// Items of every pipeline rank for one step of `micro_batches` micro-batches per pipeline.
std::vector<std::vector<ScheduleItem>> pipeline_schedule(const ParallelPlan& plan, std::int64_t micro_batches,
                                                         const ScheduleOptions& options = {});

}  // namespace trainsim
