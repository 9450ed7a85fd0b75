#include "models/hf_import.hpp"

#include <algorithm>
#include <array>
#include <optional>

#include "core/json_reader.hpp"
#include "models/model_spec.hpp"

namespace trainsim {
namespace {

enum class Family { llama, qwen2, qwen3, mixtral, qwen_moe, deepseek };

struct Known {
  std::string_view model_type;
  Family family;
};
constexpr std::array<Known, 9> kKnown{{{"llama", Family::llama},
                                       {"mistral", Family::llama},
                                       {"qwen2", Family::qwen2},
                                       {"qwen3", Family::qwen3},
                                       {"mixtral", Family::mixtral},
                                       {"qwen2_moe", Family::qwen_moe},
                                       {"qwen3_moe", Family::qwen_moe},
                                       {"deepseek_v2", Family::deepseek},
                                       {"deepseek_v3", Family::deepseek}}};

// Typed access to the config's top-level keys, each problem reported at its pointer.
class Config {
 public:
  Config(const nlohmann::json& doc, Diagnostics& diag) : doc_(doc), diag_(diag) {}

  std::optional<std::int64_t> count(const char* key, bool required) const {
    const auto* v = find(key);
    if (v == nullptr || v->is_null()) {
      if (required) diag_.error(child_pointer("", key), "missing key \"" + std::string(key) + "\"", "a count, e.g. 4096");
      return std::nullopt;
    }
    if (!v->is_number_integer() || v->get<std::int64_t>() < 0) {
      diag_.error(child_pointer("", key), "expected a non-negative integer, got " + describe_json(*v));
      return std::nullopt;
    }
    return v->get<std::int64_t>();
  }
  std::int64_t count_or(const char* key, std::int64_t fallback) const { return count(key, false).value_or(fallback); }
  bool flag(const char* key, bool fallback) const {
    const auto* v = find(key);
    if (v == nullptr || v->is_null()) return fallback;
    if (!v->is_boolean()) {
      diag_.error(child_pointer("", key), "expected true or false, got " + describe_json(*v));
      return fallback;
    }
    return v->get<bool>();
  }
  std::string text(const char* key) const {
    const auto* v = find(key);
    return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
  }
  [[nodiscard]] bool has(const char* key) const { return find(key) != nullptr && !find(key)->is_null(); }
  void error(const char* key, const std::string& message, const std::string& hint = {}) const {
    diag_.error(child_pointer("", key), message, hint);
  }

