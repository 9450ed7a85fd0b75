#pragma once
// A cuBLASLt matrix multiply of one shape, set up once and launched many times:
// D[m, n] = A^T[m, k] B[k, n] in column-major storage (the "TN" layout FP8 requires), BF16
// output, FP32 accumulation; `batch` > 1 runs equal-size GEMMs as one strided batched launch.
// A holds the m tokens (activations), B the weights. FP8 inputs are scaled per tensor, or
// block-wise as DeepSeek-V3 trains (one scale per 1x128 activation tile and per 128x128
// weight block: cuBLASLt's VEC128 and BLK128x128 modes).
#include <cstdint>
#include <string>

#include <cublasLt.h>

#include "hardware/probe/timing.cuh"

namespace probe {

void check_cublas(cublasStatus_t status, const char* call, const char* file, int line);
#define PROBE_CUBLAS(call) ::probe::check_cublas((call), #call, __FILE__, __LINE__)

enum class Fp8Scaling { none, tensor, blockwise };  // none: BF16 inputs

// How a record names the scaling ("tensor", "blockwise_1x128_128x128").
const char* scaling_name(Fp8Scaling scaling);

struct GemmShape {
  std::int64_t m = 0, n = 0, k = 0, batch = 1;
  Fp8Scaling scaling = Fp8Scaling::none;
  [[nodiscard]] bool fp8() const { return scaling != Fp8Scaling::none; }
  [[nodiscard]] std::size_t a_elements() const { return static_cast<std::size_t>(m * k * batch); }
  [[nodiscard]] std::size_t b_elements() const { return static_cast<std::size_t>(k * n * batch); }
  [[nodiscard]] std::size_t d_elements() const { return static_cast<std::size_t>(m * n * batch); }
  [[nodiscard]] std::size_t input_bytes() const { return (a_elements() + b_elements()) * (fp8() ? 1 : 2); }
};

// What every GEMM of a probe section shares: the cuBLASLt handle, a stream, the workspace and
// a device-side 1.0 for FP8 scales.
class LtSession {
 public:
  LtSession();
  ~LtSession();
  LtSession(const LtSession&) = delete;
  LtSession& operator=(const LtSession&) = delete;
  [[nodiscard]] cublasLtHandle_t handle() const { return handle_; }
  [[nodiscard]] cudaStream_t stream() const { return stream_; }
  [[nodiscard]] void* workspace() const { return workspace_.get(); }
  [[nodiscard]] const float* unit_scale() const { return unit_scale_.as<float>(); }
  static constexpr std::size_t kWorkspaceBytes = std::size_t{64} << 20;

 private:
  cublasLtHandle_t handle_ = nullptr;
  cudaStream_t stream_ = nullptr;
  DeviceBuffer workspace_{kWorkspaceBytes};
  DeviceBuffer unit_scale_{sizeof(float)};
};

class LtGemm {
 public:
  LtGemm(const LtSession& session, const GemmShape& shape);
  ~LtGemm();
  LtGemm(const LtGemm&) = delete;
  LtGemm& operator=(const LtGemm&) = delete;
  // False when cuBLASLt offers no algorithm for the shape on this GPU (`why` says so).
  [[nodiscard]] bool usable() const { return usable_; }
  [[nodiscard]] const std::string& why() const { return why_; }
  // Enqueues one multiply and returns cuBLASLt's status: a first launch can still be refused
  // for a shape the heuristic offered, and the probe skips that shape rather than stop.
  [[nodiscard]] cublasStatus_t launch(const void* a, const void* b, void* d) const;
  void run(const void* a, const void* b, void* d) const;

 private:
  const LtSession& session_;
  cublasLtMatmulDesc_t desc_ = nullptr;
  cublasLtMatrixLayout_t a_ = nullptr, b_ = nullptr, d_ = nullptr;
  cublasLtMatmulHeuristicResult_t algo_{};
  DeviceBuffer a_scales_{0}, b_scales_{0};  // block-wise scales; unused otherwise
  bool usable_ = false;
  std::string why_;
};

}  // namespace probe
