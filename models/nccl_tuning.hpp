#pragma once
// NCCL's own cost model of its collectives: the latency its tuner charges each algorithm and
// protocol, and the share of the links' rate each protocol moves payload at (NVIDIA/nccl
// v2.30.7-1 @73cf112, src/graph/tuning.cc). trainsim prices a collective's bytes on its own
// links (models/collective_time) and takes from here what the bytes' time does not say; a
// collective's algorithm and protocol are then the ones the sum makes fastest, as NCCL's
// tuner picks the least estimated time (src/enqueue.cc, topoGetAlgoInfo).
#include <optional>

#include "models/communication.hpp"

namespace trainsim {

// How the GPUs of a node reach each other, as NCCL's latency tables tell them apart.
enum class IntraNodeLink { nvlink, pcie };

// NCCL's latency of `collective` by `algorithm` and `protocol` on a group laid out as `layout`:
// a base latency and one hop latency per ring step (2(n - 1) for an all-reduce, n - 1 for an
// all-gather or reduce-scatter, the steps between nodes at the network's), or for the tree
// the chain inside the node and log2(nodes) levels across, twice. Ring passes (ring attention)
// are not NCCL collectives: none.
Seconds nccl_latency(Collective collective, CollectiveAlgorithm algorithm, Protocol protocol, const GroupLayout& layout,
                     IntraNodeLink intra);

// The share of the links' rate the protocol's payload moves at: LL carries 8 bytes of data in
// each 16-byte line, LL128 120 in each 128 (NCCL's 0.92), Simple all of it; NCCL's tree runs at
// 0.92 of its links and its LL at a further 1/3.8.
double nccl_payload_share(CollectiveAlgorithm algorithm, Protocol protocol);

// NCCL's ceiling on LL's bus bandwidth when the group spans nodes (its llMaxBws row for x86
// hosts: 39 GB/s on two nodes, 20.4 on three or more); none inside a node.
std::optional<BytesPerSecond> nccl_ll_bus_ceiling(const GroupLayout& layout);

}  // namespace trainsim
