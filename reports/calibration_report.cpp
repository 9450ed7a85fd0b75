#include "reports/calibration_report.hpp"

#include <fmt/format.h>

namespace trainsim {

std::string calibration_fit_text(const Calibration& c, const std::vector<std::string>& notes) {
  std::string out = fmt::format("Calibration \"{}\" for {} ({}), {} rows\n", c.name, c.gpu_id, to_string(c.kind), c.rows.size());
  out += fmt::format("  {:<22} {:>5} {:>13} {:>11} {:>11} {:>11} {:>8}\n", "class", "rows", "median error", "max error",
                     "efficiency", "fixed cost", "tiles");
  for (const auto& [kind, fit] : c.fits) {
    // Coefficient 1 multiplies the time at peak (compute classes) and coefficient 0 the time at
    // the nominal rate (transfers): their inverse is the efficiency.
    const int rate_term = is_transfer(kind) ? 0 : 1;
    const double coefficient = fit.coefficients[static_cast<std::size_t>(rate_term)];
    const std::string efficiency = fit.fitted[static_cast<std::size_t>(rate_term)] && coefficient > 0.0
                                       ? fmt::format("{:.1f}%", 100.0 / coefficient)
                                       : "-";
    const std::string fixed = !is_transfer(kind) && fit.fitted[0] ? fmt::format("{:.1f} us", fit.coefficients[0]) : "-";
    // GEMMs: the tile they run in whole waves of, or "none" (no tail effect).
    const std::string tiles = !is_gemm(kind) ? "-" : fit.tile.quantized() ? fmt::format("{}x{}", fit.tile.m, fit.tile.n) : "none";
    out += fmt::format("  {:<22} {:>5} {:>12.1f}% {:>10.1f}% {:>11} {:>11} {:>8}\n", to_string(kind), fit.rows,
                       100.0 * fit.median_relative_error, 100.0 * fit.max_relative_error, efficiency, fixed, tiles);
  }
  if (!notes.empty()) {
    out += "Not fitted:\n";
    for (const auto& n : notes) out += "  " + n + "\n";
  }
  return out;
}

}  // namespace trainsim
