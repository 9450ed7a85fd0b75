#include "hardware/probe_calibration.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "core/json_reader.hpp"
#include "core/scale_limits.hpp"
#include "hardware/gpu_catalog.hpp"

namespace trainsim {

namespace {

std::vector<std::string> name_tokens(const std::string& name) {
  std::vector<std::string> tokens;
  std::string token;
  for (const char c : name + " ") {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
      token += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    } else if (!token.empty()) {
      tokens.push_back(token);
      token.clear();
    }
  }
  return tokens;
}

// The per-peer scale-up rate a peer-to-peer copy can reach on `gpu` (its datasheet figure).
BytesPerSecond peer_bandwidth(const GpuSpec& gpu) {
  const auto& s = gpu.scale_up;
  if (s.topology == ScaleUpTopology::full_mesh && s.domain_size > 1) {
    return s.bandwidth_per_direction / static_cast<double>(s.domain_size - 1);
  }
  return s.bandwidth_per_direction;
}

std::string seconds_text(Seconds t) { return fmt::format("{:.3f}us", t.si() * 1e6); }

// Probe 1.0 measured FP8 GEMMs with per-tensor scales only and wrote no "scaling" field.
constexpr const char* kUnnamedScaling = "tensor";
const std::set<std::string> kScalings = {"tensor", "blockwise_1x128_128x128"};

std::string scaling_family(const std::string& scaling) { return scaling.starts_with("blockwise") ? "blockwise" : "tensor"; }

bool is_fp8_gemm(const std::string& kind) { return kind == "gemm_fp8" || kind == "grouped_gemm_fp8"; }

// The scaling the options ask for, or the default: blockwise wherever the probe measured it.
std::string chosen_scaling(const nlohmann::json& probe, const ProbeCalibrationOptions& options) {
  if (!options.fp8_scaling.empty()) {
    if (options.fp8_scaling != "tensor" && options.fp8_scaling != "blockwise") {
      throw std::invalid_argument("fp8_scaling must be tensor or blockwise, not " + options.fp8_scaling);
    }
    return options.fp8_scaling;
  }
  const auto found = probe.find("measurements");
  if (found == probe.end() || !found->is_array()) return kUnnamedScaling;
  for (const auto& m : *found) {
    if (m.is_object() && m.contains("scaling") && m["scaling"].is_string() &&
        scaling_family(m["scaling"].get<std::string>()) == "blockwise") {
      return "blockwise";
    }
  }
  return kUnnamedScaling;
}

// Probe memory kernels that reduce along each row (hardware/probe/memory_probe.cu).
const std::set<std::string> kRowReductions = {"add_rmsnorm"};
const std::set<std::string> kRecordedOnly = {"host_to_device", "device_to_host", "nccl_all_reduce", "nccl_all_to_all"};

struct ProbeRun {
  std::map<std::string, std::string> provenance;
  int sm_count = 0;
};

ProbeRun read_header(ObjectReader& root) {
  ProbeRun run;
  root.integer("schema_version", 1, 1);
  root.string("probe_version");
  root.string("timing");
  for (const auto* key : {"gpu_name", "compute_capability", "clocks", "memory", "driver", "cuda", "cublaslt", "nccl",
                          "gpu_count", "host", "date", "probe_version", "sm_count"}) {
    run.provenance[key] = "";
  }
  auto found = root.optional_object("provenance");
  if (!found) {
    root.diagnostics().error("/provenance", "missing required key \"provenance\"", "the probe records the GPU, driver, CUDA and date it ran with");
    return run;
  }
  auto& prov = *found;
  for (auto& [key, value] : run.provenance) value = prov.string(key);
  const auto& sm = run.provenance["sm_count"];
  if (!sm.empty()) {
    try {
      run.sm_count = std::stoi(sm);
    } catch (const std::exception&) {
      root.diagnostics().error(child_pointer(prov.pointer(), "sm_count"), "expected a whole number of SMs, got \"" + sm + "\"");
    }
  }
  if (const auto notes = prov.optional_string("notes")) run.provenance["notes"] = *notes;
  prov.finish();
  return run;
}

// One measurement as a calibration row, or a note saying why it is not one.
struct Converted {
  std::optional<nlohmann::json> row;
  std::string note;
};

Converted convert(ObjectReader& m, const std::string& kind, const GpuSpec* gpu, const ProbeCalibrationOptions& options,
                  const std::string& fp8_scaling, const std::string& source) {
  const auto id = m.string("id");
  m.string("implementation");
  const Seconds median = m.seconds("median", Sign::positive);
  m.seconds("min", Sign::positive);
  m.seconds("max", Sign::positive);
  m.integer("repeats", 1);
  nlohmann::json row{{"class", kind}, {"time", seconds_text(median)}, {"source", fmt::format("{} #{}", source, id)}};
  KernelClass parsed{};
  if (kRecordedOnly.contains(kind)) {
    for (const auto* key : {"bytes", "gpus", "nccl_version"}) m.optional_integer(key);
    return {std::nullopt, fmt::format("{}: recorded, not fitted (no kernel class models it)", id)};
  }
  if (!parse_kernel_class(kind, parsed)) {
    m.diagnostics().error(child_pointer(m.pointer(), "class"), "unknown measurement class \"" + kind + "\"",
                          "kernel classes, host_to_device, device_to_host, nccl_all_reduce, nccl_all_to_all");
    return {};
  }
  switch (parsed) {
    case KernelClass::attention_forward:
    case KernelClass::attention_backward:
    case KernelClass::attention_fa2_forward:
    case KernelClass::attention_fa2_backward: {
      for (const auto* key : {"batch", "heads", "seq", "head_dim"}) row[key] = m.integer(key, 1, limits::kMaxKernelDimension);
      row["causal"] = m.boolean("causal");
      if (!m.boolean("fused") && !options.include_unfused_attention) {
        return {std::nullopt, fmt::format("{}: unfused attention, left out (--include-unfused-attention fits it)", id)};
      }
      return {row, ""};
    }
    case KernelClass::row_reduction:
    case KernelClass::memory_bound: {
      // The probe files every bandwidth kernel under memory_bound; the fused norm reduces
      // along each row, which the time model keeps apart.
      if (kRowReductions.contains(m.string("kernel"))) row["class"] = std::string(to_string(KernelClass::row_reduction));
      for (const auto* key : {"tokens", "hidden", "width"}) m.optional_integer(key, 1);
      row["bytes"] = fmt::format("{}B", m.integer("bytes_read", 0, limits::kMaxKernelBytes) +
                                            m.integer("bytes_written", 0, limits::kMaxKernelBytes));
      return {row, ""};
    }
    case KernelClass::scale_up_transfer: {
      row["bytes"] = fmt::format("{}B", m.integer("bytes", 1, limits::kMaxKernelBytes));
      m.integer("peer", 1);
      if (!m.boolean("peer_access")) {
        return {std::nullopt, fmt::format("{}: copy staged through the host, not the scale-up fabric; left out", id)};
      }
      if (gpu != nullptr) row["nominal"] = fmt::format("{}Bps", peer_bandwidth(*gpu).si());
      return {row, ""};
    }
    case KernelClass::scale_out_transfer:
      m.diagnostics().error(child_pointer(m.pointer(), "class"), "the probe does not measure scale-out transfers");
      return {};
    default: {
      for (const auto* key : {"m", "n", "k"}) row[key] = m.integer(key, 1, limits::kMaxKernelDimension);
      row["groups"] = m.integer("groups", 1, limits::kMaxExperts);
      if (!is_fp8_gemm(kind)) return {row, ""};
      const auto scaling = m.optional_string("scaling").value_or(kUnnamedScaling);
      if (!kScalings.contains(scaling)) {
        m.diagnostics().error(child_pointer(m.pointer(), "scaling"), "unknown FP8 scaling \"" + scaling + "\"",
                              "tensor or blockwise_1x128_128x128");
        return {};
      }
      if (scaling_family(scaling) != fp8_scaling) {
        return {std::nullopt, fmt::format("{}: FP8 with {} scaling, left out (--fp8-scaling {} fits it)", id, scaling,
                                          scaling_family(scaling))};
      }
      return {row, ""};
    }
  }
}

// Include entries for the classes `rows` leave without a fit, from the first `fill_from`
// calibration that has rows of them.
nlohmann::json fill_includes(const nlohmann::json& rows, const std::vector<std::string>& fill_from) {
  std::set<KernelClass> covered;
  for (const auto& row : rows) {
    KernelClass kind{};
    if (parse_kernel_class(row.at("class").get<std::string>(), kind)) covered.insert(kind);
  }
  nlohmann::json includes = nlohmann::json::array();
  for (const auto& name : fill_from) {
    if (find_builtin_calibration(name) == nullptr) throw std::invalid_argument("no built-in calibration " + name + " to fill from");
    nlohmann::json classes = nlohmann::json::array();
    for (const auto kind : builtin_own_classes(name)) {
      if (covered.insert(kind).second) classes.push_back(std::string(to_string(kind)));
    }
    if (classes.empty()) continue;
    includes.push_back({{"calibration", name},
                        {"classes", classes},
                        {"reason", "not measured by this probe run; published rows of " + name}});
  }
  return includes;
}

}  // namespace

