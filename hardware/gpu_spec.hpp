#pragma once
// One accelerator's datasheet figures, each traceable to the sources listed with it.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/json_reader.hpp"
#include "core/units.hpp"
#include "hardware/precision.hpp"

namespace trainsim {

// How the GPUs of one node (or scale-up domain) reach each other.
enum class ScaleUpTopology {
  switched,   // NVSwitch-like: full per-direction bandwidth to any peer
  full_mesh,  // point-to-point links: the bandwidth is split evenly over the peers
  pcie,       // no scale-up fabric: peers talk over the host PCIe link
};

struct ScaleUpSpec {
  ScaleUpTopology topology = ScaleUpTopology::switched;
  int domain_size = 8;                     // GPUs reachable without the scale-out network
  BytesPerSecond bandwidth_per_direction;  // per GPU, all links together, one direction
  std::string technology;
};

struct GpuPrices {
  std::optional<double> purchase_usd;
  std::optional<double> rental_usd_per_gpu_hour;
};

struct GpuSpec {
  std::string id;
  std::string name;
  std::string vendor;
  int year = 0;
  char confidence = 'U';  // V vendor/primary, S secondary, U unverified
  std::map<Precision, FlopsPerSecond> dense_peak;  // a precision absent here is unsupported
  Bytes memory_capacity;
  // The capacity as the vendor's datasheet writes it ("80GB", whose GB is 2^30 bytes for HBM
  // and is more than what CUDA reports); shown by `trainsim hardware`, never computed with.
  std::string memory_capacity_marketed;
  BytesPerSecond memory_bandwidth;
  ScaleUpSpec scale_up;
  BytesPerSecond io_bandwidth_bidirectional;  // all chip I/O except memory (Oct-2022 rule)
  std::optional<int> sm_count;
  std::optional<Watts> tdp;
  std::optional<double> die_area_mm2;
  GpuPrices prices;
  std::vector<std::string> unverified;
  std::vector<std::string> sources;
  std::string notes;

  // Dense tensor-core peak in this precision, or nullopt where the hardware lacks it.
  [[nodiscard]] std::optional<FlopsPerSecond> peak(Precision p) const;
};

// Reads one GPU description (catalog entry or inline scenario definition).
GpuSpec parse_gpu_spec(ObjectReader& reader);

}  // namespace trainsim
