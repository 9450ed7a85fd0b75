#pragma once
// The Workload IR every backend runs: per simulated GPU, per stream, an ordered list of ops.
// An op is a compute span (kernels of one part of one layer, already priced) or an exchange
// (a set of flows sent and received together, for one collective step or point-to-point
// transfer). Ops of one stream run in order; an op may also wait for ops of other streams on
// its GPU. Nothing here depends on SimGrid.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/units.hpp"
#include "models/schedule_traits.hpp"

namespace trainsim {

// compute kernels; TP/CP/EP collectives and the step's data-parallel sync; pipeline sends and
// receives. ZeRO-3's weight gathers and ZeRO-2/3's gradient reduce-scatters run on streams of their own
// (as FSDP's unshard and post-backward streams do), so a gather never queues behind a reduction.
enum class StreamId : std::uint8_t { compute = 0, collective = 1, p2p = 2, weight_gather = 3, gradient_shards = 4 };
inline constexpr int kStreams = 5;
std::string_view to_string(StreamId s);

enum class OpKind : std::uint8_t { compute, exchange };


// Message streams between two GPUs are kept apart so that each pairs its sends and receives
// in order: point-to-point per pipeline direction and tensor, collectives per group kind.
enum class Channel : std::uint8_t {
  activation_down, gradient_down, activation_up, gradient_up,  // pipeline (DualPipe has two directions)
  tensor, context, expert,
  data,          // the step's data-parallel gradient reduction and weight gather
  weight_gather,   // ZeRO-3: each pass's weights
  gradient_shards  // ZeRO-2/3: each backward pass's gradient reduce-scatter
};

struct Flow {
  std::int32_t peer = 0;  // simulated rank index; for mirrored flows, the sending rank itself
  Bytes bytes;
  Channel channel = Channel::expert;
  bool outgoing = true;
  std::int32_t mirrored_route = -1;  // >= 0: a flow to a symmetric copy, loaded on this route
};

struct Dependency {
  StreamId stream = StreamId::compute;
  std::uint32_t op = 0;  // this op of `stream` (same GPU) must have finished
};

struct Op {
  OpKind kind = OpKind::compute;
  std::uint32_t label = 0;  // index into Workload::labels
  std::uint32_t item = 0;   // index into RankProgram::items
  Seconds duration;         // compute ops
  Seconds extra_latency;    // exchange ops: latency beyond the route's (ring steps)
  std::uint32_t flow_begin = 0, flow_count = 0;
  std::uint32_t dep_begin = 0, dep_count = 0;
};

struct ScheduleItemInfo {
  ItemKind kind = ItemKind::forward;
  std::int32_t chunk = -1;        // model chunk (the forward one for overlapped pairs)
  std::int32_t micro_batch = -1;
};

struct RankProgram {
  std::int32_t global_rank = 0;
  std::int32_t pipeline_rank = 0;
  std::array<std::vector<Op>, kStreams> streams;
  std::vector<Flow> flows;
  std::vector<Dependency> deps;
  std::vector<ScheduleItemInfo> items;
};

struct Workload {
  std::vector<RankProgram> ranks;
  std::vector<std::string> labels;
  std::vector<std::vector<int>> mirrored_routes;  // link ids of each mirrored route
  std::vector<double> link_capacity_scale;        // per topology link (reduced mode); empty: all 1
  bool reduced = false;
  // The flows the simulated ranks would have at full detail, where reduced mode merges those
  // to symmetric copies (sim/simulation_size.hpp scales a full-detail estimate from it).
  std::size_t full_detail_flows = 0;
  double compute_slowdown = 1.0;  // already applied to compute durations; reported

  // The fraction of a link's capacity the simulated traffic gets (1 unless reduced).
  [[nodiscard]] double capacity_scale(int link) const {
    return link_capacity_scale.empty() ? 1.0 : link_capacity_scale[static_cast<std::size_t>(link)];
  }
  [[nodiscard]] std::size_t op_count() const;
  [[nodiscard]] std::size_t flow_count() const;
};

// Checks the IR's invariants (dependency targets exist, flows pair up per channel); returns
// the first violation found, empty when the workload is well formed.
std::string check_workload(const Workload& w);

}  // namespace trainsim
