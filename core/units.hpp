#pragma once
// Physical quantities as types. Only physically meaningful operators compile, e.g.
// Bytes / BytesPerSecond -> Seconds; Seconds + Bytes does not. Values are unwrapped (si(),
// count()) only at library boundaries: SimGrid, JSON output, printing.
#include <cmath>
#include <compare>
#include <cstdint>
#include <stdexcept>

namespace trainsim {

// A quantity stored as a double in SI base units (seconds, FLOP, bytes/s, watts, joules).
template <class Tag>
class Quantity {
 public:
  constexpr Quantity() = default;
  constexpr explicit Quantity(double value_in_si) : si_(value_in_si) {}

  // The value in SI base units of this dimension.
  [[nodiscard]] constexpr double si() const { return si_; }

  constexpr Quantity operator+(Quantity other) const { return Quantity(si_ + other.si_); }
  constexpr Quantity operator-(Quantity other) const { return Quantity(si_ - other.si_); }
  constexpr Quantity operator-() const { return Quantity(-si_); }
  constexpr Quantity operator*(double factor) const { return Quantity(si_ * factor); }
  constexpr Quantity operator/(double divisor) const { return Quantity(si_ / divisor); }
  // Ratio of two quantities of the same dimension: a plain number.
  constexpr double operator/(Quantity other) const { return si_ / other.si_; }
  constexpr Quantity& operator+=(Quantity other) {
    si_ += other.si_;
    return *this;
  }
  constexpr Quantity& operator-=(Quantity other) {
    si_ -= other.si_;
    return *this;
  }
  constexpr auto operator<=>(const Quantity&) const = default;

 private:
  double si_ = 0.0;
};

template <class Tag>
constexpr Quantity<Tag> operator*(double factor, Quantity<Tag> q) {
  return q * factor;
}
template <class Tag>
constexpr Quantity<Tag> max(Quantity<Tag> a, Quantity<Tag> b) {
  return a < b ? b : a;
}
template <class Tag>
constexpr Quantity<Tag> min(Quantity<Tag> a, Quantity<Tag> b) {
  return b < a ? b : a;
}

struct SecondsTag {};
struct FlopsTag {};
struct FlopsPerSecondTag {};
struct BytesPerSecondTag {};
struct WattsTag {};
struct JoulesTag {};

using Seconds = Quantity<SecondsTag>;
using Flops = Quantity<FlopsTag>;                    // floating-point operations (a count)
using FlopsPerSecond = Quantity<FlopsPerSecondTag>;  // also integer OPS for INT8 peaks
using BytesPerSecond = Quantity<BytesPerSecondTag>;
using Watts = Quantity<WattsTag>;
using Joules = Quantity<JoulesTag>;

// A size beyond int64 bytes (8 EiB): only absurd inputs get there, and they must get an error
// rather than a wrapped, wrong size.
class SizeOverflow : public std::overflow_error {
 public:
  SizeOverflow() : std::overflow_error("a size beyond 2^63 bytes (8 EiB)") {}
};

// A whole number of bytes. Fractions of a byte do not exist; scaling rounds explicitly. The
// arithmetic is checked: a result beyond int64 throws SizeOverflow.
class Bytes {
 public:
  constexpr Bytes() = default;
  constexpr explicit Bytes(std::int64_t count) : count_(count) {}
  // Bytes nearest to a real-valued amount (for averages such as "3.5 remote nodes per token").
  static Bytes rounded(double amount) {
    if (!(std::abs(amount) < 9.2e18)) throw SizeOverflow();
    return Bytes(std::llround(amount));
  }

  [[nodiscard]] constexpr std::int64_t count() const { return count_; }
  [[nodiscard]] constexpr double as_double() const { return static_cast<double>(count_); }

  constexpr Bytes operator+(Bytes other) const {
    std::int64_t sum = 0;
    if (__builtin_add_overflow(count_, other.count_, &sum)) throw SizeOverflow();
    return Bytes(sum);
  }
  constexpr Bytes operator-(Bytes other) const {
    std::int64_t difference = 0;
    if (__builtin_sub_overflow(count_, other.count_, &difference)) throw SizeOverflow();
    return Bytes(difference);
  }
  constexpr Bytes operator*(std::int64_t factor) const {
    std::int64_t product = 0;
    if (__builtin_mul_overflow(count_, factor, &product)) throw SizeOverflow();
    return Bytes(product);
  }
  constexpr double operator/(Bytes other) const { return as_double() / other.as_double(); }
  constexpr Bytes& operator+=(Bytes other) { return *this = *this + other; }
  constexpr Bytes& operator-=(Bytes other) { return *this = *this - other; }
  // This amount scaled by a real factor, rounded to the nearest byte.
  [[nodiscard]] Bytes scaled(double factor) const { return rounded(as_double() * factor); }
  // This amount split into `parts` equal shares, rounded up (a shard never holds less).
  [[nodiscard]] constexpr Bytes shard(std::int64_t parts) const {
    return Bytes(count_ / parts + (count_ % parts != 0 ? 1 : 0));
  }
  constexpr auto operator<=>(const Bytes&) const = default;