 private:
  const nlohmann::json* find(const char* key) const {
    const auto it = doc_.find(key);
    return it == doc_.end() ? nullptr : &*it;
  }
  const nlohmann::json& doc_;
  Diagnostics& diag_;
};

void set_if(nlohmann::json& j, const char* key, const std::optional<std::int64_t>& v) {
  if (v) j[key] = *v;
}

}  // namespace

std::string hf_model_types() {
  std::string out;
  for (const auto& k : kKnown) out += (out.empty() ? "" : ", ") + std::string(k.model_type);
  return out;
}

nlohmann::json import_hf_config(const nlohmann::json& doc, const std::string& id, const std::string& file, Diagnostics& diag) {
  if (!doc.is_object()) {
    diag.error("", "expected a Hugging Face config.json object, got " + describe_json(doc));
    return {};
  }
  const Config c(doc, diag);
  const auto type = c.text("model_type");
  const auto known = std::find_if(kKnown.begin(), kKnown.end(), [&](const Known& k) { return k.model_type == type; });
  if (known == kKnown.end()) {
    c.error("model_type", "model_type \"" + type + "\" is not a family trainsim imports", "model types read: " + hf_model_types());
    return {};
  }
  const Family family = known->family;
  nlohmann::json m;
  m["id"] = id;
  const auto architecture = doc.contains("architectures") && doc["architectures"].is_array() && !doc["architectures"].empty() &&
                                    doc["architectures"][0].is_string()
                                ? doc["architectures"][0].get<std::string>()
                                : type;
  m["name"] = architecture + " (imported)";
  std::vector<std::string> sources = {"imported by trainsim import-hf from " + file + " (Hugging Face config.json, model_type " +
                                      type + ")"};
  set_if(m, "vocab_size", c.count("vocab_size", true));
  const auto hidden = c.count("hidden_size", true);
  set_if(m, "hidden_size", hidden);
  set_if(m, "num_layers", c.count("num_hidden_layers", true));
  set_if(m, "max_sequence_length", c.count("max_position_embeddings", true));
  const auto heads = c.count("num_attention_heads", true);

  nlohmann::json attention;
  if (family == Family::deepseek) {
    attention["kind"] = "mla";
    set_if(attention, "num_heads", heads);
    nlohmann::json mla;
    // DeepSeek-V2-Lite has no query compression: q_lora_rank null means the full projection.
    mla["q_lora_rank"] = c.count_or("q_lora_rank", 0);
    set_if(mla, "kv_lora_rank", c.count("kv_lora_rank", true));
    set_if(mla, "qk_nope_head_dim", c.count("qk_nope_head_dim", true));
    set_if(mla, "qk_rope_head_dim", c.count("qk_rope_head_dim", true));
    set_if(mla, "v_head_dim", c.count("v_head_dim", true));
    attention["mla"] = mla;
  } else {
    const auto kv = c.count("num_key_value_heads", false).value_or(heads.value_or(0));
    attention["kind"] = heads && kv < *heads ? "gqa" : "mha";
    set_if(attention, "num_heads", heads);
    if (heads && kv < *heads) attention["num_kv_heads"] = kv;
    const std::int64_t fallback = hidden && heads && *heads > 0 ? *hidden / *heads : 0;
    attention["head_dim"] = c.count("head_dim", false).value_or(fallback);
    // Qwen2 puts biases on the query, key and value projections whatever the config says.
    if (family == Family::qwen2 || (family == Family::qwen_moe && type == "qwen2_moe") || c.flag("attention_bias", false)) {
      attention["qkv_bias"] = true;
    }
    if (family == Family::qwen3 || type == "qwen3_moe") attention["qk_norm"] = true;
    if (c.flag("attention_bias", false) && family == Family::llama) attention["output_bias"] = true;  // Llama biases o_proj too
    // Mistral's sliding window (every layer); Qwen's only when use_sliding_window says so.
    const bool windowed = family == Family::qwen2 || family == Family::qwen3 || family == Family::qwen_moe
                              ? c.flag("use_sliding_window", false)
                              : c.has("sliding_window");
    if (windowed) {
      if (c.has("max_window_layers")) {
        c.error("max_window_layers", "a sliding window on only some layers (max_window_layers) is not imported; give "
                                     "attention.sliding_window with its pattern by hand");
      } else if (const auto window = c.count("sliding_window", true)) {
        attention["sliding_window"] = {{"window", *window}};
      }
    }
  }
  m["attention"] = attention;

  if (const auto act = c.text("hidden_act"); act != "silu") {
    c.error("hidden_act", "hidden_act \"" + act + "\": these families' MLPs are gated SiLU (SwiGLU); another activation is not imported");
  }
  nlohmann::json ffn = {{"activation", "swiglu"}};
  set_if(ffn, "intermediate_size", c.count("intermediate_size", true));
  if (c.flag("mlp_bias", false)) ffn["bias"] = true;
  m["ffn"] = ffn;

  nlohmann::json moe;
  if (family == Family::mixtral) {
    set_if(moe, "num_routed_experts", c.count("num_local_experts", true));
    set_if(moe, "top_k", c.count("num_experts_per_tok", true));
    set_if(moe, "expert_intermediate_size", c.count("intermediate_size", true));
  } else if (family == Family::qwen_moe) {
    set_if(moe, "num_routed_experts", c.count("num_experts", true));
    set_if(moe, "top_k", c.count("num_experts_per_tok", true));
    const auto width = c.count("moe_intermediate_size", true);
    set_if(moe, "expert_intermediate_size", width);
    if (c.count_or("decoder_sparse_step", 1) != 1) {
      c.error("decoder_sparse_step", "MoE on every n-th layer only is not modelled (trainsim: dense first layers, then MoE)");
    }
    if (const auto it = doc.find("mlp_only_layers"); it != doc.end() && !(it->is_array() && it->empty())) {
      c.error("mlp_only_layers", "dense layers among the MoE layers are not modelled (trainsim: dense first layers, then MoE)");
    }
    // Qwen2-MoE's one shared expert is as wide as several routed ones: counted in their width.
    if (const auto shared = c.count_or("shared_expert_intermediate_size", 0); shared > 0 && width && *width > 0) {
      if (shared % *width != 0) {
        c.error("shared_expert_intermediate_size", "a shared expert of width " + std::to_string(shared) +
                                                       " is not a whole number of routed experts of width " + std::to_string(*width));
      } else {
        moe["num_shared_experts"] = shared / *width;
        sources.push_back("its shared expert of width " + std::to_string(shared) + " is counted as " +
                          std::to_string(shared / *width) + " experts of width " + std::to_string(*width));
      }
    }
  } else if (family == Family::deepseek) {
    set_if(moe, "num_routed_experts", c.count("n_routed_experts", true));
    set_if(moe, "num_shared_experts", c.count("n_shared_experts", false));
    set_if(moe, "top_k", c.count("num_experts_per_tok", true));
    set_if(moe, "expert_intermediate_size", c.count("moe_intermediate_size", true));
    set_if(moe, "first_dense_layers", c.count("first_k_dense_replace", false));
    if (c.count_or("moe_layer_freq", 1) != 1) c.error("moe_layer_freq", "MoE on every n-th layer only is not modelled");
    if (c.text("topk_method") == "noaux_tc") {
      moe["router_bias"] = true;  // the auxiliary-loss-free balancing bias (DeepSeek-V3 sec.2.1.2)
      // Group-limited routing over n_group groups: with one group of experts per node, as
      // DeepSeek-V3 lays its experts, the group limit is the node limit.
      if (const auto groups = c.count("topk_group", false)) {
        moe["max_nodes_per_token"] = *groups;
        sources.push_back("topk_group " + std::to_string(*groups) +
                          " read as max_nodes_per_token: one expert group per node, as DeepSeek-V3 trains (arXiv:2412.19437 sec.2.1.2)");
      }
    }
    if (const auto depth = c.count("num_nextn_predict_layers", false); depth && *depth > 0) m["mtp_depth"] = *depth;
  }
  if (!moe.empty()) m["moe"] = moe;
  m["norm"] = "rmsnorm";
  m["position_embedding"] = "rope";
  m["tied_embeddings"] = c.flag("tie_word_embeddings", false);
  m["sources"] = sources;
  if (diag.has_errors()) return m;

  // Read back as a scenario would read it: what is returned is a model trainsim accepts.
  ObjectReader reader(m, "", diag);
  (void)parse_model_spec(reader);
  return m;
}

}  // namespace trainsim
