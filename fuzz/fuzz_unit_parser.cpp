// libFuzzer harness: any bytes as each kind of quantity. Each parse gives a finite,
// non-negative value (positive for rates) or a UnitParseError.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/unit_parser.hpp"

namespace {

template <class Parse>
void check(Parse parse, std::string_view text, bool rate) {
  try {
    const double value = parse(text);
    if (!std::isfinite(value) || value < 0.0 || (rate && value == 0.0)) std::abort();
  } catch (const trainsim::UnitParseError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace trainsim;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check([](std::string_view t) { return parse_bytes(t).as_double(); }, text, false);
  check([](std::string_view t) { return parse_seconds(t).si(); }, text, false);
  check([](std::string_view t) { return parse_byte_rate(t).si(); }, text, true);
  check([](std::string_view t) { return parse_flop_rate(t).si(); }, text, true);
  check([](std::string_view t) { return parse_watts(t).si(); }, text, true);
  return 0;
}
