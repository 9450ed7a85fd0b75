// Memory bandwidth (device copy, read, write over a size sweep), memory-bound kernels shaped
// like a fused residual-add + RMSNorm and a SwiGLU, and host-device copies from pinned memory.
// Each record carries the bytes it moved (read + written), the quantity trainsim's
// memory-bound class is fitted on.
#include <cstdio>
#include <string>

#include <cuda_bf16.h>

#include "hardware/probe/timing.cuh"

namespace probe {
namespace {

constexpr int kThreads = 256;

__global__ void read_kernel(const uint4* in, std::size_t count, unsigned* sink) {
  unsigned acc = 0;
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const uint4 v = in[i];
    acc ^= v.x ^ v.y ^ v.z ^ v.w;
  }
  if (acc == 0x9E3779B9U) sink[0] = acc;  // keeps the loads; practically never taken
}

__global__ void write_kernel(uint4* out, std::size_t count) {
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    out[i] = make_uint4(static_cast<unsigned>(i), 1U, 2U, 3U);
  }
}

// One block per token: residual += x; y = residual * rsqrt(mean(residual^2)) * weight.
__global__ void add_rmsnorm(const __nv_bfloat16* x, __nv_bfloat16* residual, const __nv_bfloat16* weight,
                            __nv_bfloat16* y, std::int64_t hidden) {
  __shared__ float partial[kThreads];
  const std::int64_t base = blockIdx.x * hidden;
  float sum = 0.0f;
  for (std::int64_t j = threadIdx.x; j < hidden; j += kThreads) {
    const float r = __bfloat162float(residual[base + j]) + __bfloat162float(x[base + j]);
    residual[base + j] = __float2bfloat16(r);
    sum += r * r;
  }
  partial[threadIdx.x] = sum;
  __syncthreads();
  for (int stride = kThreads / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) partial[threadIdx.x] += partial[threadIdx.x + stride];
    __syncthreads();
  }
  const float inverse = rsqrtf(partial[0] / static_cast<float>(hidden) + 1e-6f);
  for (std::int64_t j = threadIdx.x; j < hidden; j += kThreads) {
    y[base + j] = __float2bfloat16(__bfloat162float(residual[base + j]) * inverse * __bfloat162float(weight[j]));
  }
}

// out = silu(gate) * up, gate and up side by side in each row of `in`.
__global__ void swiglu(const __nv_bfloat16* in, __nv_bfloat16* out, std::int64_t rows, std::int64_t width) {
  const std::int64_t count = rows * width;
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    const std::int64_t row = i / width;
    const std::int64_t col = i % width;
    const float gate = __bfloat162float(in[row * 2 * width + col]);
    const float up = __bfloat162float(in[row * 2 * width + width + col]);
    out[i] = __float2bfloat16(gate / (1.0f + __expf(-gate)) * up);
  }
}

unsigned grid_for(const cudaDeviceProp& p) { return static_cast<unsigned>(p.multiProcessorCount) * 8U; }

Measurement record(const std::string& kernel, const std::string& size, const std::string& implementation, std::size_t read,
                   std::size_t written) {
  Measurement m;
  m.id = "memory_bound/" + kernel + "/" + size;
  m.kind = "memory_bound";
  m.implementation = implementation;
  m.text("kernel", kernel).integer("bytes_read", static_cast<std::int64_t>(read)).integer("bytes_written", static_cast<std::int64_t>(written));
  return m;
}

void report(const Measurement& m) { std::fprintf(stderr, "trainsim-probe: %s %.1f us\n", m.id.c_str(), m.timing.median_s * 1e6); }

}  // namespace

