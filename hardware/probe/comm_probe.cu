// Transfers between GPUs of one machine: peer-to-peer copies from GPU 0 to each other GPU
// (NVLink or PCIe, whatever connects them) and, when the probe is built with NCCL, all-reduce
// and all-to-all over all GPUs (one process, one communicator per GPU).
#include <cstdio>
#include <string>

#include "hardware/probe/timing.cuh"

#ifdef TRAINSIM_PROBE_NCCL
#include <nccl.h>
#endif

namespace probe {
namespace {

constexpr std::size_t kBytes = std::size_t{256} << 20;

#ifdef TRAINSIM_PROBE_NCCL
void check_nccl(ncclResult_t status, const char* call, const char* file, int line) {
  if (status == ncclSuccess) return;
  std::fprintf(stderr, "trainsim-probe: %s failed at %s:%d: %s\n", call, file, line, ncclGetErrorString(status));
  std::exit(1);
}
#define PROBE_NCCL(call) check_nccl((call), #call, __FILE__, __LINE__)

std::vector<Measurement> nccl_collectives(int gpus, const Options& options) {
  std::vector<ncclComm_t> comms(static_cast<std::size_t>(gpus));
  std::vector<int> devices(static_cast<std::size_t>(gpus));
  for (int g = 0; g < gpus; ++g) devices[static_cast<std::size_t>(g)] = g;
  PROBE_NCCL(ncclCommInitAll(comms.data(), gpus, devices.data()));
  std::vector<cudaStream_t> streams(static_cast<std::size_t>(gpus));
  std::vector<DeviceBuffer> send;
  std::vector<DeviceBuffer> receive;
  for (int g = 0; g < gpus; ++g) {
    PROBE_CUDA(cudaSetDevice(g));
    PROBE_CUDA(cudaStreamCreate(&streams[static_cast<std::size_t>(g)]));
    send.emplace_back(kBytes);
    receive.emplace_back(kBytes);
    fill_random(send.back().get(), kBytes / 2, CUDA_R_16BF, 40U + static_cast<unsigned>(g), streams[static_cast<std::size_t>(g)]);
  }
  const auto wait_all = [&] {
    for (int g = 0; g < gpus; ++g) {
      PROBE_CUDA(cudaSetDevice(g));
      PROBE_CUDA(cudaStreamSynchronize(streams[static_cast<std::size_t>(g)]));
    }
  };
  wait_all();
  std::int64_t version = 0;
  {
    int v = 0;
    PROBE_NCCL(ncclGetVersion(&v));
    version = v;
  }
  std::vector<Measurement> out;
  for (const bool all_to_all : {false, true}) {
    Measurement m;
    m.kind = all_to_all ? "nccl_all_to_all" : "nccl_all_reduce";
    m.id = m.kind + "/" + std::to_string(gpus) + "gpus/256MiB";
    m.integer("gpus", gpus).integer("bytes", static_cast<std::int64_t>(kBytes)).integer("nccl_version", version);
    m.implementation = all_to_all ? "ncclSend/ncclRecv of bytes / gpus to every GPU, one group" : "ncclAllReduce, BF16 sum";
    m.timing = time_on_host(options, [&] {
      PROBE_NCCL(ncclGroupStart());
      for (int g = 0; g < gpus; ++g) {
        const auto i = static_cast<std::size_t>(g);
        if (!all_to_all) {
          PROBE_NCCL(ncclAllReduce(send[i].get(), receive[i].get(), kBytes / 2, ncclBfloat16, ncclSum, comms[i], streams[i]));
          continue;
        }
        const std::size_t chunk = kBytes / static_cast<std::size_t>(gpus);
        for (int peer = 0; peer < gpus; ++peer) {
          const auto offset = chunk * static_cast<std::size_t>(peer);
          PROBE_NCCL(ncclSend(send[i].as<char>() + offset, chunk, ncclChar, peer, comms[i], streams[i]));
          PROBE_NCCL(ncclRecv(receive[i].as<char>() + offset, chunk, ncclChar, peer, comms[i], streams[i]));
        }
      }
      PROBE_NCCL(ncclGroupEnd());
      wait_all();
    });
    out.push_back(m);
    std::fprintf(stderr, "trainsim-probe: %s %.1f us\n", m.id.c_str(), m.timing.median_s * 1e6);
  }
  for (int g = 0; g < gpus; ++g) {
    PROBE_CUDA(cudaSetDevice(g));
    PROBE_CUDA(cudaStreamDestroy(streams[static_cast<std::size_t>(g)]));
    PROBE_NCCL(ncclCommDestroy(comms[static_cast<std::size_t>(g)]));
  }
  PROBE_CUDA(cudaSetDevice(0));
  return out;
}
#endif

}  // namespace

std::vector<Measurement> probe_communication(int gpus, const Options& options) {
  std::vector<Measurement> out;
  if (gpus < 2) return out;
  PROBE_CUDA(cudaSetDevice(0));
  cudaStream_t stream = nullptr;
  PROBE_CUDA(cudaStreamCreate(&stream));
  DeviceBuffer source(kBytes);
  fill_random(source.get(), kBytes / 4, CUDA_R_32F, 50, stream);
  for (int peer = 1; peer < gpus; ++peer) {
    int can_access = 0;
    PROBE_CUDA(cudaDeviceCanAccessPeer(&can_access, 0, peer));
    PROBE_CUDA(cudaSetDevice(peer));
    DeviceBuffer target(kBytes);
    PROBE_CUDA(cudaSetDevice(0));
    if (can_access != 0) {
      const auto status = cudaDeviceEnablePeerAccess(peer, 0);
      if (status != cudaErrorPeerAccessAlreadyEnabled) PROBE_CUDA(status);
    }
    Measurement m;
    m.kind = "scale_up_transfer";
    m.id = "scale_up_transfer/gpu0-gpu" + std::to_string(peer) + "/256MiB";
    m.integer("bytes", static_cast<std::int64_t>(kBytes)).integer("peer", peer).flag("peer_access", can_access != 0);
    m.implementation = can_access != 0 ? "cudaMemcpyPeerAsync with peer access" : "cudaMemcpyPeerAsync staged through the host";
    m.timing = time_on_stream(stream, options, [&](int) {
      PROBE_CUDA(cudaMemcpyPeerAsync(target.get(), peer, source.get(), 0, kBytes, stream));
    });
    out.push_back(m);
    std::fprintf(stderr, "trainsim-probe: %s %.1f us\n", m.id.c_str(), m.timing.median_s * 1e6);
  }
  PROBE_CUDA(cudaStreamDestroy(stream));
#ifdef TRAINSIM_PROBE_NCCL
  const auto collectives = nccl_collectives(gpus, options);
  out.insert(out.end(), collectives.begin(), collectives.end());
#endif
  return out;
}

}  // namespace probe
