#include "hardware/cluster_spec.hpp"

#include <algorithm>
#include <filesystem>

#include "core/scale_limits.hpp"
#include "hardware/gpu_catalog.hpp"

namespace trainsim {

std::string_view to_string(FabricTopology t) {
  switch (t) {
    case FabricTopology::fat_tree: return "fat_tree";
    case FabricTopology::rail_optimized: return "rail_optimized_fat_tree";
    case FabricTopology::multi_plane: return "multi_plane_fat_tree";
  }
  return "?";
}

std::int64_t ClusterSpec::nodes_per_leaf() const {
  const std::int64_t down = network.switch_radix / 2;
  if (network.topology == FabricTopology::fat_tree) return std::max<std::int64_t>(1, down / network.nics_per_node);
  return down;
}

BytesPerSecond ClusterSpec::nic_bandwidth_per_gpu() const {
  return network.nic_bandwidth * (static_cast<double>(network.nics_per_node) / static_cast<double>(gpus_per_node));
}

BytesPerSecond ClusterSpec::scale_up_bandwidth() const {
  return network.scale_up_bandwidth.value_or(gpu.scale_up.bandwidth_per_direction);
}

BytesPerSecond ClusterSpec::scale_up_bandwidth_to_one_peer() const {
  if (gpu.scale_up.topology == ScaleUpTopology::full_mesh && gpus_per_node > 1) {
    return scale_up_bandwidth() / static_cast<double>(gpus_per_node - 1);
  }
  return scale_up_bandwidth();
}

namespace {

NetworkSpec parse_network(ObjectReader r, std::int64_t gpus_per_node) {
  NetworkSpec n;
  n.topology = r.choice<FabricTopology>("topology", {{"fat_tree", FabricTopology::fat_tree},
                                                     {"rail_optimized_fat_tree", FabricTopology::rail_optimized},
                                                     {"multi_plane_fat_tree", FabricTopology::multi_plane}});
  n.nics_per_node = r.optional_integer("nics_per_node", 1, limits::kMaxGpusPerNode).value_or(gpus_per_node);
  n.nic_bandwidth = r.byte_rate("nic_bandwidth");
  n.switch_radix = r.optional_integer("switch_radix", 4, limits::kMaxGpus).value_or(64);
  n.oversubscription = r.optional_number("oversubscription", 1.0, 64.0).value_or(1.0);
  // Defaults: CPU-side end-to-end latency of a 64 B message measured by DeepSeek on H800 nodes
  // (ISCA'25 Table 5): IB 3.7 us across leaves, NVLink 3.33 us.
  n.scale_out_latency = r.optional_seconds("scale_out_latency").value_or(Seconds(3.7e-6));
  n.scale_up_latency = r.optional_seconds("scale_up_latency").value_or(Seconds(3.33e-6));
  n.scale_up_bandwidth = r.optional_byte_rate("scale_up_bandwidth");
  r.finish();
  return n;
}

}  // namespace

ClusterSpec parse_cluster_spec(ObjectReader& r, const std::string& base_dir) {
  ClusterSpec c;
  auto& diag = r.diagnostics();
  if (auto gpu = r.raw("gpu", true)) {
    if (gpu->node->is_string()) {
      const auto id = gpu->node->get<std::string>();
      if (const auto* spec = find_gpu(id)) {
        c.gpu = *spec;
      } else {
        diag.error(gpu->pointer, "unknown GPU \"" + id + "\"", "catalog GPUs: " + gpu_catalog_ids() + "; or give an object");
      }
    } else {
      ObjectReader inline_gpu(*gpu->node, gpu->pointer, diag);
      c.gpu = parse_gpu_spec(inline_gpu);
    }
  }
  c.gpu_count = r.integer("gpu_count", 1, limits::kMaxGpus);
  c.gpus_per_server = r.integer("gpus_per_node", 1, limits::kMaxGpusPerNode);
  const auto domain = r.optional_integer("gpus_per_nvlink_domain", 1, limits::kMaxGpusPerNode);
  c.gpus_per_node = domain.value_or(c.gpus_per_server);
  const auto domain_key = domain ? "gpus_per_nvlink_domain" : "gpus_per_node";
  c.network = parse_network(r.object("network"), c.gpus_per_server);
  if (c.gpus_per_server > 0 && c.gpus_per_node % c.gpus_per_server != 0) {
    diag.error(child_pointer(r.pointer(), "gpus_per_nvlink_domain"),
               "an NVLink domain of " + std::to_string(c.gpus_per_node) + " GPUs is not made of whole servers of " +
                   std::to_string(c.gpus_per_server),
               "a GB200 NVL72 domain is 18 servers (trays) of 4 GPUs: gpus_per_node 4, gpus_per_nvlink_domain 72");
  } else {
    c.network.nics_per_node *= c.gpus_per_node / std::max<std::int64_t>(1, c.gpus_per_server);
  }
  if (c.gpu_count > 0 && c.gpus_per_node > 0 && c.gpu_count % c.gpus_per_node != 0) {
    diag.error(child_pointer(r.pointer(), "gpu_count"), std::string("gpu_count must be a multiple of ") + domain_key);
  }
  if (!c.gpu.id.empty() && c.gpus_per_node > c.gpu.scale_up.domain_size) {
    diag.error(child_pointer(r.pointer(), domain_key),
               "an NVLink domain larger than the GPU's scale-up domain (" + std::to_string(c.gpu.scale_up.domain_size) + ")",
               "the GPUs that reach each other without the scale-out network: gpus_per_nvlink_domain, or gpus_per_node "
               "when a server is the domain");
  }

  if (auto host = r.optional_object("host")) {
    c.host.per_operation = host->optional_seconds("operation").value_or(c.host.per_operation);
    c.host.per_extra_launch = host->optional_seconds("extra_launch").value_or(c.host.per_extra_launch);
    c.host.per_graph_launch = host->optional_seconds("graph_launch").value_or(c.host.per_graph_launch);
    host->finish();
  }
  const auto label = r.optional_string("calibration").value_or(default_calibration_for(c.gpu.id));
  c.calibration_label = label.empty() ? "none" : label;
  if (!label.empty() && label != "none") {
    if (const auto* builtin = find_builtin_calibration(label)) {
      c.calibration = std::make_shared<const Calibration>(*builtin);
    } else if (label.find('/') != std::string::npos || label.ends_with(".json")) {
      const auto path = std::filesystem::path(label).is_absolute() ? std::filesystem::path(label)
                                                                    : std::filesystem::path(base_dir) / label;
      try {
        c.calibration = std::make_shared<const Calibration>(load_calibration_file(path.string()));
      } catch (const ConfigError& e) {
        for (const auto& issue : e.issues()) diag.add(issue);
      }
    } else {
      std::string names;
      for (const auto& n : builtin_calibration_names()) names += (names.empty() ? "" : ", ") + n;
      diag.error(child_pointer(r.pointer(), "calibration"), "unknown calibration \"" + label + "\"",
                 "built-in: " + names + "; or a path to a calibration JSON file; or \"none\"");
    }
  }
  r.finish();
  return c;
}

}  // namespace trainsim
