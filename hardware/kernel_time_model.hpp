#pragma once
// Kernel durations on one GPU: its datasheet peaks times the calibrated curve of each kernel
// class. Every class records where its curve came from, so every result can say which kernel
// classes ran on measured data and which on documented defaults.
#include <array>
#include <string>
#include <vector>

#include "hardware/calibration.hpp"
#include "hardware/cluster_spec.hpp"
#include "hardware/gpu_spec.hpp"
#include "hardware/kernel.hpp"

namespace trainsim {

// How close a class's curve comes to a measurement of this very GPU, weakest evidence first
// where a fit mixes kinds of rows.
enum class CurveOrigin {
  calibrated,  // fitted to rows measured on this GPU
  derived,     // some of its rows were computed from measurements by stated ratios
  borrowed,    // measured on another GPU (same die or silicon), or a related class's fit
               // (grouped GEMM -> GEMM) where the class has no rows
  assumed,     // no measurement at all: the documented default
};

struct CurveUse {
  CurveOrigin origin = CurveOrigin::assumed;
  std::string label;  // e.g. "h800-published (published benchmarks, 9 rows)" or "default"
};

class KernelTimeModel {
 public:
  // `calibration` may be null: every class then uses its default curve.
  KernelTimeModel(GpuSpec gpu, const Calibration* calibration);

  // Duration of `kernel` running alone on the whole GPU.
  [[nodiscard]] Seconds time(const Kernel& kernel) const;
  // Achieved fraction of a link's nominal bandwidth for large messages (transfer classes).
  [[nodiscard]] double link_efficiency(KernelClass transfer_class) const;

  [[nodiscard]] const GpuSpec& gpu() const { return gpu_; }
  [[nodiscard]] const CurveUse& curve_use(KernelClass kind) const;
  [[nodiscard]] const Features& coefficients(KernelClass kind) const;
  // Classes that run on default curves (nothing measured for them or a related class).
  [[nodiscard]] std::vector<KernelClass> uncalibrated_classes() const;
  [[nodiscard]] const std::string& calibration_name() const { return calibration_name_; }

 private:
  GpuSpec gpu_;
  std::string calibration_name_;
  std::array<Features, kKernelClassCount> coefficients_{};
  std::array<GemmTile, kKernelClassCount> tiles_{};
  std::array<CurveUse, kKernelClassCount> uses_{};
};

std::string_view to_string(CurveOrigin origin);

// The kernel time model of a cluster: its GPU with its calibration.
KernelTimeModel kernel_model(const ClusterSpec& cluster);

}  // namespace trainsim
