// The export-control comparison set: the same model and tokens on eight clusters, each with a
// plan that fits its memory.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "hardware/kernel_time_model.hpp"
#include "models/scenario.hpp"
#include "models/step_estimate.hpp"

namespace trainsim {
namespace {

TEST(ExportControls, EightClustersSameRunEachPlanFits) {
  const std::set<std::string> expected{"h800-sxm", "h100-sxm", "h20",  "a800-sxm",
                                       "a100-sxm", "h200-sxm", "b200", "ascend-910b"};
  std::set<std::string> gpus;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(TRAINSIM_SOURCE_DIR) + "/scenarios/export-controls")) {
    if (entry.path().extension() != ".json") continue;
    const auto s = load_scenario(entry.path().string());
    SCOPED_TRACE(s.file);
    gpus.insert(s.cluster.gpu.id);
    EXPECT_EQ(s.model.id, "deepseek-v3");
    EXPECT_EQ(s.cluster.gpu_count, 2048);
    ASSERT_EQ(s.phases.size(), 1U);
    double tokens = 0.0;
    for (const auto& seg : s.phases[0].segments) tokens += seg.total_tokens();
    EXPECT_DOUBLE_EQ(tokens, 14.8e12);  // DeepSeek-V3 sec.4.1: 14.8T tokens at sequence 4K, batch 15,360
    const auto& seg = s.phases[0].segments.front();
    EXPECT_EQ(seg.sequence_length, 4096);
    EXPECT_EQ(seg.global_batch_size, 15360);
    const auto step = estimate_step(s.model, s.cluster, seg.plan, kernel_model(s.cluster),
                                    {seg.sequence_length, seg.global_batch_size});
    EXPECT_TRUE(step.feasible()) << step.infeasible->detail;
  }
  EXPECT_EQ(gpus, expected);
}

}  // namespace
}  // namespace trainsim
