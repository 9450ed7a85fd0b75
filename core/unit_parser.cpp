#include "core/unit_parser.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <utility>

namespace trainsim {
namespace {

struct Prefix {
  std::string_view symbol;
  double factor;
};

// Longest symbols first so that "Gi" wins over "G".
constexpr std::array<Prefix, 12> kMagnitudePrefixes{{
    {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0},
    {"Pi", 1125899906842624.0}, {"k", 1e3}, {"K", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12},
    {"P", 1e15}, {"E", 1e18},
}};

struct SplitText {
  double number;
  std::string_view suffix;
};

SplitText split_number(std::string_view text, std::string_view hint) {
  const auto original = std::string(text);
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  double number = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end == text.data()) {
    throw UnitParseError("\"" + original + "\" does not start with a number", std::string(hint));
  }
  if (!std::isfinite(number) || number < 0.0) {
    throw UnitParseError("\"" + original + "\" must be a finite, non-negative quantity",
                         std::string(hint));
  }
  std::string_view suffix(end, static_cast<std::size_t>(text.data() + text.size() - end));
  if (!suffix.empty() && suffix.front() == ' ') suffix.remove_prefix(1);
  if (suffix.empty()) {
    throw UnitParseError("\"" + original + "\" has no unit", std::string(hint));
  }
  return {number, suffix};
}

// Reads `suffix` as an optional magnitude prefix followed by one of `units`; returns the factor.
std::optional<double> match_unit(std::string_view suffix,
                                 std::initializer_list<std::pair<std::string_view, double>> units) {
  for (const auto& [unit, unit_factor] : units) {
    if (suffix == unit) return unit_factor;
  }
  for (const auto& prefix : kMagnitudePrefixes) {
    if (suffix.starts_with(prefix.symbol)) {
      const auto rest = suffix.substr(prefix.symbol.size());
      for (const auto& [unit, unit_factor] : units) {
        if (rest == unit) return prefix.factor * unit_factor;
      }
    }
  }
  return std::nullopt;
}

double parse_with(std::string_view text,
                  std::initializer_list<std::pair<std::string_view, double>> units,
                  std::string_view hint) {
  const auto [number, suffix] = split_number(text, hint);
  const auto factor = match_unit(suffix, units);
  if (!factor) {
    throw UnitParseError("\"" + std::string(text) + "\" has an unknown unit \"" +
                             std::string(suffix) + "\"",
                         std::string(hint));
  }
  const double value = number * *factor;
  if (!std::isfinite(value)) {
    throw UnitParseError("\"" + std::string(text) + "\" is beyond the range of a double", std::string(hint));
  }
  return value;
}

// A rate of zero would make every transfer or kernel take forever: rates must be positive.
double parse_rate(std::string_view text, std::initializer_list<std::pair<std::string_view, double>> units,
                  std::string_view hint) {
  const double value = parse_with(text, units, hint);
  if (value <= 0.0) throw UnitParseError("\"" + std::string(text) + "\" is not a positive rate", std::string(hint));
  return value;
}

}  // namespace

Bytes parse_bytes(std::string_view text) {
  constexpr std::string_view hint =
      "write a byte count with a unit, e.g. 80GiB or 1.5TB (1GB = 1e9 B, 1GiB = 2^30 B)";
  const double amount = parse_with(text, {{"B", 1.0}}, hint);
  const double whole = std::round(amount);
  if (std::abs(amount - whole) > 1e-6 * std::max(1.0, amount)) {
    throw UnitParseError("\"" + std::string(text) + "\" is not a whole number of bytes",
                         std::string(hint));
  }
  if (whole > 9.2e18) throw UnitParseError("\"" + std::string(text) + "\" is too large", std::string(hint));
  return Bytes(static_cast<std::int64_t>(whole));
}

Seconds parse_seconds(std::string_view text) {
  constexpr std::string_view hint = "write a duration with a unit: ns, us, ms, s, min, h or d (e.g. 2.5us)";
  const auto [number, suffix] = split_number(text, hint);
  static constexpr std::array<std::pair<std::string_view, double>, 8> kTimeUnits{{
      {"ns", 1e-9}, {"us", 1e-6}, {"\xC2\xB5s", 1e-6}, {"ms", 1e-3},
      {"s", 1.0}, {"min", 60.0}, {"h", 3600.0}, {"d", 86400.0},
  }};
  for (const auto& [unit, factor] : kTimeUnits) {
    if (suffix == unit) {
      if (!std::isfinite(number * factor)) {
        throw UnitParseError("\"" + std::string(text) + "\" is beyond the range of a double", std::string(hint));
      }
      return Seconds(number * factor);
    }
  }
  throw UnitParseError("\"" + std::string(text) + "\" has an unknown time unit \"" +
                           std::string(suffix) + "\"",
                       std::string(hint));
}

BytesPerSecond parse_byte_rate(std::string_view text) {
  return BytesPerSecond(parse_rate(
      text, {{"Bps", 1.0}, {"B/s", 1.0}, {"bps", 0.125}, {"b/s", 0.125}},
      "write a bandwidth with a unit, e.g. 50GBps (bytes) or 400Gbps (bits); 1GBps = 8Gbps"));
}

FlopsPerSecond parse_flop_rate(std::string_view text) {
  return FlopsPerSecond(parse_rate(
      text, {{"FLOPS", 1.0}, {"FLOP/s", 1.0}, {"OPS", 1.0}},
      "write a compute rate with a unit, e.g. 989.4TFLOPS (or TOPS for integer peaks)"));
}

Watts parse_watts(std::string_view text) {
  return Watts(parse_rate(text, {{"W", 1.0}}, "write a power with a unit, e.g. 700W or 10.2kW"));
}

double parse_count(std::string_view text) {
  constexpr std::string_view kHint = "write a count, e.g. 15T, 500B, 4M, 2k or 1.5e13";
  const auto original = std::string(text);
  double number = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end == text.data() || !std::isfinite(number) || number < 0.0) {
    throw UnitParseError("\"" + original + "\" is not a count", std::string(kHint));
  }
  const std::string_view suffix(end, static_cast<std::size_t>(text.data() + text.size() - end));
  // B is a billion here, as in "500B tokens"; G would be the SI spelling of the same.
  static constexpr std::array<Prefix, 6> kCountPrefixes{{{"", 1.0}, {"k", 1e3}, {"K", 1e3}, {"M", 1e6}, {"B", 1e9}, {"T", 1e12}}};
  for (const auto& prefix : kCountPrefixes) {
    if (suffix != prefix.symbol) continue;
    if (!std::isfinite(number * prefix.factor)) throw UnitParseError("\"" + original + "\" is beyond the range of a double", std::string(kHint));
    return number * prefix.factor;
  }
  throw UnitParseError("\"" + original + "\" has an unknown suffix \"" + std::string(suffix) + "\"", std::string(kHint));
}

}  // namespace trainsim
