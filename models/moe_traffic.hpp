#pragma once
// Bytes one rank sends in an MoE all-to-all with perfectly balanced routing, split by the link
// class they cross. Node-limited routing (DeepSeek-V3 sec.2.1.2, sec.3.2.2) sends one copy of
// a token per selected node over the fabric, to the GPU with the same local index, which
// forwards it over NVLink to the GPUs that host its experts; without a node limit every
// destination rank gets its own copy (a flat all-to-all).
#include <cstdint>

#include "hardware/cluster_spec.hpp"
#include "hardware/precision.hpp"
#include "models/communication.hpp"
#include "models/model_spec.hpp"
#include "models/parallel_plan.hpp"

namespace trainsim {

struct AllToAllVolume {
  Bytes scale_out;  // leaves this rank's NIC (and, by symmetry, arrives at it)
  Bytes scale_up;   // leaves this rank over NVLink-class links
};

struct MoeTraffic {
  AllToAllVolume dispatch;  // tokens to their experts
  AllToAllVolume combine;   // expert outputs back (BF16)
  double remote_nodes_per_token = 0.0;   // fabric copies of one token
  double scale_up_copies_per_token = 0.0;
  bool hierarchical = false;  // node-limited, per-node deduplicated routing
};

// Traffic of one MoE layer's dispatch and combine for `tokens` tokens entering the layer on
// this rank. `dispatch_precision` is the wire format of dispatched activations (FP8 carries a
// 4-byte scale per 128 values, DeepSeek-V3 sec.3.3.2); combine is always BF16.
MoeTraffic moe_traffic(const ModelSpec& model, const ParallelPlan& plan, const ClusterSpec& cluster,
                       std::int64_t tokens, Precision dispatch_precision);

// Bytes of one token's hidden state on the wire in `precision` (FP8 with its 1x128 scales).
Bytes token_wire_bytes(std::int64_t hidden, Precision precision);

}  // namespace trainsim
