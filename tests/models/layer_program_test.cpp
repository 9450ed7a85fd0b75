// The two-stream execution of layer programs that the closed form shares with the engine:
// hand-computed timelines on one compute and one communication stream.
#include <gtest/gtest.h>

#include "models/layer_program.hpp"

namespace trainsim {
namespace {

Segment compute(double seconds) { return {false, LayerPart::attention, Seconds(seconds), nullptr, "c", false}; }
Segment comm(double seconds, bool overlaps_next = false) {
  return {true, LayerPart::attention, Seconds(seconds), nullptr, "x", overlaps_next};
}

TEST(LayerProgram, CommunicationWaitsForAndBlocksItsChain) {
  LayerProgram p;
  p.forward = {compute(1), comm(3), compute(2), compute(1)};
  EXPECT_DOUBLE_EQ(two_stream_time(forward_units({&p})).si(), 7.0);
}

TEST(LayerProgram, OverlappingCommunicationRunsBesideTheNextSegment) {
  // Ring attention: [1] then [ring 3 | blocks 2] then [last block 1] = 1 + max(3, 2) + 1.
  LayerProgram p;
  p.forward = {compute(1), comm(3, true), compute(2), compute(1)};
  EXPECT_DOUBLE_EQ(two_stream_time(forward_units({&p})).si(), 5.0);
  // Blocks longer than the ring: 1 + max(3, 4) + 1.
  p.forward[2] = compute(4);
  EXPECT_DOUBLE_EQ(two_stream_time(forward_units({&p})).si(), 6.0);
}

TEST(LayerProgram, AWaitPassesOnThroughBackToBackOverlaps) {
  // Userbuffers' bulk pair: [gather 3 | data gradient 1], then [scatter 1 | weight gradient 5].
  // The scatter waits for the gather, and so does the weight gradient beside it, which reads
  // the gathered input: both start at 3, and 3 + max(1, 5) = 8 (starting the weight gradient
  // at 1, after the data gradient alone, would give 6).
  LayerProgram p;
  p.forward = {comm(3, true), compute(1), comm(1, true), compute(5)};
  EXPECT_DOUBLE_EQ(two_stream_time(forward_units({&p})).si(), 8.0);
}

TEST(LayerProgram, OverlappedPairAlternatesBackwardAndForwardSegments) {
  // Units B c3, F c1, B x, F x, B c4, F c2. Compute stream: B 0-2, F 2-3; communication:
  // B 2-4, F 4-6; compute again: B 4-6 (after its exchange), F 6-7 (after its exchange).
  LayerProgram f;
  f.forward = {compute(1), comm(2), compute(1)};
  LayerProgram b;
  b.backward = {compute(2), comm(2), compute(2)};
  const auto units = pair_units({&f}, {&b});
  ASSERT_EQ(units.size(), 6U);
  EXPECT_TRUE(units[0].backward_chain);
  EXPECT_FALSE(units[1].backward_chain);
  EXPECT_DOUBLE_EQ(two_stream_time(units).si(), 7.0);
}

TEST(LayerProgram, WeightGradientsFollowTheLastSegmentOfTheirPart) {
  LayerProgram b;
  b.backward = {compute(2), comm(1), compute(1)};
  b.backward[2].part = LayerPart::mlp;
  b.weight[static_cast<std::size_t>(LayerPart::attention)] = Seconds(0.5);
  b.weight[static_cast<std::size_t>(LayerPart::mlp)] = Seconds(0.25);
  const auto with = backward_units({&b}, true);
  ASSERT_EQ(with.size(), 5U);
  EXPECT_EQ(with[1].segment, nullptr);
  EXPECT_EQ(with[1].weight_part, LayerPart::attention);
  EXPECT_EQ(with[4].weight_part, LayerPart::mlp);
  EXPECT_EQ(backward_units({&b}, false).size(), 3U);
  // 2 + 0.5 (the exchange waits for the attention weights on the chain) + 1 + 1 + 0.25.
  EXPECT_DOUBLE_EQ(two_stream_time(with).si(), 4.75);
}

}  // namespace
}  // namespace trainsim
