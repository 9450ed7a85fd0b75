// Flow-level contention against analytic bounds (../shared/reference/simgrid-3.32-notes.md:
// a 64-GPU all-to-all on 8 nodes takes 56 S / B; an oversubscribed uplink slows it by the
// bottleneck ratio), and the collective lowering against the alpha-beta prices.
#include <gtest/gtest.h>

#include <functional>

#include "hardware/gpu_catalog.hpp"
#include "sim/backend.hpp"
#include "sim/child_process.hpp"
#include "sim/collective_lowering.hpp"

namespace trainsim {
namespace {

ClusterSpec cluster(FabricTopology topology, std::int64_t radix, double oversubscription) {
  ClusterSpec c;
  c.gpu = *find_gpu("h100-sxm");
  c.gpu_count = 64;
  c.gpus_per_node = 8;
  c.network.topology = topology;
  c.network.nics_per_node = 8;
  c.network.nic_bandwidth = BytesPerSecond(50e9);
  c.network.switch_radix = radix;
  c.network.oversubscription = oversubscription;
  c.network.scale_out_latency = Seconds(0);
  c.network.scale_up_latency = Seconds(0);
  return c;
}

// Every GPU sends `bytes` to every other GPU at once (a flat all-to-all).
Workload all_to_all(int gpus, Bytes bytes) {
  Workload w;
  w.labels = {"a2a"};
  for (int r = 0; r < gpus; ++r) {
    RankProgram rank;
    rank.global_rank = r;
    rank.items.push_back({ItemKind::forward, 0, 0});
    Op op;
    op.kind = OpKind::exchange;
    for (int peer = 0; peer < gpus; ++peer) {
      if (peer == r) continue;
      rank.flows.push_back({peer, bytes, Channel::expert, true, -1});
      rank.flows.push_back({peer, bytes, Channel::expert, false, -1});
    }
    op.flow_count = static_cast<std::uint32_t>(rank.flows.size());
    rank.streams[static_cast<std::size_t>(StreamId::collective)].push_back(op);
    w.ranks.push_back(std::move(rank));
  }
  return w;
}

double simgrid_makespan(const Workload& w, const Topology& t) {
  return std::stod(run_in_child_process([&] { return std::to_string(make_simgrid_backend()->run(w, t).makespan.si()); }));
}

TEST(Contention, AllToAllIsNicBound) {
  const auto c = cluster(FabricTopology::rail_optimized, 64, 1.0);
  const Topology t(c, 1.0, 1.0);
  auto w = all_to_all(64, Bytes(2'000'000));
  w.link_capacity_scale.assign(t.links().size(), 1.0);
  ASSERT_EQ(check_workload(w), "");
  // 56 remote peers x 2 MB through one 50 GB/s NIC; NVLink (450 GB/s) carries 7 x 2 MB.
  const double bound = 56 * 2e6 / 50e9;
  EXPECT_NEAR(simgrid_makespan(w, t), bound, bound * 0.02);
  EXPECT_NEAR(make_analytic_backend()->run(w, t).makespan.si(), bound, bound * 1e-9);
}

TEST(Contention, OversubscribedUplinkSlowsByTheBottleneckRatio) {
  // Radix 64, whole nodes per leaf (plain fat tree): 4 nodes per leaf, so the 8 nodes use two
  // leaves. Each GPU sends to the 32 GPUs under the other leaf: 32 x 32 x 2 MB cross each
  // leaf's up-link, whose capacity is 32 NICs x 50 GB/s / 4.
  const auto c = cluster(FabricTopology::fat_tree, 64, 4.0);
  const Topology t(c, 1.0, 1.0);
  auto w = all_to_all(64, Bytes(2'000'000));
  w.link_capacity_scale.assign(t.links().size(), 1.0);
  const double uplink_bound = 32.0 * 32.0 * 2e6 / (32.0 * 50e9 / 4.0);
  const double nic_bound = 56 * 2e6 / 50e9;
  ASSERT_GT(uplink_bound, nic_bound * 2);  // the uplink, not the NIC, is the bottleneck
  EXPECT_NEAR(simgrid_makespan(w, t), uplink_bound, uplink_bound * 0.02);
}

// Each GPU runs its exchange steps one after another on its collective stream.
Workload collective(int gpus, const std::function<std::vector<ExchangeStep>(std::int32_t)>& steps_of, const Topology& t) {
  Workload w;
  w.labels = {"collective"};
  for (std::int32_t r = 0; r < gpus; ++r) {
    RankProgram rank;
    rank.global_rank = r;
    rank.items.push_back({ItemKind::forward, 0, 0});
    for (const auto& step : steps_of(r)) {
      Op op;
      op.kind = OpKind::exchange;
      op.extra_latency = step.extra_latency;
      op.flow_begin = static_cast<std::uint32_t>(rank.flows.size());
      for (const auto& f : step.flows) rank.flows.push_back({f.peer, f.bytes, Channel::data, f.outgoing, -1});
      op.flow_count = static_cast<std::uint32_t>(rank.flows.size()) - op.flow_begin;
      rank.streams[static_cast<std::size_t>(StreamId::collective)].push_back(op);
    }
    w.ranks.push_back(std::move(rank));
  }
  w.link_capacity_scale.assign(t.links().size(), 1.0);
  return w;
}

TEST(Collectives, AllReduceRunsAtItsAlphaBetaPriceByRingOrTree) {
  // 8 nodes of 8 H100, one all-reduce over all 64 GPUs. A large tensor goes by ring; a small
  // one by double binary tree across nodes, whose 2 x 4 hops beat the ring's 2 x 7.
  auto c = cluster(FabricTopology::rail_optimized, 64, 1.0);
  c.network.scale_out_latency = Seconds(20e-6);
  c.network.scale_up_latency = Seconds(3e-6);
  const Topology t(c, 1.0, 1.0);
  ParallelPlan plan;
  plan.data = 64;
  const RankLayout ranks(plan, Fidelity::full);
  LinkRates rates;
  rates.scale_up = c.scale_up_bandwidth_to_one_peer();
  rates.scale_out = c.nic_bandwidth_per_gpu();
  rates.scale_up_latency = c.network.scale_up_latency;
  rates.scale_out_latency = c.network.scale_out_latency;
  const CollectiveContext ctx{ranks, t, rates};
  const GroupLayout layout{64, 8, false};
  const CommunicationModel comm(plan, c, rates);
  EXPECT_EQ(comm.layout(CommGroup::data).ranks, 64);
  EXPECT_EQ(comm.layout(CommGroup::data).ranks_per_node, 8);
  for (const Bytes total : {Bytes(4'000'000'000), Bytes(8'000'000)}) {
    const auto step = comm.collective(Collective::all_reduce, CommGroup::data, total);
    const auto w = collective(64, [&](std::int32_t self) { return exchange_steps(step, self, ctx); }, t);
    ASSERT_EQ(check_workload(w), "");
    const double price = comm.time(step).si();
    EXPECT_NEAR(simgrid_makespan(w, t), price, price * 0.03) << total.count();
  }
  EXPECT_EQ(choose_collective(Collective::all_reduce, CommGroup::data, Bytes(4'000'000'000), layout, rates).algorithm,
            CollectiveAlgorithm::ring);
  EXPECT_EQ(choose_collective(Collective::all_reduce, CommGroup::data, Bytes(8'000'000), layout, rates).algorithm,
            CollectiveAlgorithm::double_binary_tree);
}

TEST(Topology, RoutesArePathsInTheGraph) {
  for (const auto fabric : {FabricTopology::fat_tree, FabricTopology::rail_optimized, FabricTopology::multi_plane}) {
    const Topology t(cluster(fabric, 8, 1.0), 1.0, 1.0);  // radix 8: several leaves
    const auto& g = t.graph();
    for (const int src : {0, 3, 9, 63}) {
      for (const int dst : {1, 12, 40, 62}) {
        // Every link of the route is an edge of the graph, and consecutive links meet.
        std::size_t previous_target = t.gpu_vertex(src);
        bool reached_nic = false;
        for (const int link : t.route(src, dst)) {
          bool found = false;
          for (auto [e, end] = boost::edges(g); e != end; ++e) {
            if (g[*e].link != link) continue;
            found = true;
            const auto source = boost::source(*e, g);
            const bool meets = source == previous_target ||
                               (g[source].kind == VertexKind::nic && !reached_nic);  // GPU -> its NIC is free
            EXPECT_TRUE(meets) << to_string(t.links()[static_cast<std::size_t>(link)].kind);
            reached_nic = reached_nic || g[source].kind == VertexKind::nic;
            previous_target = boost::target(*e, g);
          }
          EXPECT_TRUE(found);
        }
        // The route ends at the destination GPU, or at its NIC, which reaches the GPU over the
        // node's PCIe switch (an edge without a modelled link).
        const bool at_gpu = previous_target == t.gpu_vertex(dst);
        const bool at_its_nic = boost::edge(previous_target, t.gpu_vertex(dst), g).second && g[previous_target].kind == VertexKind::nic;
        EXPECT_TRUE(at_gpu || at_its_nic) << src << "->" << dst;
      }
    }
  }
}

TEST(Topology, PlanesDoNotMeet) {
  const Topology t(cluster(FabricTopology::multi_plane, 64, 1.0), 1.0, 1.0);
  // GPU 0 (plane 0) to GPU 9 (node 1, plane 1): over NVLink to GPU 1, then plane 1's fabric.
  const auto route = t.route(0, 9);
  ASSERT_GE(route.size(), 4U);
  EXPECT_EQ(t.links()[static_cast<std::size_t>(route[0])].kind, LinkKind::scale_up_out);
  EXPECT_EQ(t.links()[static_cast<std::size_t>(route[1])].kind, LinkKind::scale_up_in);
  EXPECT_EQ(t.links()[static_cast<std::size_t>(route[2])].name, "nic1_out");
}

}  // namespace
}  // namespace trainsim
