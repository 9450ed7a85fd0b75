#include "hardware/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/json_reader.hpp"
#include "core/scale_limits.hpp"
#include "hardware/gpu_catalog.hpp"

namespace trainsim {

std::string_view to_string(CalibrationKind kind) {
  return kind == CalibrationKind::probe ? "probe" : "published benchmarks";
}

namespace {

// Reads the rows a document itself holds (its "include" entries are resolved by the caller).
// `gpu`: the catalog GPU the rows were measured on (null when the header names none).
std::vector<CalibrationRow> parse_rows(ObjectReader& root, const GpuSpec* gpu) {
  std::vector<CalibrationRow> rows;
  for (const auto& element : root.array("rows")) {
    ObjectReader r(*element.node, element.pointer, root.diagnostics());
    CalibrationRow row;
    const auto class_name = r.string("class");
    if (!parse_kernel_class(class_name, row.kind)) {
      root.diagnostics().error(child_pointer(element.pointer, "class"), "unknown kernel class \"" + class_name + "\"",
                               "one of gemm_bf16, gemm_fp8, grouped_gemm_bf16, grouped_gemm_fp8, attention_forward, "
                               "attention_backward, attention_fa2_forward, attention_fa2_backward, memory_bound, "
                               "row_reduction, scale_up_transfer, scale_out_transfer");
      continue;
    }
    row.source = r.string("source");
    row.derived = r.optional_boolean("derived").value_or(false);
    if (gpu != nullptr && !is_transfer(row.kind) && !gpu->peak(tensor_precision(row.kind))) {
      root.diagnostics().error(child_pointer(element.pointer, "class"),
                               "GPU " + gpu->id + " has no " + std::string(to_string(tensor_precision(row.kind))) +
                                   " peak: a " + class_name + " row cannot have been measured on it",
                               "check the calibration's \"gpu\" or the row's class");
      continue;
    }
    std::optional<FlopsPerSecond> flop_rate;
    std::optional<BytesPerSecond> byte_rate;
    try {
      switch (row.kind) {
        case KernelClass::attention_forward:
        case KernelClass::attention_backward:
        case KernelClass::attention_fa2_forward:
        case KernelClass::attention_fa2_backward: {
          AttentionShape shape;
          shape.batch = r.integer("batch", 1, limits::kMaxKernelDimension);
          shape.heads = r.integer("heads", 1, limits::kMaxKernelDimension);
          shape.seq_q = shape.seq_kv = r.integer("seq", 1, limits::kMaxKernelDimension);
          shape.head_dim_qk = shape.head_dim_v = r.integer("head_dim", 1, limits::kMaxKernelDimension);
          shape.causal = r.boolean("causal");
          row.kernel = attention_kernel(shape, is_backward_attention(row.kind), FusedAttention::current);
          row.kernel.kind = row.kind;
          flop_rate = r.optional_flop_rate("achieved");
          break;
        }
        case KernelClass::memory_bound:
        case KernelClass::row_reduction:
          row.kernel = memory_kernel(r.bytes("bytes", Sign::positive), Bytes(0), row.kind);
          byte_rate = r.optional_byte_rate("achieved");
          break;
        case KernelClass::scale_up_transfer:
        case KernelClass::scale_out_transfer:
          row.transfer_bytes = r.optional_bytes("bytes", Sign::positive).value_or(Bytes(1000000000));
          row.nominal_bandwidth = r.byte_rate("nominal");
          byte_rate = r.optional_byte_rate("achieved");
          break;
        default: {
          GemmShape shape;
          shape.m = r.integer("m", 1, limits::kMaxKernelDimension);
          shape.n = r.integer("n", 1, limits::kMaxKernelDimension);
          shape.k = r.integer("k", 1, limits::kMaxKernelDimension);
          shape.groups = r.optional_integer("groups", 1, limits::kMaxExperts).value_or(1);
          shape.input = tensor_precision(row.kind);
          row.kernel = gemm_kernel(shape);
          row.kernel.kind = row.kind;  // a one-group "grouped" (masked) launch stays grouped
          flop_rate = r.optional_flop_rate("achieved");
          break;
        }
      }
    } catch (const SizeOverflow& e) {
      root.diagnostics().error(element.pointer, std::string("the kernel's shape gives ") + e.what(),
                               "no kernel is this large: check the shape's dimensions");
      continue;
    }
    const auto time = r.optional_seconds("time", Sign::positive);
    if (time.has_value() == (flop_rate.has_value() || byte_rate.has_value())) {
      root.diagnostics().error(element.pointer, "give exactly one of \"achieved\" and \"time\"");
      continue;
    }
    if (time) {
      row.measured = *time;
    } else if (flop_rate) {
      row.measured = row.kernel.flops / *flop_rate;
    } else if (is_transfer(row.kind)) {
      row.measured = row.transfer_bytes / *byte_rate;
    } else {
      row.measured = row.kernel.bytes_read / *byte_rate;
    }
    if (row.measured.si() <= 0.0) {
      root.diagnostics().error(element.pointer, "a measured time must be positive");
      continue;
    }
    r.finish();
    rows.push_back(std::move(row));
  }
  return rows;
}

struct Header {
  std::string name, gpu_id, description;
  CalibrationKind kind = CalibrationKind::published_benchmarks;
  std::map<std::string, std::string> provenance;
};

Header parse_header(ObjectReader& root) {
  Header h;
  root.integer("schema_version", 1, 1);
  h.name = root.string("name");
  h.gpu_id = root.string("gpu");
  h.kind = root.choice<CalibrationKind>(
      "kind", {{"probe", CalibrationKind::probe}, {"published_benchmarks", CalibrationKind::published_benchmarks}});
  h.description = root.string("description");
  if (auto prov = root.optional_object("provenance")) {
    for (const auto& key : {"gpu_name", "driver", "cuda", "date", "probe_version", "host", "sm_count",
                            "memory", "clocks", "notes"}) {
      if (auto value = prov->optional_string(key)) h.provenance[key] = *value;
    }
    prov->finish();
  }
  if (h.kind == CalibrationKind::probe) {
    for (const auto* key : {"gpu_name", "driver", "cuda", "date", "probe_version"}) {
      if (!h.provenance.contains(key)) {
        root.diagnostics().error(child_pointer(root.pointer(), "provenance"),
                                 std::string("a probe calibration must record its ") + key,
                                 "run `trainsim calibrate` on the probe's JSON output");
      }
    }
  }
  if (!h.gpu_id.empty() && find_gpu(h.gpu_id) == nullptr) {
    root.diagnostics().error("/gpu", "unknown GPU \"" + h.gpu_id + "\"", "catalog GPUs: " + gpu_catalog_ids());
  }
  return h;
}

struct OwnPart {
  std::string gpu_id;
  std::vector<CalibrationRow> rows;
};
// The rows a built-in file holds itself, without its includes: includes are not transitive,
// which keeps files that borrow from each other (H800 <-> H100) free of cycles.
std::optional<OwnPart> own_part_of_builtin(std::string_view name);

Calibration parse_document(const nlohmann::json& doc, Diagnostics& diag, bool resolve_includes) {
  ObjectReader root(doc, "", diag);
  const Header header = parse_header(root);
  Calibration c;
  c.name = header.name;
  c.gpu_id = header.gpu_id;
  c.kind = header.kind;
  c.description = header.description;
  c.provenance = header.provenance;
  c.rows = parse_rows(root, find_gpu(header.gpu_id));
  for (auto& row : c.rows) row.measured_on = c.gpu_id;
  for (const auto& element : root.array("include", false)) {
    ObjectReader inc(*element.node, element.pointer, diag);
    const auto other = inc.string("calibration");
    const auto reason = inc.string("reason");
    std::set<KernelClass> classes;
    for (const auto& cls : inc.array("classes")) {
      KernelClass kind{};
      if (cls.node->is_string() && parse_kernel_class(cls.node->get<std::string>(), kind)) {
        classes.insert(kind);
      } else {
        diag.error(cls.pointer, "expected a kernel class name, got " + describe_json(*cls.node));
      }
    }
    inc.finish();
    if (!resolve_includes) continue;
    const auto part = own_part_of_builtin(other);
    if (!part) {
      diag.error(child_pointer(element.pointer, "calibration"), "unknown built-in calibration \"" + other + "\"",
                 "includes name files shipped in hardware/calibration/");
      continue;
    }
    for (auto row : part->rows) {
      if (!classes.contains(row.kind)) continue;
      row.source += " [measured on " + part->gpu_id + ", included from " + other + ": " + reason + "]";
      row.measured_on = part->gpu_id;
      c.rows.push_back(row);
    }
  }
  root.finish();
  if (diag.has_errors() || !resolve_includes) return c;

  // Features are relative to each row's own GPU peaks, so rows measured on a same-die GPU
  // (H800 rows in the H100 calibration) combine directly.
  for (int k = 0; k < kKernelClassCount; ++k) {
    const auto kind = static_cast<KernelClass>(k);
    const bool has_rows = std::any_of(c.rows.begin(), c.rows.end(), [&](const auto& r) { return r.kind == kind; });
    if (has_rows) c.fits[kind] = fit_class(kind, c.rows);
  }
  return c;
}

}  // namespace

Calibration parse_calibration(const nlohmann::json& doc, const std::string& file) {
  Diagnostics diag(file);
  auto c = parse_document(doc, diag, true);
  diag.throw_if_any();
  return c;
}

Calibration load_calibration_file(const std::string& path) {
  Diagnostics diag(path);
  auto doc = read_json_file(path, diag);
  diag.throw_if_any();
  return parse_calibration(*doc, path);
}

namespace embedded {
extern const std::string_view calibration_h800_published_json;
extern const std::string_view calibration_h800_cutlass36_2024_json;
extern const std::string_view calibration_h100_published_json;
extern const std::string_view calibration_h100_sxm_probe_2026_11_22_json;
extern const std::string_view calibration_h200_published_json;
extern const std::string_view calibration_a100_published_json;
extern const std::string_view calibration_a800_published_json;
extern const std::string_view calibration_mi300x_published_json;
extern const std::string_view calibration_b200_published_json;
extern const std::string_view calibration_b200_xla_2025_json;
extern const std::string_view calibration_gb200_published_json;
extern const std::string_view calibration_gb200_xla_2025_json;
}  // namespace embedded

namespace {
struct Builtin {
  std::string_view name;
  std::string_view gpu_id;
  const std::string_view* text;
};
const std::vector<Builtin>& builtins() {
  static const std::vector<Builtin> list{
      {"h800-published", "h800-sxm", &embedded::calibration_h800_published_json},
      {"h800-cutlass36-2024", "h800-sxm", &embedded::calibration_h800_cutlass36_2024_json},
      {"h100-published", "h100-sxm", &embedded::calibration_h100_published_json},
      // Listed after h100-published, which stays the H100 default (hardware/README.md).
      {"h100-sxm-probe-2026-11-22", "h100-sxm", &embedded::calibration_h100_sxm_probe_2026_11_22_json},
      {"h200-published", "h200-sxm", &embedded::calibration_h200_published_json},
      {"a100-published", "a100-sxm", &embedded::calibration_a100_published_json},
      {"a800-published", "a800-sxm", &embedded::calibration_a800_published_json},
      {"mi300x-published", "mi300x", &embedded::calibration_mi300x_published_json},
      // The *-published files come first: they are the defaults, with the XLA GEMM tables included.
      {"b200-published", "b200", &embedded::calibration_b200_published_json},
      {"b200-xla-2025", "b200", &embedded::calibration_b200_xla_2025_json},
      {"gb200-published", "gb200", &embedded::calibration_gb200_published_json},
      {"gb200-xla-2025", "gb200", &embedded::calibration_gb200_xla_2025_json},
  };
  return list;
}

const Builtin* find_builtin(std::string_view name) {
  for (const auto& b : builtins()) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

std::optional<OwnPart> own_part_of_builtin(std::string_view name) {
  const auto* b = find_builtin(name);
  if (b == nullptr) return std::nullopt;
  Diagnostics inner("hardware/calibration/" + std::string(name) + ".json");
  auto doc = parse_json_text(*b->text, inner);
  inner.throw_if_any();
  auto c = parse_document(*doc, inner, false);
  inner.throw_if_any();  // built-in files are tested; an error here is a build defect
  return OwnPart{c.gpu_id, c.rows};
}
}  // namespace

const Calibration* find_builtin_calibration(std::string_view name) {
  static std::map<std::string, Calibration, std::less<>> cache;
  if (const auto it = cache.find(name); it != cache.end()) return &it->second;
  const auto* b = find_builtin(name);
  if (b == nullptr) return nullptr;
  const std::string file = "hardware/calibration/" + std::string(name) + ".json";
  Diagnostics diag(file);
  auto doc = parse_json_text(*b->text, diag);
  diag.throw_if_any();
  auto [it, inserted] = cache.emplace(std::string(name), parse_calibration(*doc, file));
  return &it->second;
}

std::vector<std::string> builtin_calibration_names() {
  std::vector<std::string> names;
  for (const auto& b : builtins()) names.emplace_back(b.name);
  return names;
}

std::set<KernelClass> builtin_own_classes(std::string_view name) {
  std::set<KernelClass> classes;
  if (const auto part = own_part_of_builtin(name)) {
    for (const auto& row : part->rows) classes.insert(row.kind);
  }
  return classes;
}

std::string default_calibration_for(std::string_view gpu_id) {
  for (const auto& b : builtins()) {
    if (b.gpu_id == gpu_id) return std::string(b.name);
  }
  return {};
}

}  // namespace trainsim
