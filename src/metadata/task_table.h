// Tables behind task detection (facts from the transformers / transformers.js auto-model mappings).
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace modelexport::metadata::task_table {

using Pair = std::pair<std::string_view, std::string_view>;

// Architectures whose name pattern alone would give the wrong task.
const std::vector<Pair>& exact_architectures();
// Architecture name suffixes (checked in order) and their task. Special values: "@seq2seq" (decided
// by the config), "@base" (a headless model), "@pretraining".
const std::vector<Pair>& architecture_suffixes();
// model_type → task when the config names no architecture.
const std::vector<Pair>& model_types();
// Aliases accepted for --task.
const std::vector<Pair>& task_aliases();
// Groups of tasks one head serves.
const std::vector<std::vector<std::string_view>>& task_families();
bool is_audio_model_type(std::string_view model_type);
bool is_vision_model_type(std::string_view model_type);
bool is_vlm_model_type(std::string_view model_type);
bool is_translation_model_type(std::string_view model_type);

}  // namespace modelexport::metadata::task_table
