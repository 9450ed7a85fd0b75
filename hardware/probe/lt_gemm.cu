#include "hardware/probe/lt_gemm.cuh"

#include <cstdio>
#include <cstdlib>

namespace probe {

void check_cublas(cublasStatus_t status, const char* call, const char* file, int line) {
  if (status == CUBLAS_STATUS_SUCCESS) return;
  std::fprintf(stderr, "trainsim-probe: %s failed at %s:%d: cuBLAS status %d\n", call, file, line, static_cast<int>(status));
  std::exit(1);
}

namespace {
cublasLtMatrixLayout_t layout(cudaDataType type, std::int64_t rows, std::int64_t cols, std::int64_t batch) {
  cublasLtMatrixLayout_t l = nullptr;
  PROBE_CUBLAS(cublasLtMatrixLayoutCreate(&l, type, static_cast<std::uint64_t>(rows), static_cast<std::uint64_t>(cols), rows));
  if (batch > 1) {
    const auto count = static_cast<std::int32_t>(batch);
    const std::int64_t stride = rows * cols;
    PROBE_CUBLAS(cublasLtMatrixLayoutSetAttribute(l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof(count)));
    PROBE_CUBLAS(cublasLtMatrixLayoutSetAttribute(l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride, sizeof(stride)));
  }
  return l;
}
// Scale tensors for block-wise FP8: one float per 1x128 tile of A (k x m: ceil(k/128) x m) and
// per 128x128 block of B. Allocated at twice that, so no padding cuBLASLt may assume is read
// out of bounds; the values (bytes 0x3F: 0.747f) are positive and do not change the timing.
DeviceBuffer scale_tensor(std::int64_t k, std::int64_t cols, std::int64_t block_cols, std::int64_t batch) {
  const std::int64_t count = (k + 127) / 128 * ((cols + block_cols - 1) / block_cols) * batch;
  DeviceBuffer scales(static_cast<std::size_t>(2 * count + 1024) * sizeof(float));
  PROBE_CUDA(cudaMemset(scales.get(), 0x3F, static_cast<std::size_t>(2 * count + 1024) * sizeof(float)));
  return scales;
}

void set_scale(cublasLtMatmulDesc_t desc, cublasLtMatmulDescAttributes_t mode_attribute, std::int32_t mode,
               cublasLtMatmulDescAttributes_t pointer_attribute, const void* scales) {
  PROBE_CUBLAS(cublasLtMatmulDescSetAttribute(desc, mode_attribute, &mode, sizeof(mode)));
  PROBE_CUBLAS(cublasLtMatmulDescSetAttribute(desc, pointer_attribute, &scales, sizeof(scales)));
}

}  // namespace

const char* scaling_name(Fp8Scaling scaling) {
  switch (scaling) {
    case Fp8Scaling::tensor: return "tensor";
    case Fp8Scaling::blockwise: return "blockwise_1x128_128x128";
    default: return "none";
  }
}

LtSession::LtSession() {
  PROBE_CUBLAS(cublasLtCreate(&handle_));
  PROBE_CUDA(cudaStreamCreate(&stream_));
  const float one = 1.0f;
  PROBE_CUDA(cudaMemcpy(unit_scale_.get(), &one, sizeof(one), cudaMemcpyHostToDevice));
}

LtSession::~LtSession() {
  // No checks: destructors must not exit mid-unwind.
  cudaStreamDestroy(stream_);
  cublasLtDestroy(handle_);
}

LtGemm::LtGemm(const LtSession& session, const GemmShape& s) : session_(session) {
  const cudaDataType input = s.fp8() ? CUDA_R_8F_E4M3 : CUDA_R_16BF;
  PROBE_CUBLAS(cublasLtMatmulDescCreate(&desc_, CUBLAS_COMPUTE_32F, CUDA_R_32F));
  const cublasOperation_t transpose = CUBLAS_OP_T;
  const cublasOperation_t keep = CUBLAS_OP_N;
  PROBE_CUBLAS(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_TRANSA, &transpose, sizeof(transpose)));
  PROBE_CUBLAS(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_TRANSB, &keep, sizeof(keep)));
  if (s.scaling == Fp8Scaling::tensor) {
    set_scale(desc_, CUBLASLT_MATMUL_DESC_A_SCALE_MODE, CUBLASLT_MATMUL_MATRIX_SCALE_SCALAR_32F, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER,
              session.unit_scale());
    set_scale(desc_, CUBLASLT_MATMUL_DESC_B_SCALE_MODE, CUBLASLT_MATMUL_MATRIX_SCALE_SCALAR_32F, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER,
              session.unit_scale());
  } else if (s.scaling == Fp8Scaling::blockwise) {
    a_scales_ = scale_tensor(s.k, s.m, 1, s.batch);
    b_scales_ = scale_tensor(s.k, s.n, 128, s.batch);
    set_scale(desc_, CUBLASLT_MATMUL_DESC_A_SCALE_MODE, CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER,
              a_scales_.get());
    set_scale(desc_, CUBLASLT_MATMUL_DESC_B_SCALE_MODE, CUBLASLT_MATMUL_MATRIX_SCALE_BLK128x128_32F,
              CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, b_scales_.get());
  }
  a_ = layout(input, s.k, s.m, s.batch);
  b_ = layout(input, s.k, s.n, s.batch);
  d_ = layout(CUDA_R_16BF, s.m, s.n, s.batch);
  cublasLtMatmulPreference_t preference = nullptr;
  PROBE_CUBLAS(cublasLtMatmulPreferenceCreate(&preference));
  const std::size_t workspace_bytes = LtSession::kWorkspaceBytes;
  PROBE_CUBLAS(cublasLtMatmulPreferenceSetAttribute(preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                    &workspace_bytes, sizeof(workspace_bytes)));
  int found = 0;
  const auto status = cublasLtMatmulAlgoGetHeuristic(session.handle(), desc_, a_, b_, d_, d_, preference, 1, &algo_, &found);
  PROBE_CUBLAS(cublasLtMatmulPreferenceDestroy(preference));
  usable_ = status == CUBLAS_STATUS_SUCCESS && found > 0;
  if (!usable_) why_ = "cuBLASLt offers no algorithm for this shape and type on this GPU (status " + std::to_string(static_cast<int>(status)) + ")";
}

LtGemm::~LtGemm() {
  // No checks: destructors must not exit mid-unwind.
  cublasLtMatrixLayoutDestroy(a_);
  cublasLtMatrixLayoutDestroy(b_);
  cublasLtMatrixLayoutDestroy(d_);
  cublasLtMatmulDescDestroy(desc_);
}

cublasStatus_t LtGemm::launch(const void* a, const void* b, void* d) const {
  const float alpha = 1.0f;
  const float beta = 0.0f;
  return cublasLtMatmul(session_.handle(), desc_, &alpha, a, a_, b, b_, &beta, d, d_, d, d_, &algo_.algo, session_.workspace(),
                        LtSession::kWorkspaceBytes, session_.stream());
}

void LtGemm::run(const void* a, const void* b, void* d) const { PROBE_CUBLAS(launch(a, b, d)); }

}  // namespace probe
