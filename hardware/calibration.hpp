#pragma once
// Kernel-time calibration: measured rows (from our CUDA probe or from published kernel
// benchmarks, each with its citation) and, per kernel class, the least-squares fit of a time
// curve through them. Curves are linear in a few physical features (see kernel_features()), so
// their coefficients read as inverse efficiencies and fixed costs.
#include <array>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config_error.hpp"
#include "hardware/gpu_spec.hpp"
#include "hardware/kernel.hpp"

namespace trainsim {

enum class CalibrationKind { probe, published_benchmarks };
std::string_view to_string(CalibrationKind kind);

inline constexpr int kFeatureCount = 4;
using Features = std::array<double, kFeatureCount>;

// One measurement: a kernel (or a transfer over a link of `nominal_bandwidth`) and its time.
struct CalibrationRow {
  KernelClass kind = KernelClass::memory_bound;
  Kernel kernel;                     // compute classes
  Bytes transfer_bytes;              // transfer classes
  BytesPerSecond nominal_bandwidth;  // transfer classes: the link's datasheet rate
  Seconds measured;
  std::string source;       // citation (published) or probe record id
  std::string measured_on;  // catalog id of the GPU the row was measured on
  bool derived = false;     // computed from measurements by stated ratios, not itself measured
};

// The output tile a GEMM library's kernel computes per SM and pass. {0, 0}: a persistent
// (stream-K style) kernel that spreads a last partial wave over every SM, so a GEMM's time
// follows its FLOPs with no tail; otherwise the tiles run in whole waves over the GPU's SMs.
struct GemmTile {
  int m = 0, n = 0;
  [[nodiscard]] bool quantized() const { return m > 0 && n > 0; }
  bool operator==(const GemmTile&) const = default;
};

// A class's fitted curve, see curve_seconds().
struct ClassFit {
  Features coefficients{};
  GemmTile tile;  // GEMM classes: the tiling that explains the rows best
  std::array<bool, kFeatureCount> fitted{};  // false: the coefficient kept its default
  int rows = 0;
  bool derived = false;                 // some of its rows are derived, not measured
  std::set<std::string> measured_on;    // the GPUs its rows were measured (or derived) for
  double median_relative_error = 0.0;
  double max_relative_error = 0.0;
};

struct Calibration {
  std::string name;
  std::string gpu_id;  // catalog GPU the rows were measured on
  CalibrationKind kind = CalibrationKind::published_benchmarks;
  std::string description;
  std::map<std::string, std::string> provenance;  // probe: GPU name, driver, CUDA, date, ...
  std::vector<CalibrationRow> rows;
  std::map<KernelClass, ClassFit> fits;
};

// Features of a compute kernel on `gpu` (seconds-valued, see calibration.cpp for their order).
// GEMM classes count their math in whole waves of `tile` over the GPU's SMs.
Features kernel_features(const Kernel& kernel, const GpuSpec& gpu, GemmTile tile = {});
// A curve's time for a kernel's features. GEMMs: fixed + max(math, operand reads) + output
// writes (the main loop overlaps loads with math; the epilogue's stores follow it). Other
// classes: the sum of coefficient times feature.
double curve_seconds(KernelClass kind, const Features& coefficients, const Features& features);
// Features of a transfer of `bytes` over a link of `nominal` bandwidth.
Features transfer_features(Bytes bytes, BytesPerSecond nominal);
// Coefficients used where a class has no rows: documented assumptions, see README.md.
Features default_coefficients(KernelClass kind);
// Weighted least squares (relative error) of the rows of one class; rows of other classes are
// ignored. Each row's features use the peaks of the GPU it was measured on.
ClassFit fit_class(KernelClass kind, const std::vector<CalibrationRow>& rows);

// Reads a calibration document; `file` names it in errors. Throws ConfigError.
Calibration parse_calibration(const nlohmann::json& doc, const std::string& file);
Calibration load_calibration_file(const std::string& path);
// A calibration shipped with trainsim (hardware/calibration/<name>.json), or nullptr.
const Calibration* find_builtin_calibration(std::string_view name);
std::vector<std::string> builtin_calibration_names();
// The classes a built-in calibration has rows of its own for (what an include of it can bring).
std::set<KernelClass> builtin_own_classes(std::string_view name);
// The built-in calibration used by default for a catalog GPU, or "" when it has none.
std::string default_calibration_for(std::string_view gpu_id);

}  // namespace trainsim
