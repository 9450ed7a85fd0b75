// trainsim-probe: measures the GPU it runs on and writes one JSON file of raw measurements
// with their provenance. Usage: trainsim-probe -o probe.json [--quick] [--repeats N]
// [--warmup N] [--skip-communication]. Then: trainsim calibrate probe.json -o calibration.json
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>

#include <cublasLt.h>

#include "hardware/probe/probe.hpp"

#ifdef TRAINSIM_PROBE_NCCL
#include <nccl.h>
#endif

namespace probe {

std::string json_quote(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

Measurement& Measurement::integer(const std::string& name, std::int64_t value) {
  fields.emplace_back(name, std::to_string(value));
  return *this;
}
Measurement& Measurement::flag(const std::string& name, bool value) {
  fields.emplace_back(name, value ? "true" : "false");
  return *this;
}
Measurement& Measurement::text(const std::string& name, const std::string& value) {
  fields.emplace_back(name, json_quote(value));
  return *this;
}

namespace {

std::string microseconds(double seconds) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "\"%.3fus\"", seconds * 1e6);
  return buffer;
}

std::string version_text(int encoded) {  // 12040 -> "12.4"
  return std::to_string(encoded / 1000) + "." + std::to_string((encoded % 1000) / 10);
}

// The kernel module's version ("580.159.04"), which the CUDA API does not give; "unknown" where
// the driver publishes no /proc file.
std::string driver_module_version() {
  std::ifstream file("/proc/driver/nvidia/version");
  std::string word;
  while (file >> word) {
    if (!word.empty() && std::isdigit(static_cast<unsigned char>(word[0])) != 0 && word.find('.') != std::string::npos) return word;
  }
  return "unknown";
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

std::string provenance(const Device& d, int gpus) {
  int driver = 0;
  int runtime = 0;
  PROBE_CUDA(cudaDriverGetVersion(&driver));
  PROBE_CUDA(cudaRuntimeGetVersion(&runtime));
  int clock_khz = 0;
  int memory_clock_khz = 0;
  PROBE_CUDA(cudaDeviceGetAttribute(&clock_khz, cudaDevAttrClockRate, d.index));
  PROBE_CUDA(cudaDeviceGetAttribute(&memory_clock_khz, cudaDevAttrMemoryClockRate, d.index));
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  const auto& p = d.properties;
  std::string nccl = "not built with NCCL";
#ifdef TRAINSIM_PROBE_NCCL
  int nccl_version = 0;
  if (ncclGetVersion(&nccl_version) == ncclSuccess) nccl = std::to_string(nccl_version);
#endif
  const auto field = [](const char* name, const std::string& value, bool last = false) {
    return std::string("    ") + json_quote(name) + ": " + json_quote(value) + (last ? "\n" : ",\n");
  };
  return "  \"provenance\": {\n" + field("gpu_name", p.name) + field("sm_count", std::to_string(p.multiProcessorCount)) +
         field("compute_capability", std::to_string(p.major) + "." + std::to_string(p.minor)) +
         field("clocks", "SM max " + std::to_string(clock_khz / 1000) + " MHz, memory " + std::to_string(memory_clock_khz / 1000) + " MHz") +
         field("memory", std::to_string(p.totalGlobalMem) + " bytes, L2 " + std::to_string(p.l2CacheSize) + " bytes") +
         field("driver", "kernel module " + driver_module_version() + ", CUDA driver API " + version_text(driver)) + field("cuda", "runtime " + version_text(runtime)) +
         field("cublaslt", std::to_string(cublasLtGetVersion())) + field("nccl", nccl) +
         field("gpu_count", std::to_string(gpus)) + field("host", host) + field("date", utc_now()) +
         field("probe_version", kProbeVersion, true) + "  },\n";
}

std::string to_json(const Measurement& m) {
  std::string out = "    {\"id\": " + json_quote(m.id) + ", \"class\": " + json_quote(m.kind);
  for (const auto& [name, value] : m.fields) out += ", " + json_quote(name) + ": " + value;
  out += ", \"implementation\": " + json_quote(m.implementation);
  out += ", \"median\": " + microseconds(m.timing.median_s) + ", \"min\": " + microseconds(m.timing.min_s) +
         ", \"max\": " + microseconds(m.timing.max_s) + ", \"repeats\": " + std::to_string(m.timing.repeats) + "}";
  return out;
}

int usage(const char* argv0) {
  std::fprintf(stderr, "usage: %s -o FILE [--quick] [--repeats N] [--warmup N] [--skip-communication]\n", argv0);
  return 2;
}

}  // namespace
}  // namespace probe

int main(int argc, char** argv) {
  using namespace probe;
  Options options;
  std::string output;
  bool communication = true;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if ((arg == "-o" || arg == "--output") && has_value) {
      output = argv[++i];
    } else if (arg == "--quick") {
      options.quick = true;
    } else if (arg == "--repeats" && has_value) {
      options.repeats = std::atoi(argv[++i]);
    } else if (arg == "--warmup" && has_value) {
      options.warmup = std::atoi(argv[++i]);
    } else if (arg == "--skip-communication") {
      communication = false;
    } else {
      return usage(argv[0]);
    }
  }
  if (output.empty() || options.repeats < 1 || options.warmup < 0) return usage(argv[0]);

  int gpus = 0;
  PROBE_CUDA(cudaGetDeviceCount(&gpus));
  if (gpus < 1) {
    std::fprintf(stderr, "trainsim-probe: no CUDA device\n");
    return 1;
  }
  Device device;
  PROBE_CUDA(cudaSetDevice(0));
  PROBE_CUDA(cudaGetDeviceProperties(&device.properties, 0));
  std::size_t total = 0;
  PROBE_CUDA(cudaMemGetInfo(&device.free_bytes, &total));

  std::vector<Measurement> all;
  for (const auto& section : {probe_gemms(device, options), probe_attention(device, options), probe_memory(device, options)}) {
    all.insert(all.end(), section.begin(), section.end());
  }
  if (communication) {
    const auto comm = probe_communication(gpus, options);
    all.insert(all.end(), comm.begin(), comm.end());
  }

  std::string json = "{\n  \"schema_version\": 1,\n  \"probe_version\": " + json_quote(kProbeVersion) + ",\n";
  json += provenance(device, gpus);
  json += "  \"timing\": " + json_quote("CUDA events around each repeat after " + std::to_string(options.warmup) +
                                        " warm-up launches; median of " + std::to_string(options.repeats) +
                                        " repeats; random inputs rotated to miss L2") + ",\n";
  json += "  \"measurements\": [\n";
  for (std::size_t i = 0; i < all.size(); ++i) json += to_json(all[i]) + (i + 1 < all.size() ? ",\n" : "\n");
  json += "  ]\n}\n";
  const std::string temporary = output + ".partial";
  {
    std::ofstream file(temporary);
    file << json;
    if (!file) {
      std::fprintf(stderr, "trainsim-probe: cannot write %s\n", temporary.c_str());
      return 1;
    }
  }
  if (std::rename(temporary.c_str(), output.c_str()) != 0) {
    std::fprintf(stderr, "trainsim-probe: cannot rename %s to %s\n", temporary.c_str(), output.c_str());
    return 1;
  }
  std::fprintf(stderr, "trainsim-probe: %zu measurements written to %s\n", all.size(), output.c_str());
  return 0;
}
