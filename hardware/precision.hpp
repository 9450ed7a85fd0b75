#pragma once
// Numeric formats of tensor-core arithmetic and of tensors in memory.
#include <string_view>

namespace trainsim {

enum class Precision { fp64, fp32, tf32, bf16, fp8, int8 };

// Bytes per element of a tensor stored in this format (tf32 is stored as fp32).
constexpr int bytes_per_element(Precision p) {
  switch (p) {
    case Precision::fp64: return 8;
    case Precision::fp32: return 4;
    case Precision::tf32: return 4;
    case Precision::bf16: return 2;
    case Precision::fp8: return 1;
    case Precision::int8: return 1;
  }
  return 0;
}

// Operand bit length as the export-control TPP metric counts it (88 FR 73458, 3A090 notes).
constexpr int tpp_bit_length(Precision p) {
  switch (p) {
    case Precision::fp64: return 64;
    case Precision::fp32: return 32;
    case Precision::tf32: return 32;
    case Precision::bf16: return 16;
    case Precision::fp8: return 8;
    case Precision::int8: return 8;
  }
  return 0;
}

constexpr std::string_view to_string(Precision p) {
  switch (p) {
    case Precision::fp64: return "fp64";
    case Precision::fp32: return "fp32";
    case Precision::tf32: return "tf32";
    case Precision::bf16: return "bf16";
    case Precision::fp8: return "fp8";
    case Precision::int8: return "int8";
  }
  return "?";
}

}  // namespace trainsim