std::vector<Measurement> probe_memory(const Device& device, const Options& options) {
  std::vector<Measurement> out;
  cudaStream_t stream = nullptr;
  PROBE_CUDA(cudaStreamCreate(&stream));
  const auto& props = device.properties;
  DeviceBuffer sink(sizeof(unsigned));

  for (const std::size_t bytes : {std::size_t{1} << 20, std::size_t{16} << 20, std::size_t{256} << 20, std::size_t{1} << 30}) {
    if (options.quick && bytes < (std::size_t{256} << 20)) continue;
    const int copies = rotation_copies(bytes, props, device.free_bytes / 4);
    std::vector<DeviceBuffer> src;
    for (int c = 0; c < copies; ++c) {
      src.emplace_back(bytes);
      fill_random(src.back().get(), bytes / 4, CUDA_R_32F, 7U + static_cast<unsigned>(c), stream);
    }
    DeviceBuffer dst(bytes);
    const auto size = std::to_string(bytes >> 20) + "MiB";
    auto copy = record("copy", size, "cudaMemcpyAsync device to device", bytes, bytes);
    copy.timing = time_on_stream(stream, options, [&](int i) {
      PROBE_CUDA(cudaMemcpyAsync(dst.get(), src[static_cast<std::size_t>(i % copies)].get(), bytes, cudaMemcpyDeviceToDevice, stream));
    });
    auto read = record("read", size, "vectorised 16-byte loads", bytes, 0);
    read.timing = time_on_stream(stream, options, [&](int i) {
      read_kernel<<<grid_for(props), kThreads, 0, stream>>>(src[static_cast<std::size_t>(i % copies)].as<uint4>(), bytes / 16, sink.as<unsigned>());
    });
    auto write = record("write", size, "vectorised 16-byte stores", 0, bytes);
    write.timing = time_on_stream(stream, options, [&](int) {
      write_kernel<<<grid_for(props), kThreads, 0, stream>>>(dst.as<uint4>(), bytes / 16);
    });
    for (const auto* m : {&copy, &read, &write}) {
      out.push_back(*m);
      report(*m);
    }
  }

  // Fused add + RMSNorm over DeepSeek-V3's and Llama 3 405B's hidden sizes.
  for (const auto& shape : {std::pair<std::int64_t, std::int64_t>{4096, 7168}, {16384, 7168}, {8192, 16384}}) {
    const std::int64_t tokens = shape.first;
    const std::int64_t hidden = shape.second;
    const auto elements = static_cast<std::size_t>(tokens * hidden);
    DeviceBuffer x(elements * 2), residual(elements * 2), y(elements * 2), weight(static_cast<std::size_t>(hidden) * 2);
    fill_random(x.get(), elements, CUDA_R_16BF, 21, stream);
    fill_random(residual.get(), elements, CUDA_R_16BF, 22, stream);
    fill_random(weight.get(), static_cast<std::size_t>(hidden), CUDA_R_16BF, 23, stream);
    auto m = record("add_rmsnorm", std::to_string(tokens) + "x" + std::to_string(hidden),
                    "fused residual add + RMSNorm, one block per token", 2 * elements * 2, 2 * elements * 2);
    m.integer("tokens", tokens).integer("hidden", hidden);
    m.timing = time_on_stream(stream, options, [&](int) {
      add_rmsnorm<<<static_cast<unsigned>(tokens), kThreads, 0, stream>>>(x.as<__nv_bfloat16>(), residual.as<__nv_bfloat16>(),
                                                                          weight.as<__nv_bfloat16>(), y.as<__nv_bfloat16>(), hidden);
    });
    out.push_back(m);
    report(m);
  }

  // SwiGLU over DeepSeek-V3's dense FFN and Llama 3 8B's.
  for (const auto& shape : {std::pair<std::int64_t, std::int64_t>{4096, 18432}, {8192, 14336}}) {
    const std::int64_t tokens = shape.first;
    const std::int64_t width = shape.second;
    const auto elements = static_cast<std::size_t>(tokens * width);
    DeviceBuffer in(elements * 2 * 2), result(elements * 2);
    fill_random(in.get(), 2 * elements, CUDA_R_16BF, 31, stream);
    auto m = record("swiglu", std::to_string(tokens) + "x" + std::to_string(width), "elementwise SiLU(gate) * up",
                    2 * elements * 2, elements * 2);
    m.integer("tokens", tokens).integer("width", width);
    m.timing = time_on_stream(stream, options, [&](int) {
      swiglu<<<grid_for(props), kThreads, 0, stream>>>(in.as<__nv_bfloat16>(), result.as<__nv_bfloat16>(), tokens, width);
    });
    out.push_back(m);
    report(m);
  }

  // Host to device and back, from pinned memory.
  constexpr std::size_t kHostBytes = std::size_t{256} << 20;
  void* host = nullptr;
  PROBE_CUDA(cudaMallocHost(&host, kHostBytes));
  DeviceBuffer device_copy(kHostBytes);
  for (const bool to_device : {true, false}) {
    Measurement m;
    m.kind = to_device ? "host_to_device" : "device_to_host";
    m.id = m.kind + "/256MiB";
    m.integer("bytes", static_cast<std::int64_t>(kHostBytes));
    m.implementation = "cudaMemcpyAsync, pinned host memory";
    m.timing = time_on_stream(stream, options, [&](int) {
      PROBE_CUDA(cudaMemcpyAsync(to_device ? device_copy.get() : host, to_device ? host : device_copy.get(), kHostBytes,
                                 to_device ? cudaMemcpyHostToDevice : cudaMemcpyDeviceToHost, stream));
    });
    out.push_back(m);
    report(m);
  }
  PROBE_CUDA(cudaFreeHost(host));
  PROBE_CUDA(cudaStreamDestroy(stream));
  return out;
}

}  // namespace probe
