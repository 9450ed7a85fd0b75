#pragma once
// Turns the CUDA probe's raw measurements (hardware/probe/, one JSON file per run) into a
// calibration document: one row per kernel-class measurement with the probe run's provenance,
// then the per-class least-squares fit of calibration.hpp. What no class fits (host copies,
// NCCL collectives) and what the options leave out are listed in the notes, never dropped
// silently.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hardware/calibration.hpp"

namespace trainsim {

struct ProbeCalibrationOptions {
  std::string name;    // the calibration's name
  std::string gpu_id;  // catalog GPU; empty: inferred from the probe's GPU name and SM count
  // The probe has no fused attention kernel; rows from its unfused algorithm describe that
  // algorithm, not FlashAttention-class kernels, so they are left out unless asked for.
  bool include_unfused_attention = false;
  // Which of the probe's FP8 GEMM variants the FP8 classes are fitted on: "tensor" (one scale
  // per tensor) or "blockwise" (DeepSeek-V3's 1x128 activation tiles and 128x128 weight
  // blocks); empty: blockwise when the probe measured it, else tensor. The other is noted.
  std::string fp8_scaling;
  // Built-in calibrations that supply, as includes, the classes the probe did not fit (a
  // fused attention kernel, transfers between machines); the first that has rows wins.
  std::vector<std::string> fill_from;
};

struct ProbeCalibration {
  nlohmann::json document;  // what `trainsim calibrate` writes
  Calibration calibration;  // the document read back and fitted
  std::vector<std::string> notes;
};

// `probe_file` names the input in errors and in each row's source. Throws ConfigError.
ProbeCalibration calibrate_probe(const nlohmann::json& probe, const std::string& probe_file,
                                 const ProbeCalibrationOptions& options);

// The catalog GPU a CUDA device name and SM count describe ("NVIDIA H100 80GB HBM3", 132 ->
// "h100-sxm"), or "" when none or several match.
std::string catalog_gpu_for(const std::string& cuda_name, int sm_count);

}  // namespace trainsim
