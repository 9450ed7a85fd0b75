#pragma once
// The one parser for quantities written as unit strings: "989TFLOPS", "50GBps", "400Gbps",
// "2.5us", "80GiB", "700W". Decimal (k, M, G, T, P) and binary (Ki, Mi, Gi, Ti) prefixes are
// distinct; a bare number without a unit is rejected because its unit would be a guess. Every
// quantity is finite and non-negative; rates (bandwidth, compute, power) are positive.
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/units.hpp"

namespace trainsim {

// A unit string that could not be read; `hint` says what would have been accepted.
class UnitParseError : public std::runtime_error {
 public:
  UnitParseError(const std::string& message, std::string hint)
      : std::runtime_error(message), hint_(std::move(hint)) {}
  [[nodiscard]] const std::string& hint() const { return hint_; }

 private:
  std::string hint_;
};

Bytes parse_bytes(std::string_view text);               // "80GiB", "1.5TB", "7392B"
Seconds parse_seconds(std::string_view text);           // "2.5us", "19.926s", "3h", "54d"
BytesPerSecond parse_byte_rate(std::string_view text);  // "50GBps", "50GB/s", "400Gbps" (bits)
FlopsPerSecond parse_flop_rate(std::string_view text);  // "989.4TFLOPS", "1978.9TOPS"
Watts parse_watts(std::string_view text);               // "700W", "10.2kW"
// A count of things (tokens, parameters) as people write it on a command line: "15T", "500B"
// (billions), "4M", "2k", "1.5e13" or "15000000000000". Decimal prefixes only; no unit.
double parse_count(std::string_view text);

}  // namespace trainsim
