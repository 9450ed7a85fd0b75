#pragma once
// Human-readable numbers for text reports (machine-readable outputs keep full values).
#include <string>

#include "core/units.hpp"

namespace trainsim {

// 671025614848 -> "671.03B"; 2664000 -> "2.664M" (decimal suffixes K, M, B, T).
std::string short_count(double value, int decimals = 2);
// `value` to `digits` significant digits in plain decimal notation, never e-notation: 0.000034,
// 12.3, 12345 (a number at or above 10^digits keeps its integer digits).
std::string plain_number(double value, int digits = 3);
std::string seconds_text(Seconds t);     // "19.93 s", "142.1 ms", "36 us"
std::string percent_text(double ratio);  // 0.3894 -> "38.9%"
std::string usd_text(double usd);        // "$5.576M", "$12.3K"
// "+4.1%" or "-12.3%": how far `estimate` is from `reference`.
std::string deviation_text(double estimate, double reference);

}  // namespace trainsim
