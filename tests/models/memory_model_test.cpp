#include <gtest/gtest.h>

#include "models/memory_model.hpp"
#include "models/schedule_traits.hpp"

namespace trainsim {
namespace {

PipelineLayout one_chunk() {
  PipelineLayout l;
  l.chunks.resize(1);
  l.chunks_of_rank = {{0}};
  return l;
}

TEST(MemoryModel, ZeroStagesShardWhatTheySay) {
  ParallelPlan p;
  p.data = 8;
  p.expert = 1;
  p.memory_overhead = Bytes(0);
  p.gradient_precision = Precision::fp32;
  p.optimizer_moment_precision = Precision::fp32;
  ChunkCost c;
  c.parameters = 800;
  c.saved_activations = Bytes(1000);
  const auto layout = one_chunk();
  const std::vector<ChunkCost> chunks{c};
  // 800 parameters: BF16 weights 2 B, FP32 gradients 4 B, master + two moments 12 B.
  p.zero_stage = 0;
  auto m = rank_memory(p, layout, chunks, 0, 4);
  EXPECT_EQ(m.weights.count(), 1600);
  EXPECT_EQ(m.gradients.count(), 3200);
  EXPECT_EQ(m.optimizer_states.count(), 9600);
  p.zero_stage = 1;
  m = rank_memory(p, layout, chunks, 0, 4);
  EXPECT_EQ(m.optimizer_states.count(), 1200);
  EXPECT_EQ(m.gradients.count(), 3200);
  p.zero_stage = 2;
  m = rank_memory(p, layout, chunks, 0, 4);
  EXPECT_EQ(m.gradients.count(), 400);
  p.zero_stage = 3;
  m = rank_memory(p, layout, chunks, 0, 4);
  EXPECT_EQ(m.weights.count(), 200);
  // One pipeline rank with 1F1B keeps pp - r = 1 micro-batch in flight.
  EXPECT_EQ(m.activations.count(), 1000);
}

TEST(MemoryModel, ActivationsInFlightPerSchedule) {
  using V = std::vector<double>;
  ParallelPlan p;
  p.pipeline = 8;
  p.schedule = Schedule::one_f_one_b;
  EXPECT_EQ(schedule_traits(p.schedule).in_flight(p, {0}, 0, 64), V{8.0});
  EXPECT_EQ(schedule_traits(p.schedule).in_flight(p, {7}, 7, 64), V{1.0});
  EXPECT_EQ(schedule_traits(p.schedule).in_flight(p, {0}, 0, 4), V{4.0});  // never more than it processes
  p.schedule = Schedule::gpipe;
  EXPECT_EQ(schedule_traits(p.schedule).in_flight(p, {3}, 3, 64), V{64.0});
  // DualPipe rank 3 holds chunk 3 of the downward copy and chunk 4 of the upward one:
  // 5 + 4 = pp + 1 (Table 2), the upward chunk nearer its path's end holding fewer.
  p.schedule = Schedule::dualpipe;
  EXPECT_EQ(schedule_traits(p.schedule).in_flight(p, {3, 4}, 3, 64), (V{5.0, 4.0}));
  // Rank 0 holds the first chunk and the last (the head's) with a single micro-batch.
  EXPECT_EQ(schedule_traits(p.schedule).in_flight(p, {0, 7}, 0, 64), (V{8.0, 1.0}));
  p.schedule = Schedule::dualpipe_v;
  EXPECT_EQ(schedule_traits(p.schedule).in_flight(p, {0, 15}, 0, 64), (V{16.0, 1.0}));
  // Megatron's interleaved warm-up on rank 0: 2 x 7 + 8 + 1 = 23 forwards, in groups of 8.
  p.schedule = Schedule::interleaved_1f1b;
  p.virtual_stages = 2;
  EXPECT_EQ(schedule_traits(p.schedule).in_flight(p, {0, 8}, 0, 64), (V{15.0, 8.0}));
  EXPECT_EQ(schedule_traits(p.schedule).in_flight(p, {7, 15}, 7, 64), (V{8.0, 1.0}));
}

}  // namespace
}  // namespace trainsim
