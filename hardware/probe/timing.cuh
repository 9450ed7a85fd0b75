#pragma once
// Timing and input helpers shared by the probe's sections: CUDA events around every repeat,
// the median of the repeats, and buffers of random values rotated between repeats so that no
// repeat finds its inputs in L2 (never zeros: some kernels run faster on them).
#include <functional>
#include <vector>

#include <cuda_runtime.h>
#include <library_types.h>

#include "hardware/probe/probe.hpp"

namespace probe {

// `warmup` untimed launches, then `repeats` launches each between two events on `stream`.
// `launch(i)` enqueues repeat i (warm-up launches get i = 0..warmup-1 too).
Timing time_on_stream(cudaStream_t stream, const Options& options, const std::function<void(int)>& launch);

// Host wall time of `repeats` launches that synchronise themselves (multi-GPU collectives).
Timing time_on_host(const Options& options, const std::function<void()>& launch_and_wait);

// Fills `count` elements of `type` (BF16, FP8 E4M3 or FP32) with values in [-1, 1).
void fill_random(void* data, std::size_t count, cudaDataType type, unsigned seed, cudaStream_t stream);

// Device buffer freed on scope exit.
class DeviceBuffer {
 public:
  explicit DeviceBuffer(std::size_t bytes);
  ~DeviceBuffer();
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& other) noexcept;
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept;
  [[nodiscard]] void* get() const { return data_; }
  template <typename T>
  [[nodiscard]] T* as() const { return static_cast<T*>(data_); }

 private:
  void* data_ = nullptr;
};

// How many copies of a working set of `bytes` make repeats miss L2 (at least twice its size
// in all), within a memory budget.
int rotation_copies(std::size_t bytes, const cudaDeviceProp& properties, std::size_t budget_bytes);

}  // namespace probe
