#include "hardware/kernel_time_model.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace trainsim {

std::string_view to_string(CurveOrigin origin) {
  switch (origin) {
    case CurveOrigin::calibrated: return "calibrated";
    case CurveOrigin::derived: return "derived";
    case CurveOrigin::borrowed: return "borrowed";
    case CurveOrigin::assumed: return "default";
  }
  return "?";
}

namespace {
// The class whose fit stands in when a class has no rows: a grouped GEMM runs the same tensor
// cores as a dense GEMM of its precision; FlashAttention-2 is the newest fused attention of a
// GPU that has no later generation (Ampere), and an upper bound where it has one; streams and
// row reductions are both bounded by the same HBM, the reductions a little below it.
std::optional<KernelClass> stand_in(KernelClass kind) {
  switch (kind) {
    case KernelClass::grouped_gemm_bf16: return KernelClass::gemm_bf16;
    case KernelClass::grouped_gemm_fp8: return KernelClass::gemm_fp8;
    case KernelClass::attention_fa2_forward: return KernelClass::attention_forward;
    case KernelClass::attention_fa2_backward: return KernelClass::attention_backward;
    case KernelClass::row_reduction: return KernelClass::memory_bound;
    case KernelClass::memory_bound: return KernelClass::row_reduction;
    default: return std::nullopt;
  }
}
std::size_t index(KernelClass kind) { return static_cast<std::size_t>(kind); }

bool measured_only_on(const ClassFit& fit, const std::string& gpu_id) {
  return fit.measured_on.size() == 1 && fit.measured_on.contains(gpu_id);
}

CurveOrigin fit_origin(const ClassFit& fit, const std::string& gpu_id) {
  if (fit.derived) return CurveOrigin::derived;
  return measured_only_on(fit, gpu_id) ? CurveOrigin::calibrated : CurveOrigin::borrowed;
}

// ", measured on h100-sxm" where some rows come from other GPUs.
std::string measured_elsewhere(const ClassFit& fit, const std::string& gpu_id) {
  if (measured_only_on(fit, gpu_id)) return "";
  std::string gpus;
  for (const auto& id : fit.measured_on) gpus += (gpus.empty() ? "" : " and ") + id;
  return ", measured on " + gpus;
}
}  // namespace

KernelTimeModel::KernelTimeModel(GpuSpec gpu, const Calibration* calibration) : gpu_(std::move(gpu)) {
  calibration_name_ = calibration != nullptr ? calibration->name : "none";
  for (int k = 0; k < kKernelClassCount; ++k) {
    const auto kind = static_cast<KernelClass>(k);
    coefficients_[index(kind)] = default_coefficients(kind);
    uses_[index(kind)] = {CurveOrigin::assumed, "default"};
    if (calibration == nullptr) continue;
    if (const auto it = calibration->fits.find(kind); it != calibration->fits.end()) {
      const ClassFit& fit = it->second;
      coefficients_[index(kind)] = fit.coefficients;
      tiles_[index(kind)] = fit.tile;
      uses_[index(kind)] = {fit_origin(fit, gpu_.id),
                            fmt::format("{} ({}, {} rows{})", calibration->name, to_string(calibration->kind), fit.rows,
                                        measured_elsewhere(fit, gpu_.id))};
    }
  }
  for (int k = 0; k < kKernelClassCount; ++k) {
    const auto kind = static_cast<KernelClass>(k);
    const auto other = stand_in(kind);
    if (uses_[index(kind)].origin == CurveOrigin::assumed && other &&
        uses_[index(*other)].origin != CurveOrigin::assumed) {
      coefficients_[index(kind)] = coefficients_[index(*other)];
      tiles_[index(kind)] = tiles_[index(*other)];
      uses_[index(kind)] = {CurveOrigin::borrowed,
                            fmt::format("{} fit of {}", to_string(*other), calibration_name_)};
    }
  }
}

Seconds KernelTimeModel::time(const Kernel& kernel) const {
  const Features f = kernel_features(kernel, gpu_, tiles_[index(kernel.kind)]);
  double seconds = curve_seconds(kernel.kind, coefficients_[index(kernel.kind)], f);
  if (!is_memory_bound(kernel.kind) && !is_transfer(kernel.kind)) {
    // The roofline's other side: no kernel moves its operands faster than this GPU's
    // memory-bound kernels move bytes. A compute curve fitted on rows with little traffic (one
    // best-shape GEMM, or GEMMs whose K is large) says nothing about a GEMM that writes a
    // score matrix of s^2 elements per head from K = 128, and would otherwise beat the memory.
    seconds = std::max(seconds, time(memory_kernel(kernel.bytes_read, kernel.bytes_written)).si());
  }
  return Seconds(seconds);
}

double KernelTimeModel::link_efficiency(KernelClass transfer_class) const {
  return 1.0 / coefficients_[index(transfer_class)][0];
}

const CurveUse& KernelTimeModel::curve_use(KernelClass kind) const { return uses_[index(kind)]; }
const Features& KernelTimeModel::coefficients(KernelClass kind) const { return coefficients_[index(kind)]; }

std::vector<KernelClass> KernelTimeModel::uncalibrated_classes() const {
  std::vector<KernelClass> classes;
  for (int k = 0; k < kKernelClassCount; ++k) {
    if (uses_[static_cast<std::size_t>(k)].origin == CurveOrigin::assumed) classes.push_back(static_cast<KernelClass>(k));
  }
  return classes;
}

KernelTimeModel kernel_model(const ClusterSpec& cluster) {
  return KernelTimeModel(cluster.gpu, cluster.calibration.get());
}

}  // namespace trainsim
