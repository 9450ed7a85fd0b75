#pragma once
// trainsim's GPU probe: shared declarations. The probe measures kernels and transfers on the
// GPUs of the machine it runs on and writes one JSON file of raw measurements with their
// provenance; `trainsim calibrate` turns that file into a calibration (hardware/README.md).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <cuda_runtime.h>

namespace probe {

inline constexpr const char* kProbeVersion = "1.2";

// Aborts with the failing call and its location: a probe that half-works would write a file
// that looks like a measurement and is not one.
void check_cuda(cudaError_t status, const char* call, const char* file, int line);
#define PROBE_CUDA(call) ::probe::check_cuda((call), #call, __FILE__, __LINE__)

struct Timing {
  double median_s = 0.0;
  double min_s = 0.0;
  double max_s = 0.0;
  int repeats = 0;
};

// One measurement: its class (a trainsim kernel class, or a transfer kind the calibration
// does not fit), its shape fields as JSON-encoded values, and its timing.
struct Measurement {
  std::string id;
  std::string kind;
  std::vector<std::pair<std::string, std::string>> fields;
  std::string implementation;
  Timing timing;

  Measurement& integer(const std::string& name, std::int64_t value);
  Measurement& flag(const std::string& name, bool value);
  Measurement& text(const std::string& name, const std::string& value);
};

struct Options {
  int warmup = 5;
  int repeats = 30;
  bool quick = false;  // a reduced grid, for a first look
};

// Everything a section needs about the device it runs on.
struct Device {
  int index = 0;
  cudaDeviceProp properties{};
  std::size_t free_bytes = 0;
};

std::vector<Measurement> probe_gemms(const Device& device, const Options& options);
std::vector<Measurement> probe_attention(const Device& device, const Options& options);
std::vector<Measurement> probe_memory(const Device& device, const Options& options);
// Peer-to-peer copies and, when built with NCCL, all-reduce and all-to-all over all GPUs.
std::vector<Measurement> probe_communication(int gpu_count, const Options& options);

std::string json_quote(const std::string& text);

}  // namespace probe
