// Dense and batched GEMMs in BF16 and FP8 (E4M3, per-tensor and DeepSeek-V3's block-wise
// scaling) over the shapes of DeepSeek-V3, Llama 3 and GPT-3 layers (forward, data-gradient
// and weight-gradient shapes), the rows of DeepGEMM's published H800 table, and a square size
// sweep that exposes fixed costs.
#include <cstdio>
#include <string>
#include <vector>

#include "hardware/probe/lt_gemm.cuh"
#include "hardware/probe/timing.cuh"

namespace probe {
namespace {

struct NamedShape {
  const char* name;
  std::int64_t m, n, k, batch;
};

// m: tokens (or, for weight gradients, the input width), n: output width, k: reduction.
std::vector<NamedShape> gemm_grid(bool quick) {
  std::vector<NamedShape> grid = {
      // Square sweep: fixed costs show at the small end.
      {"square", 1024, 1024, 1024, 1},
      {"square", 2048, 2048, 2048, 1},
      {"square", 4096, 4096, 4096, 1},
      {"square", 8192, 8192, 8192, 1},
      // DeepSeek-V3 (hidden 7168; MLA ranks 1536 / 512+64; 128 heads; dense FFN 18432; experts
      // 2048), one 4K sequence.
      {"deepseek-v3.q_a", 4096, 1536, 7168, 1},
      {"deepseek-v3.q_kv_a", 4096, 2112, 7168, 1},
      {"deepseek-v3.kv_a", 4096, 576, 7168, 1},
      {"deepseek-v3.q_b", 4096, 24576, 1536, 1},
      {"deepseek-v3.kv_b", 4096, 32768, 512, 1},
      {"deepseek-v3.o", 4096, 7168, 16384, 1},
      {"deepseek-v3.dense_up", 4096, 36864, 7168, 1},
      {"deepseek-v3.dense_down", 4096, 7168, 18432, 1},
      {"deepseek-v3.shared_up", 4096, 4096, 7168, 1},
      {"deepseek-v3.shared_down", 4096, 7168, 2048, 1},
      {"deepseek-v3.dense_down.wgrad", 18432, 7168, 4096, 1},
      // Llama 3 8B (no TP) and 405B (TP8), 8K tokens.
      {"llama-3-8b.qkv", 8192, 6144, 4096, 1},
      {"llama-3-8b.up", 8192, 28672, 4096, 1},
      {"llama-3-8b.down", 8192, 4096, 14336, 1},
      {"llama-3-405b-tp8.qkv", 8192, 2304, 16384, 1},
      {"llama-3-405b-tp8.o", 8192, 16384, 2048, 1},
      {"llama-3-405b-tp8.up", 8192, 13312, 16384, 1},
      {"llama-3-405b-tp8.down", 8192, 16384, 6656, 1},
      {"llama-3-405b-tp8.up.wgrad", 16384, 13312, 8192, 1},
      // GPT-3 175B (TP8), 2K tokens.
      {"gpt-3-tp8.qkv", 2048, 4608, 12288, 1},
      {"gpt-3-tp8.up", 2048, 6144, 12288, 1},
      {"gpt-3-tp8.down", 2048, 12288, 6144, 1},
      // MoE experts as equal groups (DeepSeek-V3 shapes: up N 4096 K 7168, down N 7168 K 2048).
      {"moe.up", 8192, 4096, 7168, 4},
      {"moe.down", 8192, 7168, 2048, 4},
      {"moe.up", 4096, 4096, 7168, 8},
      {"moe.down", 4096, 7168, 2048, 8},
      {"moe.up", 1024, 4096, 7168, 8},
      // The small-M rows of DeepGEMM's normal-GEMM table (its M 4096 rows are DeepSeek-V3's
      // shapes above), so that FP8 rates compare with it row by row.
      {"deepgemm", 64, 2112, 7168, 1},
      {"deepgemm", 64, 24576, 1536, 1},
      {"deepgemm", 64, 32768, 512, 1},
      {"deepgemm", 64, 7168, 16384, 1},
      {"deepgemm", 64, 4096, 7168, 1},
      {"deepgemm", 64, 7168, 2048, 1},
      {"deepgemm", 128, 2112, 7168, 1},
      {"deepgemm", 128, 24576, 1536, 1},
      {"deepgemm", 128, 32768, 512, 1},
      {"deepgemm", 128, 7168, 16384, 1},
      {"deepgemm", 128, 4096, 7168, 1},
      {"deepgemm", 128, 7168, 2048, 1},
  };
  if (quick) grid.resize(8);
  return grid;
}

}  // namespace

std::vector<Measurement> probe_gemms(const Device& device, const Options& options) {
  std::vector<Measurement> out;
  const LtSession session;
  const cudaStream_t stream = session.stream();
  const std::size_t budget = device.free_bytes / 2;

  for (const Fp8Scaling scaling : {Fp8Scaling::none, Fp8Scaling::tensor, Fp8Scaling::blockwise}) {
    const bool fp8 = scaling != Fp8Scaling::none;
    if (fp8 && device.properties.major * 10 + device.properties.minor < 89) continue;  // no FP8 tensor cores
    for (const auto& g : gemm_grid(options.quick)) {
      const GemmShape shape{g.m, g.n, g.k, g.batch, scaling};
      const std::string kind = std::string(g.batch > 1 ? "grouped_gemm_" : "gemm_") + (fp8 ? "fp8" : "bf16");
      const std::string id = kind + "/" + (fp8 ? std::string(scaling_name(scaling)) + "/" : "") + g.name + "/" +
                             std::to_string(g.m) + "x" + std::to_string(g.n) + "x" + std::to_string(g.k) +
                             (g.batch > 1 ? "x" + std::to_string(g.batch) : "");
      const std::size_t output_bytes = shape.d_elements() * 2;
      if (shape.input_bytes() + output_bytes > budget) {
        std::fprintf(stderr, "trainsim-probe: skipping %s: needs more memory than half of what is free\n", id.c_str());
        continue;
      }
      const int copies = rotation_copies(shape.input_bytes(), device.properties, budget - output_bytes);
      const cudaDataType type = fp8 ? CUDA_R_8F_E4M3 : CUDA_R_16BF;
      std::vector<DeviceBuffer> a;
      std::vector<DeviceBuffer> b;
      for (int c = 0; c < copies; ++c) {
        a.emplace_back(shape.a_elements() * (fp8 ? 1 : 2));
        b.emplace_back(shape.b_elements() * (fp8 ? 1 : 2));
        fill_random(a.back().get(), shape.a_elements(), type, 2U * static_cast<unsigned>(c) + 1U, stream);
        fill_random(b.back().get(), shape.b_elements(), type, 2U * static_cast<unsigned>(c) + 2U, stream);
      }
      DeviceBuffer d(output_bytes);
      const LtGemm gemm(session, shape);
      if (!gemm.usable()) {
        std::fprintf(stderr, "trainsim-probe: skipping %s: %s\n", id.c_str(), gemm.why().c_str());
        continue;
      }
      if (const auto status = gemm.launch(a[0].get(), b[0].get(), d.get()); status != CUBLAS_STATUS_SUCCESS) {
        std::fprintf(stderr, "trainsim-probe: skipping %s: cuBLASLt refused its first launch (status %d)\n", id.c_str(),
                     static_cast<int>(status));
        continue;
      }
      Measurement m;
      m.id = id;
      m.kind = kind;
      m.integer("m", g.m).integer("n", g.n).integer("k", g.k).integer("groups", g.batch);
      if (fp8) m.text("scaling", scaling_name(scaling));
      m.implementation = g.batch > 1 ? "cuBLASLt strided batched matmul (equal groups), TN, BF16 out, FP32 accumulate"
                                     : "cuBLASLt matmul, TN, BF16 out, FP32 accumulate";
      if (scaling == Fp8Scaling::tensor) m.implementation += ", E4M3 inputs with per-tensor scales";
      if (scaling == Fp8Scaling::blockwise) {
        m.implementation += ", E4M3 inputs with a scale per 1x128 activation tile (VEC128_32F) and per 128x128 weight block (BLK128x128_32F)";
      }
      m.timing = time_on_stream(stream, options, [&](int i) {
        const auto c = static_cast<std::size_t>(i % copies);
        gemm.run(a[c].get(), b[c].get(), d.get());
      });
      out.push_back(m);
      std::fprintf(stderr, "trainsim-probe: %s %.1f us\n", id.c_str(), m.timing.median_s * 1e6);
    }
  }
  return out;
}

}  // namespace probe
