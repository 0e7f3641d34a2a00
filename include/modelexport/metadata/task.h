// Pipeline task detection from a Hugging Face config.json (seed algorithm).
//
// Order: (1) an exact architecture map for the names whose suffix misleads (CLIPModel,
// WhisperForConditionalGeneration, MarianMTModel, ...), (2) architecture name patterns covering the
// transformers auto-model mappings (ForSequenceClassification, ForCausalLM, ForCTC, ...), refined
// by the config (vision_config/audio model types) and the labels (an NLI head with entailment and
// contradiction labels is zero-shot-classification), (3) the model card's pipeline_tag when the
// architecture allows it or when there is no architecture, (4) task_specific_params, (5) model_type,
// (6) labels alone, (7) a sentence-transformers folder. Nothing matched: TaskDetectionError.
//
//   auto d = modelexport::metadata::detect_task(read_file("config.json"));
//   // d.task == "token-classification", d.method == "architecture-pattern"
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace modelexport::metadata {

struct TaskDetection {
  std::string task;          // a pipeline task name, e.g. "text-classification"
  std::string method;        // override | architecture-map | architecture-pattern | model-card | labels |
                             // task_specific_params | model_type | sentence-transformers
  std::string architecture;  // config.architectures[0], if any
  std::string detail;        // one line on why
};

struct TaskHints {
  std::string model_card_pipeline_tag;  // from README.md front matter, if any
  bool sentence_transformers = false;   // modules.json present
};

// Throws TaskDetectionError when nothing identifies the task; MetadataReadError for invalid JSON.
TaskDetection detect_task(std::string_view config_json, const TaskHints& hints = {});

// Task from an architecture name alone (steps 1-2 without config refinements), if recognised.
std::optional<TaskDetection> task_from_architecture(std::string_view architecture);

// The pipeline task names modelexport knows, sorted.
const std::vector<std::string>& known_tasks();
// Canonical task name: resolves aliases (sentiment-analysis, ner, text-to-speech, ...). Throws
// UsageError listing the known tasks when the name is unknown.
std::string canonical_task(std::string_view name);
// Tasks a model detected as `task` may also legitimately be used for (same head, different
// pipeline), including `task` itself.
std::vector<std::string> compatible_tasks(std::string_view task);
// pipeline_tag from a model card's YAML front matter; empty when absent.
std::string model_card_pipeline_tag(std::string_view readme);

}  // namespace modelexport::metadata
