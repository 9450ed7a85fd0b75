// trainsim's unfused attention (batched GEMMs around a softmax over the materialised scores)
// against the same algorithm timed by our CUDA probe on an H100 SXM
// (hardware/probe/runs/h100-sxm-2026-11-22.json). The prediction uses only the GEMM and
// memory-bound fits of that run's calibration: the attention rows are not fitted (`trainsim
// calibrate` leaves unfused rows out), so this is a prediction, not a fit.
#include <algorithm>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "core/json_reader.hpp"
#include "core/unit_parser.hpp"
#include "hardware/gpu_catalog.hpp"
#include "hardware/kernel_time_model.hpp"
#include "models/layer_builder.hpp"

namespace trainsim {
namespace {

struct Timed {
  Seconds forward, forward_backward;
};

Timed predict(const KernelTimeModel& model, const AttentionShape& shape) {
  LayerBuilder b(LayerKind::dense, Precision::fp32);
  b.unfused_attention({.name = "core", .shape = shape}, 0.0);
  Timed t;
  Seconds recomputed_p;  // the probe's backward recomputes P (scores GEMM and softmax) first
  for (const auto& step : b.finish().steps) {
    const Seconds s = model.time(*step.kernel());
    t.forward_backward += s;
    if (step.pass != Pass::forward) continue;
    t.forward += s;
    if (step.name == "core.scores" || step.name == "core.softmax") recomputed_p += s;
  }
  t.forward_backward += recomputed_p;
  return t;
}

TEST(UnfusedAttention, PredictsTheProbesMeasuredH100Runs) {
  Diagnostics diag("probe run");
  const auto run = read_json_file(std::string(TRAINSIM_SOURCE_DIR) + "/hardware/probe/runs/h100-sxm-2026-11-22.json", diag);
  diag.throw_if_any();
  const KernelTimeModel model(*find_gpu("h100-sxm"), find_builtin_calibration("h100-sxm-probe-2026-11-22"));

  std::vector<double> errors;
  for (const auto& m : (*run)["measurements"]) {
    if (m["class"] != "attention_forward") continue;
    AttentionShape shape;
    shape.batch = m["batch"].get<std::int64_t>();
    shape.heads = m["heads"].get<std::int64_t>();
    shape.seq_q = shape.seq_kv = m["seq"].get<std::int64_t>();
    shape.head_dim_qk = shape.head_dim_v = m["head_dim"].get<std::int64_t>();
    shape.causal = false;
    Seconds measured_backward;
    for (const auto& other : (*run)["measurements"]) {
      if (other["class"] == "attention_backward" && other["batch"] == m["batch"] && other["seq"] == m["seq"] &&
          other["heads"] == m["heads"]) {
        measured_backward = parse_seconds(other["median"].get<std::string>());
      }
    }
    ASSERT_GT(measured_backward.si(), 0.0) << m["id"];
    const Seconds measured_forward = parse_seconds(m["median"].get<std::string>());
    const Timed predicted = predict(model, shape);
    for (const double e : {predicted.forward / measured_forward - 1.0,
                           predicted.forward_backward / (measured_forward + measured_backward) - 1.0}) {
      // Each part's class fit is off by at most 26% on its own rows (memory-bound 25.7%, BF16
      // GEMM 24.9%; hardware/README.md), and the probe's softmax kernels are not among the
      // fitted memory-bound kernels: a third covers every row. Before the memory floor of
      // KernelTimeModel::time the score GEMMs beat HBM and these came out 31-54% short.
      EXPECT_LT(std::abs(e), 1.0 / 3.0) << m["id"];
      errors.push_back(std::abs(e));
    }
  }
  ASSERT_EQ(errors.size(), 8U);
  std::sort(errors.begin(), errors.end());
  // Medians of the part fits are 6.5% (GEMM) and 7.9% (memory-bound); their sum bounds the median.
  EXPECT_LT(0.5 * (errors[3] + errors[4]), 0.065 + 0.079);
}

}  // namespace
}  // namespace trainsim
