#pragma once
// Integer products of counts from user input, which could otherwise overflow int64 silently
// (undefined behaviour): checked ones say so, saturating ones stop at the largest value so that
// a comparison with a real count (a cluster's GPUs) fails as it should.
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>

namespace trainsim {

// a × b, or nullopt when the product does not fit in int64.
constexpr std::optional<std::int64_t> checked_product(std::int64_t a, std::int64_t b) {
  std::int64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product)) return std::nullopt;
  return product;
}

// The product of non-negative factors, or INT64_MAX when it does not fit.
constexpr std::int64_t saturating_product(std::initializer_list<std::int64_t> factors) {
  std::int64_t product = 1;
  for (const auto factor : factors) {
    const auto next = checked_product(product, factor);
    if (!next) return std::numeric_limits<std::int64_t>::max();
    product = *next;
  }
  return product;
}

}  // namespace trainsim
