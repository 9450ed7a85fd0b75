#include "core/unit_parser.hpp"

#include <gtest/gtest.h>

namespace trainsim {
namespace {

TEST(UnitParser, ReadsEachDimension) {
  EXPECT_DOUBLE_EQ(parse_flop_rate("989TFLOPS").si(), 989e12);
  EXPECT_DOUBLE_EQ(parse_flop_rate("1978.9TOPS").si(), 1978.9e12);
  EXPECT_DOUBLE_EQ(parse_byte_rate("50GBps").si(), 50e9);
  EXPECT_DOUBLE_EQ(parse_byte_rate("50GB/s").si(), 50e9);
  EXPECT_DOUBLE_EQ(parse_byte_rate("400Gbps").si(), 50e9);
  EXPECT_DOUBLE_EQ(parse_seconds("2.5us").si(), 2.5e-6);
  EXPECT_DOUBLE_EQ(parse_seconds("19.926s").si(), 19.926);
  EXPECT_DOUBLE_EQ(parse_seconds("3h").si(), 10800.0);
  EXPECT_EQ(parse_bytes("80GiB").count(), 80LL << 30);
  EXPECT_EQ(parse_bytes("1.5TB").count(), 1'500'000'000'000LL);
  EXPECT_EQ(parse_bytes("7392B").count(), 7392);
  EXPECT_DOUBLE_EQ(parse_watts("10.2kW").si(), 10200.0);
  EXPECT_DOUBLE_EQ(parse_bytes("2 KiB").as_double(), 2048.0);  // one space is allowed
}

void expect_error(const std::function<void()>& parse, const std::string& message_part, const std::string& hint_part) {
  try {
    parse();
    FAIL() << "expected a UnitParseError";
  } catch (const UnitParseError& e) {
    EXPECT_NE(std::string(e.what()).find(message_part), std::string::npos) << e.what();
    EXPECT_NE(e.hint().find(hint_part), std::string::npos) << e.hint();
  }
}

TEST(UnitParser, RejectsWhatWouldBeAGuess) {
  expect_error([] { parse_bytes("80"); }, "has no unit", "GiB");
  expect_error([] { parse_byte_rate("50"); }, "has no unit", "Gbps");
  expect_error([] { parse_seconds("2.5"); }, "has no unit", "us");
  expect_error([] { parse_flop_rate("989TB"); }, "unknown unit", "TFLOPS");
  expect_error([] { parse_seconds("3 weeks"); }, "unknown time unit", "min");
  expect_error([] { parse_bytes("GB"); }, "does not start with a number", "80GiB");
  expect_error([] { parse_bytes("-5GB"); }, "", "");
  expect_error([] { parse_bytes("0.5B"); }, "whole number of bytes", "");
}

TEST(UnitParser, QuantitiesAreFiniteAndRatesPositive) {
  expect_error([] { parse_byte_rate("0Gbps"); }, "not a positive rate", "400Gbps");
  expect_error([] { parse_flop_rate("0TFLOPS"); }, "not a positive rate", "TFLOPS");
  expect_error([] { parse_watts("0W"); }, "not a positive rate", "700W");
  expect_error([] { parse_byte_rate("1e308EBps"); }, "beyond the range of a double", "");
  expect_error([] { parse_seconds("1e308d"); }, "beyond the range of a double", "");
  expect_error([] { parse_bytes("1e308EB"); }, "", "");
  EXPECT_DOUBLE_EQ(parse_seconds("0s").si(), 0.0);  // a latency or overhead may be zero
  EXPECT_EQ(parse_bytes("0B").count(), 0);
}

TEST(UnitParser, CountsAsPeopleWriteThem) {
  EXPECT_DOUBLE_EQ(parse_count("15T"), 15e12);
  EXPECT_DOUBLE_EQ(parse_count("500B"), 500e9);  // billions, as in "500B tokens"
  EXPECT_DOUBLE_EQ(parse_count("4M"), 4e6);
  EXPECT_DOUBLE_EQ(parse_count("2k"), 2e3);
  EXPECT_DOUBLE_EQ(parse_count("1.5e13"), 1.5e13);
  EXPECT_DOUBLE_EQ(parse_count("8192"), 8192.0);
  expect_error([] { parse_count("15 tokens"); }, "unknown suffix", "15T");
  expect_error([] { parse_count("15GiB"); }, "unknown suffix", "15T");
  expect_error([] { parse_count("T"); }, "is not a count", "15T");
  expect_error([] { parse_count("-3"); }, "is not a count", "");
  expect_error([] { parse_count("1e308T"); }, "beyond the range", "");
}

}  // namespace
}  // namespace trainsim
