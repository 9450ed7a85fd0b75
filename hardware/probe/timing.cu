#include "hardware/probe/timing.cuh"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <cuda_bf16.h>
#include <cuda_fp8.h>

namespace probe {

void check_cuda(cudaError_t status, const char* call, const char* file, int line) {
  if (status == cudaSuccess) return;
  std::fprintf(stderr, "trainsim-probe: %s failed at %s:%d: %s\n", call, file, line, cudaGetErrorString(status));
  std::exit(1);
}

namespace {

Timing summarise(std::vector<double> seconds) {
  std::sort(seconds.begin(), seconds.end());
  Timing t;
  t.repeats = static_cast<int>(seconds.size());
  const auto n = seconds.size();
  t.median_s = n % 2 == 1 ? seconds[n / 2] : 0.5 * (seconds[n / 2 - 1] + seconds[n / 2]);
  t.min_s = seconds.front();
  t.max_s = seconds.back();
  return t;
}

// splitmix64 of (seed, index): a cheap, well-mixed value per element.
__device__ float random_unit(unsigned seed, std::size_t index) {
  unsigned long long z = (static_cast<unsigned long long>(seed) << 40) ^ index;
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<float>(z >> 40) / static_cast<float>(1ULL << 24) * 2.0f - 1.0f;  // [-1, 1)
}

template <typename T>
__global__ void fill_kernel(T* out, std::size_t count, unsigned seed) {
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    out[i] = T(random_unit(seed, i));
  }
}

}  // namespace

Timing time_on_stream(cudaStream_t stream, const Options& options, const std::function<void(int)>& launch) {
  for (int i = 0; i < options.warmup; ++i) launch(i);
  std::vector<cudaEvent_t> events(2 * static_cast<std::size_t>(options.repeats));
  for (auto& e : events) PROBE_CUDA(cudaEventCreate(&e));
  for (int i = 0; i < options.repeats; ++i) {
    PROBE_CUDA(cudaEventRecord(events[2 * i], stream));
    launch(i);
    PROBE_CUDA(cudaEventRecord(events[2 * i + 1], stream));
  }
  PROBE_CUDA(cudaStreamSynchronize(stream));
  PROBE_CUDA(cudaGetLastError());
  std::vector<double> seconds;
  for (int i = 0; i < options.repeats; ++i) {
    float ms = 0.0f;
    PROBE_CUDA(cudaEventElapsedTime(&ms, events[2 * i], events[2 * i + 1]));
    seconds.push_back(static_cast<double>(ms) * 1e-3);
  }
  for (auto& e : events) PROBE_CUDA(cudaEventDestroy(e));
  return summarise(seconds);
}

Timing time_on_host(const Options& options, const std::function<void()>& launch_and_wait) {
  for (int i = 0; i < options.warmup; ++i) launch_and_wait();
  std::vector<double> seconds;
  for (int i = 0; i < options.repeats; ++i) {
    const auto start = std::chrono::steady_clock::now();
    launch_and_wait();
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return summarise(seconds);
}

void fill_random(void* data, std::size_t count, cudaDataType type, unsigned seed, cudaStream_t stream) {
  constexpr int kThreads = 256;
  constexpr int kBlocks = 1024;
  switch (type) {
    case CUDA_R_16BF: fill_kernel<<<kBlocks, kThreads, 0, stream>>>(static_cast<__nv_bfloat16*>(data), count, seed); break;
    case CUDA_R_8F_E4M3: fill_kernel<<<kBlocks, kThreads, 0, stream>>>(static_cast<__nv_fp8_e4m3*>(data), count, seed); break;
    case CUDA_R_32F: fill_kernel<<<kBlocks, kThreads, 0, stream>>>(static_cast<float*>(data), count, seed); break;
    default: std::fprintf(stderr, "trainsim-probe: fill_random: unsupported type\n"); std::exit(1);
  }
  PROBE_CUDA(cudaGetLastError());
}

DeviceBuffer::DeviceBuffer(std::size_t bytes) { PROBE_CUDA(cudaMalloc(&data_, std::max<std::size_t>(bytes, 256))); }
DeviceBuffer::~DeviceBuffer() {
  if (data_ != nullptr) cudaFree(data_);  // no check: a destructor must not exit mid-unwind
}
DeviceBuffer::DeviceBuffer(DeviceBuffer&& other) noexcept : data_(other.data_) { other.data_ = nullptr; }
DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& other) noexcept {
  std::swap(data_, other.data_);  // `other` frees what this held
  return *this;
}

int rotation_copies(std::size_t bytes, const cudaDeviceProp& properties, std::size_t budget_bytes) {
  const std::size_t l2 = static_cast<std::size_t>(std::max(properties.l2CacheSize, 1));
  std::size_t copies = (2 * l2 + bytes - 1) / std::max<std::size_t>(bytes, 1) + 1;
  copies = std::min<std::size_t>(copies, 8);
  while (copies > 1 && copies * bytes > budget_bytes) --copies;
  return static_cast<int>(copies);
}

}  // namespace probe
