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
}  // namespace

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
  const float* unit_scale = session.unit_scale();
  const cudaDataType input = s.fp8 ? CUDA_R_8F_E4M3 : CUDA_R_16BF;
  PROBE_CUBLAS(cublasLtMatmulDescCreate(&desc_, CUBLAS_COMPUTE_32F, CUDA_R_32F));
  const cublasOperation_t transpose = CUBLAS_OP_T;
  const cublasOperation_t keep = CUBLAS_OP_N;
  PROBE_CUBLAS(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_TRANSA, &transpose, sizeof(transpose)));
  PROBE_CUBLAS(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_TRANSB, &keep, sizeof(keep)));
  if (s.fp8) {
    PROBE_CUBLAS(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, &unit_scale, sizeof(unit_scale)));
    PROBE_CUBLAS(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, &unit_scale, sizeof(unit_scale)));
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

void LtGemm::run(const void* a, const void* b, void* d) const {
  const float alpha = 1.0f;
  const float beta = 0.0f;
  PROBE_CUBLAS(cublasLtMatmul(session_.handle(), desc_, &alpha, a, a_, b, b_, &beta, d, d_, d, d_, &algo_.algo,
                              session_.workspace(), LtSession::kWorkspaceBytes, session_.stream()));
}

}  // namespace probe