std::string catalog_gpu_for(const std::string& cuda_name, int sm_count) {
  const auto tokens = name_tokens(cuda_name);
  std::vector<const GpuSpec*> matches;
  for (const auto& gpu : gpu_catalog()) {
    const auto family = name_tokens(gpu.name);
    if (family.size() < 2 || std::find(tokens.begin(), tokens.end(), family[1]) == tokens.end()) continue;
    if (gpu.sm_count && *gpu.sm_count != sm_count) continue;
    matches.push_back(&gpu);
  }
  return matches.size() == 1 ? matches.front()->id : "";
}

ProbeCalibration calibrate_probe(const nlohmann::json& probe, const std::string& probe_file,
                                 const ProbeCalibrationOptions& options) {
  Diagnostics diag(probe_file);
  ObjectReader root(probe, "", diag);
  const auto run = read_header(root);
  const auto measurements = root.array("measurements");
  root.finish();

  std::string gpu_id = options.gpu_id;
  const auto& name = run.provenance.at("gpu_name");  // every header key is present, "" when missing
  if (gpu_id.empty() && !name.empty()) gpu_id = catalog_gpu_for(name, run.sm_count);
  const GpuSpec* gpu = find_gpu(gpu_id);
  if (gpu == nullptr && (!name.empty() || !options.gpu_id.empty())) {
    diag.error("/provenance/gpu_name",
               fmt::format("cannot tell which catalog GPU \"{}\" with {} SMs is{}", name, run.sm_count,
                           options.gpu_id.empty() ? "" : " (--gpu " + options.gpu_id + " is not in the catalog)"),
               "pass --gpu with one of: " + gpu_catalog_ids());
  }

  ProbeCalibration out;
  nlohmann::json rows = nlohmann::json::array();
  const auto source = fmt::format("trainsim-probe {} on {} ({}), {}: {}", run.provenance.at("probe_version"),
                                  run.provenance.at("gpu_name"), run.provenance.at("host"), run.provenance.at("date"),
                                  std::filesystem::path(probe_file).filename().string());
  const auto fp8_scaling = chosen_scaling(probe, options);
  for (const auto& element : measurements) {
    ObjectReader m(*element.node, element.pointer, diag);
    const auto kind = m.string("class");
    auto converted = convert(m, kind, gpu, options, fp8_scaling, source);
    m.finish();
    if (converted.row) rows.push_back(*converted.row);
    if (!converted.note.empty()) out.notes.push_back(converted.note);
  }
  diag.throw_if_any();
  if (rows.empty()) {
    diag.error("/measurements", "no measurement of a kernel class to fit");
    diag.throw_if_any();
  }

  nlohmann::json provenance = nlohmann::json::object();
  for (const auto& [key, value] : run.provenance) {
    if (key != "compute_capability" && key != "cublaslt" && key != "nccl" && key != "gpu_count") provenance[key] = value;
  }
  provenance["notes"] = fmt::format("compute capability {}, cuBLASLt {}, NCCL {}, {} GPU(s); FP8 classes fitted on {} scaling{}",
                                    run.provenance.at("compute_capability"), run.provenance.at("cublaslt"),
                                    run.provenance.at("nccl"), run.provenance.at("gpu_count"), fp8_scaling,
                                    run.provenance.contains("notes") ? "; " + run.provenance.at("notes") : "");
  out.document = {{"schema_version", 1},
                  {"name", options.name},
                  {"gpu", gpu->id},
                  {"kind", "probe"},
                  {"description", fmt::format("Measured by trainsim-probe on {} ({}) on {}; fitted by trainsim calibrate from {}.",
                                              run.provenance.at("gpu_name"), run.provenance.at("host"), run.provenance.at("date"),
                                              std::filesystem::path(probe_file).filename().string())},
                  {"provenance", provenance},
                  {"rows", rows}};
  auto includes = fill_includes(rows, options.fill_from);
  if (!includes.empty()) out.document["include"] = std::move(includes);
  out.calibration = parse_calibration(out.document, options.name + " (generated)");
  return out;
}

}  // namespace trainsim
