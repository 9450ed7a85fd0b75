#include "hardware/gpu_catalog.hpp"

#include <gtest/gtest.h>

namespace trainsim {
namespace {

TEST(GpuCatalog, HoldsTheIssueListWithSources) {
  for (const char* id : {"a100-sxm", "a800-sxm", "h100-sxm", "h800-sxm", "h20", "h200-sxm", "b200", "ascend-910b",
                         "ascend-910c", "mi300x"}) {
    const auto* gpu = find_gpu(id);
    ASSERT_NE(gpu, nullptr) << id;
    EXPECT_FALSE(gpu->sources.empty()) << id;
    EXPECT_TRUE(gpu->peak(Precision::bf16).has_value()) << id;
  }
  EXPECT_EQ(find_gpu("h900"), nullptr);
}

TEST(GpuCatalog, CarriesTheReferenceFigures) {
  // ../shared/reference/hardware.json: dense peaks, NVLink per direction.
  const auto& h800 = *find_gpu("h800-sxm");
  EXPECT_DOUBLE_EQ(to_tflops(*h800.peak(Precision::bf16)), 989.4);
  EXPECT_DOUBLE_EQ(to_tflops(*h800.peak(Precision::fp8)), 1978.9);
  EXPECT_DOUBLE_EQ(to_gbps(h800.scale_up.bandwidth_per_direction), 200.0);
  EXPECT_EQ(h800.sm_count, 132);
  // CUDA-reported total of an 80GB H800 (DeepSeek's profile trace).
  EXPECT_EQ(h800.memory_capacity.count(), 84'943'110'144);
  const auto& a100 = *find_gpu("a100-sxm");
  EXPECT_FALSE(a100.peak(Precision::fp8).has_value());  // no FP8 tensor cores
  EXPECT_EQ(a100.memory_capacity.count(), 80LL << 30);
  const auto& h20 = *find_gpu("h20");
  EXPECT_DOUBLE_EQ(to_tflops(*h20.peak(Precision::bf16)), 148.0);
  EXPECT_FALSE(h20.unverified.empty());  // secondary sources stay marked
}

TEST(GpuCatalog, IdsAreUnique) {
  std::set<std::string> ids;
  for (const auto& gpu : gpu_catalog()) EXPECT_TRUE(ids.insert(gpu.id).second) << gpu.id;
  EXPECT_GE(gpu_catalog().size(), 10U);
}

}  // namespace
}  // namespace trainsim
