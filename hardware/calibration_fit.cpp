// Kernel-time curves: their features, how a curve combines them, and fitting a class's curve
// to its measured rows.
#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

#include <Eigen/Dense>

#include "hardware/calibration.hpp"
#include "hardware/gpu_catalog.hpp"

namespace trainsim {
namespace {

// Feature order. Compute classes: [fixed cost in microseconds, math time at peak, read time at
// peak memory bandwidth, write time at peak memory bandwidth]. Attention merges reads and
// writes into feature 2; memory-bound kernels put all traffic in feature 1. Transfers: [time
// at the link's nominal bandwidth].
constexpr double kMicrosecond = 1e-6;
constexpr double kFixedCostVisibleBelow = 100e-6;  // seconds

// Tilings a GEMM fit tries, in order of preference on ties: none (a persistent, stream-K
// style kernel, as cuBLAS runs most BF16 GEMMs on Hopper) and the CTA tiles of the Hopper and
// Blackwell kernels of cuBLAS, CUTLASS 3 and DeepGEMM (BLOCK_M 64-256 by BLOCK_N 64-256).
constexpr std::array<GemmTile, 6> kTileCandidates{{{0, 0}, {64, 128}, {128, 64}, {128, 128}, {128, 256}, {256, 128}}};

// How much lower a tiling's RMS relative error must be to be preferred to an earlier
// candidate: more than the run-to-run spread of a measurement (our probe's two H100 runs
// differ by 1.7% in the median), so rows that any tiling explains keep the first.
constexpr double kTilingMustBeat = 0.02;

// Regime assignments a GEMM fit iterates through before it keeps the best one seen.
constexpr int kMaxRegimePasses = 16;

FlopsPerSecond peak_for(KernelClass kind, const GpuSpec& gpu) {
  const auto peak = gpu.peak(tensor_precision(kind));
  if (!peak) throw std::logic_error("GPU " + gpu.id + " has no " + std::string(to_string(tensor_precision(kind))) + " peak");
  return *peak;
}

// The FLOPs a GEMM's SMs are busy for: its tiles (each the full K, padded to the tile) in
// whole waves over the SMs. Without a tiling, or an SM count to wave over, its own FLOPs.
Flops tiled_flops(const Kernel& kernel, const GpuSpec& gpu, GemmTile tile) {
  if (!tile.quantized() || !gpu.sm_count) return kernel.flops;
  const auto& s = kernel.gemm;
  const auto tiles_along = [](std::int64_t extent, int tile_extent) {
    return static_cast<double>((extent + tile_extent - 1) / tile_extent);
  };
  const double tiles = tiles_along(s.m, tile.m) * tiles_along(s.n, tile.n) * static_cast<double>(s.groups);
  const double sms = static_cast<double>(*gpu.sm_count);
  const double waves = std::ceil(tiles / sms);
  return Flops(2.0 * waves * sms * tile.m * tile.n * static_cast<double>(s.k));
}

// Coefficient indices in the order the fit adds them as rows allow.
std::vector<int> fit_order(KernelClass kind) {
  switch (kind) {
    case KernelClass::attention_forward:
    case KernelClass::attention_backward:
    case KernelClass::attention_fa2_forward:
    case KernelClass::attention_fa2_backward: return {1, 0, 2};
    case KernelClass::memory_bound:
    case KernelClass::row_reduction: return {1, 0};
    case KernelClass::scale_up_transfer:
    case KernelClass::scale_out_transfer: return {0};  // index 0 is their bandwidth term
    default: return {1, 0, 2, 3};
  }
}

double median(std::vector<double> values) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const auto n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

}  // namespace

Features kernel_features(const Kernel& kernel, const GpuSpec& gpu, GemmTile tile) {
  const double bandwidth = gpu.memory_bandwidth.si();
  const double read_s = kernel.bytes_read.as_double() / bandwidth;
  const double write_s = kernel.bytes_written.as_double() / bandwidth;
  switch (kernel.kind) {
    case KernelClass::memory_bound:
    case KernelClass::row_reduction: return {kMicrosecond, read_s + write_s, 0.0, 0.0};
    case KernelClass::attention_forward:
    case KernelClass::attention_backward:
    case KernelClass::attention_fa2_forward:
    case KernelClass::attention_fa2_backward:
      return {kMicrosecond, (kernel.flops / peak_for(kernel.kind, gpu)).si(), read_s + write_s, 0.0};
    case KernelClass::scale_up_transfer:
    case KernelClass::scale_out_transfer:
      throw std::logic_error("transfers have transfer_features()");
    default: return {kMicrosecond, (tiled_flops(kernel, gpu, tile) / peak_for(kernel.kind, gpu)).si(), read_s, write_s};
  }
}

Features transfer_features(Bytes bytes, BytesPerSecond nominal) { return {(bytes / nominal).si(), 0.0, 0.0, 0.0}; }

double curve_seconds(KernelClass kind, const Features& c, const Features& f) {
  if (is_gemm(kind)) return c[0] * f[0] + std::max(c[1] * f[1], c[2] * f[2]) + c[3] * f[3];
  double seconds = 0.0;
  for (std::size_t i = 0; i < kFeatureCount; ++i) seconds += c[i] * f[i];
  return seconds;
}

// Assumptions for classes without measurements (README.md, "Kernel time model"): no fixed
// cost, and these fractions of peak. GEMM 0.80: the median BF16 "maximum achievable matmul"
// efficiency of the NVIDIA GPUs in stas00/ml-engineering compute/accelerator/README.md
// (A100 SXM 85.9%, GH200 83.0%, A100 PCIe 82.2%, H100 SXM 80.1%). Attention 0.50 forward and
// 0.40 backward, memory-bound 0.80 of HBM bandwidth and links 0.80 of their nominal rate are
// round assumptions, reported as "default" wherever they are used.
Features default_coefficients(KernelClass kind) {
  switch (kind) {
    case KernelClass::attention_forward:
    case KernelClass::attention_fa2_forward: return {0.0, 1.0 / 0.50, 0.0, 0.0};
    case KernelClass::attention_backward:
    case KernelClass::attention_fa2_backward: return {0.0, 1.0 / 0.40, 0.0, 0.0};
    case KernelClass::memory_bound:
    case KernelClass::row_reduction: return {0.0, 1.0 / 0.80, 0.0, 0.0};
    case KernelClass::scale_up_transfer:
    case KernelClass::scale_out_transfer: return {1.0 / 0.80, 0.0, 0.0, 0.0};
    default: return {0.0, 1.0 / 0.80, 0.0, 0.0};
  }
}

namespace {

const GpuSpec& row_gpu(const CalibrationRow& row) {
  const auto* gpu = find_gpu(row.measured_on);
  if (gpu == nullptr) throw std::logic_error("unknown GPU " + row.measured_on);
  return *gpu;
}

Features row_features(const CalibrationRow& row, GemmTile tile) {
  if (is_transfer(row.kind)) return transfer_features(row.transfer_bytes, row.nominal_bandwidth);
  return kernel_features(row.kernel, row_gpu(row), tile);
}

// Least squares of relative error over rows whose times are `design[r] . coefficients`:
// adds coefficients in the class's priority order while rows allow, drops any that come out
// negative (unphysical) and refits, so the result is deterministic and every coefficient is
// >= 0. Coefficients not fitted keep their values in `fit`.
void solve_nonnegative(KernelClass kind, const std::vector<Features>& design, const std::vector<double>& measured_s,
                       ClassFit& fit) {
  auto order = fit_order(kind);
  // A fixed per-kernel cost (a few microseconds) is only identifiable when some row is short
  // enough for it to matter; otherwise it keeps its default.
  const bool has_short_row =
      std::any_of(measured_s.begin(), measured_s.end(), [](double t) { return t < kFixedCostVisibleBelow; });
  if (!has_short_row && !is_transfer(kind)) std::erase(order, 0);
  order.resize(std::min(order.size(), design.size()));
  fit.fitted = {};
  while (!order.empty()) {
    Eigen::MatrixXd a(static_cast<Eigen::Index>(design.size()), static_cast<Eigen::Index>(order.size()));
    Eigen::VectorXd b(static_cast<Eigen::Index>(design.size()));
    for (std::size_t r = 0; r < design.size(); ++r) {
      const double t = measured_s[r];
      // Residual of the part not fitted (coefficients at their current values), relative to t.
      double fixed = 0.0;
      for (int i = 0; i < kFeatureCount; ++i) {
        if (std::find(order.begin(), order.end(), i) == order.end()) {
          fixed += fit.coefficients[static_cast<std::size_t>(i)] * design[r][static_cast<std::size_t>(i)];
        }
      }
      for (std::size_t c = 0; c < order.size(); ++c) {
        a(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = design[r][static_cast<std::size_t>(order[c])] / t;
      }
      b(static_cast<Eigen::Index>(r)) = (t - fixed) / t;
    }
    const Eigen::VectorXd x = a.colPivHouseholderQr().solve(b);
    std::size_t worst = order.size();
    for (std::size_t c = 0; c < order.size(); ++c) {
      if (x(static_cast<Eigen::Index>(c)) < 0.0) worst = c;
    }
    if (worst == order.size()) {
      for (std::size_t c = 0; c < order.size(); ++c) {
        fit.coefficients[static_cast<std::size_t>(order[c])] = x(static_cast<Eigen::Index>(c));
        fit.fitted[static_cast<std::size_t>(order[c])] = true;
      }
      return;
    }
    fit.coefficients[static_cast<std::size_t>(order[worst])] = 0.0;
    order.erase(order.begin() + static_cast<std::ptrdiff_t>(worst));
  }
}

// Each row's |curve - measured| / measured.
std::vector<double> relative_errors(KernelClass kind, const Features& coefficients, const std::vector<Features>& features,
                                    const std::vector<double>& measured_s) {
  std::vector<double> errors;
  for (std::size_t r = 0; r < features.size(); ++r) {
    errors.push_back(std::abs(curve_seconds(kind, coefficients, features[r]) - measured_s[r]) / measured_s[r]);
  }
  return errors;
}

double root_mean_square(const std::vector<double>& values) {
  double sum = 0.0;
  for (const double v : values) sum += v * v;
  return std::sqrt(sum / static_cast<double>(values.size()));
}

void record_errors(KernelClass kind, const std::vector<Features>& features, const std::vector<double>& measured_s,
                   ClassFit& fit) {
  const auto errors = relative_errors(kind, fit.coefficients, features, measured_s);
  fit.median_relative_error = median(errors);
  fit.max_relative_error = *std::max_element(errors.begin(), errors.end());
}

// A row bound by its math keeps features [fixed, math, 0, writes]; one bound by its operand
// reads keeps [fixed, 0, reads, writes]: on each side of the roofline the curve is linear.
std::vector<Features> regime_design(const std::vector<Features>& features, const std::vector<bool>& math_bound) {
  std::vector<Features> design = features;
  for (std::size_t r = 0; r < design.size(); ++r) design[r][math_bound[r] ? 2 : 1] = 0.0;
  return design;
}

// A GEMM curve for one tiling: alternately fit each side of the roofline and reassign rows
// to the side that binds, starting from equal efficiencies, keeping the best pass seen.
ClassFit fit_gemm_tiling(KernelClass kind, const std::vector<Features>& features, const std::vector<double>& measured_s) {
  std::vector<bool> math_bound(features.size());
  for (std::size_t r = 0; r < features.size(); ++r) math_bound[r] = features[r][1] >= features[r][2];
  ClassFit best;
  bool have_best = false;
  for (int pass = 0; pass < kMaxRegimePasses; ++pass) {
    ClassFit fit;
    fit.coefficients = default_coefficients(kind);
    solve_nonnegative(kind, regime_design(features, math_bound), measured_s, fit);
    record_errors(kind, features, measured_s, fit);
    if (!have_best || fit.max_relative_error < best.max_relative_error) {
      best = fit;
      have_best = true;
    }
    std::vector<bool> next(features.size());
    for (std::size_t r = 0; r < features.size(); ++r) {
      next[r] = fit.coefficients[1] * features[r][1] >= fit.coefficients[2] * features[r][2];
    }
    if (next == math_bound) break;
    math_bound = std::move(next);
  }
  return best;
}

}  // namespace

ClassFit fit_class(KernelClass kind, const std::vector<CalibrationRow>& rows) {
  ClassFit fit;
  fit.coefficients = default_coefficients(kind);
  std::vector<const CalibrationRow*> mine;
  std::vector<double> measured_s;
  for (const auto& row : rows) {
    if (row.kind != kind) continue;
    mine.push_back(&row);
    measured_s.push_back(row.measured.si());
  }
  if (mine.empty()) return fit;
  const auto provenance = [&](ClassFit& f) {
    f.rows = static_cast<int>(mine.size());
    for (const auto* row : mine) {
      f.derived = f.derived || row->derived;
      f.measured_on.insert(row->measured_on);
    }
  };
  const auto features_for = [&](GemmTile tile) {
    std::vector<Features> features;
    for (const auto* row : mine) features.push_back(row_features(*row, tile));
    return features;
  };

  if (!is_gemm(kind)) {
    const auto features = features_for({});
    solve_nonnegative(kind, features, measured_s, fit);
    record_errors(kind, features, measured_s, fit);
    provenance(fit);
    return fit;
  }
  // The tiling whose curve has the least root-mean-square relative error, the fit's own
  // measure; a later candidate must beat the best so far by more than kTilingMustBeat.
  bool have_best = false;
  double best_rms = 0.0;
  for (const GemmTile tile : kTileCandidates) {
    const auto features = features_for(tile);
    ClassFit candidate = fit_gemm_tiling(kind, features, measured_s);
    candidate.tile = tile;
    const double rms = root_mean_square(relative_errors(kind, candidate.coefficients, features, measured_s));
    if (!have_best || rms < best_rms - kTilingMustBeat) {
      best_rms = rms;
      fit = candidate;
      have_best = true;
    }
  }
  provenance(fit);
  return fit;
}

}  // namespace trainsim
