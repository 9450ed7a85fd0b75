// Numbers in text tables and charts: fixed notation, never e-notation, at the digits asked.
#include <gtest/gtest.h>

#include "reports/number_format.hpp"

namespace trainsim {
namespace {

TEST(NumberFormat, PlainNumbersNeverUseENotation) {
  EXPECT_EQ(plain_number(0.0000341), "0.0000341");
  EXPECT_EQ(plain_number(12.345), "12.3");
  EXPECT_EQ(plain_number(12345.0), "12345");  // integer digits beyond the three are kept
  EXPECT_EQ(plain_number(1.5e13), "15000000000000");
  EXPECT_EQ(plain_number(-0.25, 2), "-0.25");
  EXPECT_EQ(plain_number(0.0), "0");
  EXPECT_EQ(plain_number(99.96, 3), "100.0");  // rounding up keeps the decimals of the magnitude below
  for (const double v : {1e-9, 3.3e-7, 2.5e20, 123456789.0}) {
    EXPECT_EQ(plain_number(v).find('e'), std::string::npos) << v;
  }
}

}  // namespace
}  // namespace trainsim
