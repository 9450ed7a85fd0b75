#include "core/units.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace trainsim {
namespace {
using namespace literals;

TEST(Units, CrossDimensionArithmetic) {
  EXPECT_DOUBLE_EQ((Bytes(50'000'000'000) / BytesPerSecond(50e9)).si(), 1.0);
  EXPECT_DOUBLE_EQ((Flops(989.4e12) / FlopsPerSecond(989.4e12)).si(), 1.0);
  EXPECT_DOUBLE_EQ((FlopsPerSecond(2e12) * Seconds(3)).si(), 6e12);
  EXPECT_DOUBLE_EQ((Watts(700) * Seconds(3600)).si(), 2.52e6);
  EXPECT_DOUBLE_EQ(to_kilowatt_hours(Watts(1000) * Seconds(3600)), 1.0);
}

TEST(Units, DecimalAndBinaryPrefixesDiffer) {
  EXPECT_EQ((80_GB).count(), 80'000'000'000);
  EXPECT_EQ((80_GiB).count(), 85'899'345'920);
  EXPECT_DOUBLE_EQ(to_gib(1_GiB), 1.0);
  EXPECT_DOUBLE_EQ((400_Gbps).si(), 50e9);  // bits: 400 Gb/s is 50 GB/s
}

TEST(Units, BytesRoundExplicitly) {
  EXPECT_EQ(Bytes::rounded(2.5).count(), 3);
  EXPECT_EQ(Bytes(7392).scaled(3.5).count(), 25872);
  EXPECT_EQ(Bytes(10).shard(3).count(), 4);  // a shard never holds less than its share
  EXPECT_DOUBLE_EQ(Bytes(3) / Bytes(4), 0.75);
}

TEST(Units, BytesArithmeticNeverWraps) {
  const Bytes half_range(std::int64_t{1} << 62);
  EXPECT_THROW(half_range + half_range, SizeOverflow);
  EXPECT_THROW(half_range * 2, SizeOverflow);
  EXPECT_THROW(Bytes(-half_range.count()) - half_range - half_range, SizeOverflow);
  EXPECT_THROW(Bytes::rounded(1e19), SizeOverflow);
  EXPECT_EQ((half_range - Bytes(1) + half_range).count(), std::numeric_limits<std::int64_t>::max());
}

TEST(Units, QuantitiesCompareAndAccumulate) {
  Seconds t = 1.5_s;
  t += 500_ms;
  EXPECT_DOUBLE_EQ(t.si(), 2.0);
  EXPECT_LT(2.5_us, 3_us);
  EXPECT_DOUBLE_EQ(max(1_s, 2_s).si(), 2.0);
  EXPECT_DOUBLE_EQ(Seconds(3) / Seconds(2), 1.5);
}

}  // namespace
}  // namespace trainsim
