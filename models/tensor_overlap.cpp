#include "models/tensor_overlap.hpp"

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace trainsim {

double userbuffer_gemm_sm_share(const GpuSpec& gpu) {
  if (!gpu.sm_count || *gpu.sm_count <= kUserbufferCommunicationSms) return 1.0;
  return static_cast<double>(*gpu.sm_count - kUserbufferCommunicationSms) / static_cast<double>(*gpu.sm_count);
}

namespace {

const CollectiveStep* collective_of(const LayerStep& s) { return std::get_if<CollectiveStep>(&s.work); }

// A step of a GEMM input's FP8 quantization (LayerBuilder::scaled_cast: the cast, and under
// per-tensor current scaling its amax and the amax's all-reduce), which userbuffers run on
// this rank's shard, ahead of the gather; recomputed ones too.
bool quantizes_input(const LayerStep& s) {
  std::string_view name = s.name;
  if (constexpr std::string_view again = ".recompute"; name.ends_with(again)) name.remove_suffix(again.size());
  for (const char* suffix : {".cast", ".cast_grad", ".amax", ".amax_reduce"}) {
    if (name.ends_with(suffix)) return true;
  }
  return false;
}

// A dense GEMM step (grouped GEMMs are experts' and never overlapped).
KernelStep* dense_gemm(LayerStep& s) {
  auto* k = std::get_if<KernelStep>(&s.work);
  return k != nullptr && is_gemm(k->kernel.kind) && k->kernel.gemm.groups == 1 ? k : nullptr;
}

// A GEMM step split along its rows into `parts` chunks: one chunk, and the other parts - 1 as
// one step (back-to-back chunks of one GEMM, each reading the whole weight).
struct RowChunks {
  LayerStep one;
  LayerStep rest;
};
RowChunks split_rows(const LayerStep& s, std::int64_t parts) {
  const auto& k = std::get<KernelStep>(s.work);
  const GemmShape& g = k.kernel.gemm;
  GemmShape one = g;
  one.m = g.m / parts;
  GemmShape rest = g;
  if (g.m % parts == 0) {
    rest.m = one.m;
    rest.groups = parts - 1;
  } else {
    rest.m = g.m - one.m;
  }
  const auto chunk = [&](const GemmShape& shape, const char* suffix) {
    LayerStep out = s;
    out.name += suffix;
    Kernel kernel = gemm_kernel(shape);
    kernel.kind = k.kernel.kind;  // chunks of a dense GEMM, timed by its curve
    out.work = KernelStep{kernel, k.sm_share};
    return out;
  };
  RowChunks chunks{chunk(one, ".chunk"), chunk(rest, ".chunks")};
  // The other chunks are launched from C++ inside the call that issues the first.
  chunks.rest.operations = 0;
  chunks.rest.launches = static_cast<int>(parts - 1);
  return chunks;
}

void set_sm_share(LayerStep& s, double share) { std::get<KernelStep>(s.work).sm_share = share; }

[[noreturn]] void unmatched(const LayerStep& s, const char* what) {
  throw std::logic_error("tensor overlap: " + s.name + " has no " + what);
}

class Rewriter {
 public:
  Rewriter(std::vector<LayerStep>& steps, const CommunicationModel& comm, std::int64_t tp, double share)
      : steps_(steps), comm_(comm), tp_(tp), share_(share), moved_(steps.size(), false) {}

  void run() {
    for (std::size_t i = 0; i < steps_.size(); ++i) {
      if (moved_[i]) continue;
      const LayerStep& s = steps_[i];
      switch (collective_of(s) != nullptr ? s.tensor_overlap : TensorOverlap::none) {
        case TensorOverlap::ring_gather: i = ring_gather(i); break;
        case TensorOverlap::quantized_gather: i = quantized_gather(i); break;
        case TensorOverlap::pipelined_scatter: pipelined_scatter(s); break;
        case TensorOverlap::bulk_scatter: bulk_scatter(i); break;
        case TensorOverlap::none: out_.push_back(s); break;
      }
    }
    steps_ = std::move(out_);
  }

 private:
  // The GEMM the all-gather at `at` feeds (the next one of its pass), the steps between them
  // moved ahead of `gather`. Under FP8 the GEMM's input quantization sits between them, and TE
  // quantizes the rank's shard and gathers the quantized tensor (into the userbuffer, fp8_buf,
  // on by default for the gathers; by NCCL, gather_along_first_dim with the quantizer,
  // module/linear.py @d0067d0 lines 347-406), so it moves ahead on 1/tp of the rows and the
  // gather carries one byte per element. Returns the GEMM's index.
  std::size_t quantize_ahead(std::size_t at, LayerStep& gather) {
    std::size_t g = at + 1;
    while (g < steps_.size() && steps_[g].pass == gather.pass &&
           (!steps_[g].is_communication() || quantizes_input(steps_[g])) && dense_gemm(steps_[g]) == nullptr) {
      ++g;
    }
    if (g == steps_.size() || steps_[g].pass != gather.pass || dense_gemm(steps_[g]) == nullptr) unmatched(gather, "GEMM after it");
    bool fp8 = false;
    for (std::size_t k = at + 1; k < g; ++k) {
      LayerStep cast = steps_[k];
      if (!cast.is_communication() && quantizes_input(cast)) {
        auto& kernel = std::get<KernelStep>(cast.work).kernel;
        const double shard = 1.0 / static_cast<double>(tp_);
        kernel = memory_kernel(kernel.bytes_read.scaled(shard), kernel.bytes_written.scaled(shard), kernel.kind);
        fp8 = true;
      }
      out_.push_back(std::move(cast));
    }
    if (fp8) {
      const auto& c = *collective_of(gather);
      gather.work = comm_.collective(c.collective, c.group, c.payload.scaled(0.5));
    }
    return g;
  }

  // The ring exchange of the gather at `at` into its GEMM's chunks. Returns the last index used.
  std::size_t ring_gather(std::size_t at) {
    LayerStep gather = steps_[at];
    const std::size_t g = quantize_ahead(at, gather);
    auto [one, rest] = split_rows(steps_[g], tp_);
    gather.overlaps_next = true;
    gather.tensor_overlap = TensorOverlap::none;
    // One Transformer Engine call issues the exchange (tp - 1 peer copies) and every chunk.
    gather.launches = static_cast<int>(tp_ - 1);
    one.operations = 0;
    out_.push_back(gather);
    out_.push_back(std::move(rest));
    out_.push_back(std::move(one));
    return g;
  }

  // Without userbuffers: NCCL gathers the quantized shard, then the whole GEMM runs. Returns the
  // last index used.
  std::size_t quantized_gather(std::size_t at) {
    LayerStep gather = steps_[at];
    const std::size_t g = quantize_ahead(at, gather);
    gather.tensor_overlap = TensorOverlap::none;
    out_.push_back(gather);
    out_.push_back(steps_[g]);
    return g;
  }

  // The reduce-scatter of the GEMM just before it, chunk by chunk.
  void pipelined_scatter(const LayerStep& scatter) {
    if (out_.empty() || out_.back().pass != scatter.pass || dense_gemm(out_.back()) == nullptr) {
      unmatched(scatter, "GEMM before it");
    }
    LayerStep gemm = out_.back();
    out_.pop_back();
    set_sm_share(gemm, share_);
    auto [one, rest] = split_rows(gemm, kPipelinedScatterChunks);
    const auto& c = *collective_of(scatter);
    const double chunks = static_cast<double>(kPipelinedScatterChunks);
    const Bytes hidden_payload = c.payload.scaled((chunks - 1.0) / chunks);
    LayerStep hidden = scatter;
    hidden.work = comm_.collective(c.collective, c.group, hidden_payload);
    hidden.overlaps_next = true;
    hidden.tensor_overlap = TensorOverlap::none;
    // The GEMM's call launches the chunks' reduce-scatters too.
    hidden.operations = 0;
    hidden.launches = static_cast<int>(kPipelinedScatterChunks - 1);
    LayerStep last = hidden;
    last.name += ".last_chunk";
    last.work = comm_.collective(c.collective, c.group, c.payload - hidden_payload);
    last.overlaps_next = false;
    last.launches = 1;
    out_.push_back(std::move(one));
    out_.push_back(std::move(hidden));
    out_.push_back(std::move(rest));
    out_.push_back(std::move(last));
  }

  // The data gradient's reduce-scatter beside the same linear's weight-gradient GEMM, brought
  // forward from the weight pass.
  void bulk_scatter(std::size_t at) {
    LayerStep scatter = steps_[at];
    constexpr std::string_view kDgrad = ".dgrad";
    const bool after_dgrad = !out_.empty() && dense_gemm(out_.back()) != nullptr && out_.back().name.ends_with(kDgrad);
    std::size_t w = steps_.size();
    if (after_dgrad) {
      const std::string& dgrad = out_.back().name;
      const std::string wgrad = dgrad.substr(0, dgrad.size() - kDgrad.size()) + ".wgrad";
      for (std::size_t j = at + 1; j < steps_.size() && w == steps_.size(); ++j) {
        if (!moved_[j] && steps_[j].pass == Pass::backward_weight && steps_[j].name == wgrad) w = j;
      }
    }
    if (w == steps_.size()) unmatched(scatter, "data gradient before it with its weight gradient");
    // The builder's all-gather of the GEMM's input runs beside the data gradient the same way.
    if (out_.size() >= 2 && out_[out_.size() - 2].overlaps_next && collective_of(out_[out_.size() - 2]) != nullptr) {
      set_sm_share(out_.back(), share_);
    }
    moved_[w] = true;
    LayerStep wgrad = steps_[w];
    wgrad.pass = scatter.pass;
    set_sm_share(wgrad, share_);
    scatter.overlaps_next = true;
    scatter.tensor_overlap = TensorOverlap::none;
    scatter.operations = 0;  // launched by the data gradient's call
    out_.push_back(std::move(scatter));
    out_.push_back(std::move(wgrad));
  }

  std::vector<LayerStep>& steps_;
  const CommunicationModel& comm_;
  std::int64_t tp_;
  double share_;
  std::vector<bool> moved_;
  std::vector<LayerStep> out_;
};

}  // namespace

void overlap_tensor_collectives(std::vector<LayerStep>& steps, const CommunicationModel& comm, std::int64_t tp,
                                double gemm_sm_share) {
  if (tp <= 1) return;
  Rewriter(steps, comm, tp, gemm_sm_share).run();
}

}  // namespace trainsim