 private:
  std::int64_t count_ = 0;
};

constexpr Bytes operator*(std::int64_t factor, Bytes b) { return b * factor; }

// Cross-dimension arithmetic: only the physically meaningful combinations.
constexpr Seconds operator/(Flops work, FlopsPerSecond rate) { return Seconds(work.si() / rate.si()); }
constexpr FlopsPerSecond operator/(Flops work, Seconds time) { return FlopsPerSecond(work.si() / time.si()); }
constexpr Flops operator*(FlopsPerSecond rate, Seconds time) { return Flops(rate.si() * time.si()); }
constexpr Flops operator*(Seconds time, FlopsPerSecond rate) { return rate * time; }
constexpr Seconds operator/(Bytes size, BytesPerSecond rate) { return Seconds(size.as_double() / rate.si()); }
constexpr BytesPerSecond operator/(Bytes size, Seconds time) { return BytesPerSecond(size.as_double() / time.si()); }
constexpr Joules operator*(Watts power, Seconds time) { return Joules(power.si() * time.si()); }
constexpr Joules operator*(Seconds time, Watts power) { return power * time; }
constexpr Watts operator/(Joules energy, Seconds time) { return Watts(energy.si() / time.si()); }

// Conversions that reports need, named by their unit so no factor hides in arithmetic.
constexpr double to_hours(Seconds t) { return t.si() / 3600.0; }
constexpr double to_days(Seconds t) { return t.si() / 86400.0; }
constexpr double to_kilowatt_hours(Joules e) { return e.si() / 3.6e6; }
constexpr double to_gib(Bytes b) { return b.as_double() / 1073741824.0; }
constexpr double to_gb(Bytes b) { return b.as_double() / 1e9; }
constexpr double to_tflops(FlopsPerSecond r) { return r.si() / 1e12; }
constexpr double to_gbps(BytesPerSecond r) { return r.si() / 1e9; }  // gigabytes per second

namespace literals {
// Decimal (GB) and binary (GiB) prefixes are different literals; no hidden factor of 1.024^n.
constexpr Bytes operator""_B(unsigned long long n) { return Bytes(static_cast<std::int64_t>(n)); }
constexpr Bytes operator""_KB(unsigned long long n) { return Bytes(static_cast<std::int64_t>(n) * 1000); }
constexpr Bytes operator""_MB(unsigned long long n) { return Bytes(static_cast<std::int64_t>(n) * 1000000); }
constexpr Bytes operator""_GB(unsigned long long n) { return Bytes(static_cast<std::int64_t>(n) * 1000000000); }
constexpr Bytes operator""_KiB(unsigned long long n) { return Bytes(static_cast<std::int64_t>(n) << 10); }
constexpr Bytes operator""_MiB(unsigned long long n) { return Bytes(static_cast<std::int64_t>(n) << 20); }
constexpr Bytes operator""_GiB(unsigned long long n) { return Bytes(static_cast<std::int64_t>(n) << 30); }
constexpr Seconds operator""_s(long double v) { return Seconds(static_cast<double>(v)); }
constexpr Seconds operator""_s(unsigned long long v) { return Seconds(static_cast<double>(v)); }
constexpr Seconds operator""_ms(long double v) { return Seconds(static_cast<double>(v) * 1e-3); }
constexpr Seconds operator""_ms(unsigned long long v) { return Seconds(static_cast<double>(v) * 1e-3); }
constexpr Seconds operator""_us(long double v) { return Seconds(static_cast<double>(v) * 1e-6); }
constexpr Seconds operator""_us(unsigned long long v) { return Seconds(static_cast<double>(v) * 1e-6); }
constexpr Flops operator""_GFLOP(long double v) { return Flops(static_cast<double>(v) * 1e9); }
constexpr Flops operator""_TFLOP(long double v) { return Flops(static_cast<double>(v) * 1e12); }
constexpr FlopsPerSecond operator""_TFLOPS(long double v) { return FlopsPerSecond(static_cast<double>(v) * 1e12); }
constexpr FlopsPerSecond operator""_TFLOPS(unsigned long long v) { return FlopsPerSecond(static_cast<double>(v) * 1e12); }
constexpr BytesPerSecond operator""_GBps(long double v) { return BytesPerSecond(static_cast<double>(v) * 1e9); }
constexpr BytesPerSecond operator""_GBps(unsigned long long v) { return BytesPerSecond(static_cast<double>(v) * 1e9); }
constexpr BytesPerSecond operator""_TBps(long double v) { return BytesPerSecond(static_cast<double>(v) * 1e12); }
constexpr BytesPerSecond operator""_Gbps(unsigned long long v) { return BytesPerSecond(static_cast<double>(v) * 1e9 / 8.0); }
constexpr Watts operator""_W(unsigned long long v) { return Watts(static_cast<double>(v)); }
}  // namespace literals

}  // namespace trainsim
