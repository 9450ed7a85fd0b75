#include "reports/number_format.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace trainsim {

std::string short_count(double v, int decimals) {
  const double a = std::abs(v);
  if (a >= 1e12) return fmt::format("{:.{}f}T", v / 1e12, decimals);
  if (a >= 1e9) return fmt::format("{:.{}f}B", v / 1e9, decimals);
  if (a >= 1e6) return fmt::format("{:.{}f}M", v / 1e6, decimals);
  if (a >= 1e3) return fmt::format("{:.{}f}K", v / 1e3, decimals);
  return fmt::format("{:.{}f}", v, decimals);
}

std::string plain_number(double v, int digits) {
  if (v == 0.0 || !std::isfinite(v)) return fmt::format("{}", v);
  constexpr int kMaxDecimals = 12;
  const int magnitude = static_cast<int>(std::floor(std::log10(std::abs(v))));
  const int decimals = std::clamp(digits - 1 - magnitude, 0, kMaxDecimals);
  return fmt::format("{:.{}f}", v, decimals);
}

std::string seconds_text(Seconds t) {
  const double s = t.si();
  if (std::abs(s) >= 1.0) return fmt::format("{:.3f} s", s);
  if (std::abs(s) >= 1e-3) return fmt::format("{:.1f} ms", s * 1e3);
  return fmt::format("{:.0f} us", s * 1e6);
}

std::string percent_text(double ratio) { return fmt::format("{:.1f}%", ratio * 100.0); }

std::string usd_text(double usd) { return fmt::format("${}", short_count(usd, 3)); }

std::string deviation_text(double estimate, double reference) {
  return fmt::format("{:+.1f}%", (estimate / reference - 1.0) * 100.0);
}

}  // namespace trainsim
