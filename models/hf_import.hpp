#pragma once
// A model object from a Hugging Face `config.json` (`trainsim import-hf`), for the families
// whose layers trainsim models: Llama and Mistral, Qwen2/Qwen3 (dense and MoE), Mixtral,
// DeepSeek-V2/V3. Only the keys that shape the layers are read; a key that asks for something
// trainsim does not model (MoE on some layers only, a non-gated activation) is an issue at its
// pointer rather than a silently different model. The result is read back by the model reader
// before it is returned, so it is a model trainsim accepts.
#include <string>

#include <nlohmann/json.hpp>

#include "core/config_error.hpp"

namespace trainsim {

// `config` as a scenario's "model" object with `id`; `file` names the input in its sources.
// Issues go to `diag` (the caller throws).
nlohmann::json import_hf_config(const nlohmann::json& config, const std::string& id, const std::string& file,
                                Diagnostics& diag);

// The families import_hf_config reads, by their model_type.
std::string hf_model_types();

}  // namespace trainsim
