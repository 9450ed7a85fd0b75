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

// Eight BF16 values in one 16-byte load or store: training's fused kernels move memory in
// 16-byte vectors, and scalar BF16 accesses would measure the probe, not the memory.
struct alignas(16) Bf16x8 {
  __nv_bfloat162 pair[4];
};

__device__ void unpack(const Bf16x8& v, float* out) {
  for (int i = 0; i < 4; ++i) {
    const float2 f = __bfloat1622float2(v.pair[i]);
    out[2 * i] = f.x;
    out[2 * i + 1] = f.y;
  }
}

__device__ Bf16x8 pack(const float* in) {
  Bf16x8 v;
  for (int i = 0; i < 4; ++i) v.pair[i] = __floats2bfloat162_rn(in[2 * i], in[2 * i + 1]);
  return v;
}

constexpr int kNormThreads = 128;
constexpr int kNormVectorsPerThread = 16;  // hidden up to 128 * 16 * 8 = 16384

// One block per token, the row held in registers: residual += x; y = residual *
// rsqrt(mean(residual^2)) * weight. Reads x and residual once, writes residual and y once.
__global__ void add_rmsnorm(const Bf16x8* __restrict__ x, Bf16x8* __restrict__ residual, const Bf16x8* __restrict__ weight,
                            Bf16x8* __restrict__ y, std::int64_t vectors_per_row) {
  __shared__ float partial[kNormThreads / 32];
  const std::int64_t base = blockIdx.x * vectors_per_row;
  float row[kNormVectorsPerThread][8];
  float sum = 0.0f;
#pragma unroll
  for (int v = 0; v < kNormVectorsPerThread; ++v) {
    const std::int64_t j = threadIdx.x + static_cast<std::int64_t>(v) * kNormThreads;
    if (j >= vectors_per_row) break;
    float a[8];
    unpack(x[base + j], a);
    unpack(residual[base + j], row[v]);
    for (int i = 0; i < 8; ++i) {
      row[v][i] += a[i];
      sum += row[v][i] * row[v][i];
    }
    residual[base + j] = pack(row[v]);
  }
  for (int offset = 16; offset > 0; offset /= 2) sum += __shfl_down_sync(0xffffffffU, sum, offset);
  if (threadIdx.x % 32 == 0) partial[threadIdx.x / 32] = sum;
  __syncthreads();
  float total = 0.0f;
  for (int w = 0; w < kNormThreads / 32; ++w) total += partial[w];
  const float inverse = rsqrtf(total / static_cast<float>(vectors_per_row * 8) + 1e-6f);
#pragma unroll
  for (int v = 0; v < kNormVectorsPerThread; ++v) {
    const std::int64_t j = threadIdx.x + static_cast<std::int64_t>(v) * kNormThreads;
    if (j >= vectors_per_row) break;
    float w[8];
    unpack(weight[j], w);
    for (int i = 0; i < 8; ++i) row[v][i] *= inverse * w[i];
    y[base + j] = pack(row[v]);
  }
}

// out = silu(gate) * up, gate and up side by side in each row of `in`, eight values a thread.
__global__ void swiglu(const Bf16x8* __restrict__ in, Bf16x8* __restrict__ out, std::int64_t rows, std::int64_t vectors_per_row) {
  const std::int64_t count = rows * vectors_per_row;
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    const std::int64_t row = i / vectors_per_row;
    const std::int64_t col = i % vectors_per_row;
    float gate[8];
    float up[8];
    unpack(in[row * 2 * vectors_per_row + col], gate);
    unpack(in[row * 2 * vectors_per_row + vectors_per_row + col], up);
    for (int k = 0; k < 8; ++k) gate[k] = gate[k] / (1.0f + __expf(-gate[k])) * up[k];
    out[i] = pack(gate);
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

  // Fused add + RMSNorm over DeepSeek-V3's and Llama 3 405B's hidden sizes, and short ones (a
  // TP8 shard of 4096 tokens, Llama 3 8B's 4096) where a fixed cost shows.
  for (const auto& shape : {std::pair<std::int64_t, std::int64_t>{512, 4096}, {512, 7168}, {2048, 4096}, {4096, 7168},
                            {16384, 7168}, {8192, 16384}}) {
    const std::int64_t tokens = shape.first;
    const std::int64_t hidden = shape.second;
    const auto elements = static_cast<std::size_t>(tokens * hidden);
    DeviceBuffer x(elements * 2), residual(elements * 2), y(elements * 2), weight(static_cast<std::size_t>(hidden) * 2);
    fill_random(x.get(), elements, CUDA_R_16BF, 21, stream);
    fill_random(residual.get(), elements, CUDA_R_16BF, 22, stream);
    fill_random(weight.get(), static_cast<std::size_t>(hidden), CUDA_R_16BF, 23, stream);
    auto m = record("add_rmsnorm", std::to_string(tokens) + "x" + std::to_string(hidden),
                    "fused residual add + RMSNorm, one block per token, row in registers, 16-byte accesses", 2 * elements * 2,
                    2 * elements * 2);
    m.integer("tokens", tokens).integer("hidden", hidden);
    m.timing = time_on_stream(stream, options, [&](int) {
      add_rmsnorm<<<static_cast<unsigned>(tokens), kNormThreads, 0, stream>>>(x.as<Bf16x8>(), residual.as<Bf16x8>(), weight.as<Bf16x8>(),
                                                                              y.as<Bf16x8>(), hidden / 8);
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
    auto m = record("swiglu", std::to_string(tokens) + "x" + std::to_string(width), "elementwise SiLU(gate) * up, 16-byte accesses",
                    2 * elements * 2, elements * 2);
    m.integer("tokens", tokens).integer("width", width);
    m.timing = time_on_stream(stream, options, [&](int) {
      swiglu<<<grid_for(props), kThreads, 0, stream>>>(in.as<Bf16x8>(), result.as<Bf16x8>(), tokens, width / 8);
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
