#pragma once
// The largest counts an input may give. Each bound is over ten times anything built or
// published, so no real model, cluster or plan meets one; together with the derived caps that
// the readers check (attention width, expert width per layer, tokens per micro-batch,
// parameters), they keep every integer product trainsim forms inside int64. Sizes in bytes are
// checked on top of that (Bytes in core/units.hpp throws SizeOverflow rather than wrap).
#include <cstdint>

namespace trainsim::limits {

inline constexpr std::int64_t kMaxGpus = std::int64_t{1} << 24;         // GPUs in a cluster, any parallel degree
inline constexpr std::int64_t kMaxGpusPerNode = 1024;                   // as GpuSpec's scale-up domain
inline constexpr std::int64_t kMaxWidth = std::int64_t{1} << 18;        // hidden, FFN, expert width, LoRA ranks
inline constexpr std::int64_t kMaxHeads = std::int64_t{1} << 14;        // attention heads
inline constexpr std::int64_t kMaxHeadDim = std::int64_t{1} << 14;      // one head's width
inline constexpr std::int64_t kMaxAttentionWidth = std::int64_t{1} << 22;  // heads x head_dim
inline constexpr std::int64_t kMaxVocab = std::int64_t{1} << 22;        // vocabulary
inline constexpr std::int64_t kMaxLayers = std::int64_t{1} << 12;       // transformer layers
inline constexpr std::int64_t kMaxExperts = std::int64_t{1} << 14;      // routed or shared experts
inline constexpr std::int64_t kMaxExpertWidthPerLayer = std::int64_t{1} << 28;  // experts x expert width
inline constexpr double kMaxParameters = 1e15;                          // a quadrillion
inline constexpr std::int64_t kMaxSequence = std::int64_t{1} << 24;     // tokens in one sequence
inline constexpr std::int64_t kMaxBatch = std::int64_t{1} << 32;        // sequences in one step
inline constexpr std::int64_t kMaxMicroBatchTokens = std::int64_t{1} << 28;  // micro_batch_size x sequence
inline constexpr std::int64_t kMaxKernelDimension = std::int64_t{1} << 28;   // a calibration row's GEMM or attention size
inline constexpr std::int64_t kMaxKernelBytes = std::int64_t{1} << 50;       // bytes one measured kernel moves (1 PiB)

}  // namespace trainsim::limits
