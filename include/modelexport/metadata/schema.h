// Schema v2 of the Hugging Face metadata modelexport writes into ONNX metadata_props.
//
// Keys named in the seed design: hf_metadata_version ("2.0"), hf_export_timestamp,
// hf_transformers_version, hf_model_config, hf_tokenizer_config, hf_image_processor_config,
// hf_feature_extractor_config, feature_engineering ({type, config}), hf_pipeline_task,
// hf_pipeline_config, export_config. Added here: hf_manifest (the embedded files with size and
// sha256), hf_tokenizer_json, hf_generation_config, hf_special_tokens_map, hf_added_tokens,
// hf_chat_template(_json), hf_processor_config, hf_sentence_transformers_modules, hf_pooling_config,
// and "hf_file:<relative name>" for any other file (legacy vocabularies, sentence-transformers extras).
//
// A value larger than the compression threshold is stored gzip-compressed and base64-encoded under
// "<key>:compressed"; binary files (SentencePiece models) are always stored that way.
//
//   auto spec = modelexport::metadata::find_key("hf_model_config");   // kind == ValueKind::kJsonObject
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace modelexport::metadata {

inline constexpr std::string_view kSchemaVersion = "2.0";
inline constexpr std::string_view kCompressedSuffix = ":compressed";
inline constexpr std::string_view kFileKeyPrefix = "hf_file:";

namespace keys {
inline constexpr std::string_view kVersion = "hf_metadata_version";
inline constexpr std::string_view kTimestamp = "hf_export_timestamp";
inline constexpr std::string_view kTransformersVersion = "hf_transformers_version";
inline constexpr std::string_view kModelConfig = "hf_model_config";
inline constexpr std::string_view kTokenizerConfig = "hf_tokenizer_config";
inline constexpr std::string_view kImageProcessorConfig = "hf_image_processor_config";
inline constexpr std::string_view kFeatureExtractorConfig = "hf_feature_extractor_config";
inline constexpr std::string_view kFeatureEngineering = "feature_engineering";
inline constexpr std::string_view kPipelineTask = "hf_pipeline_task";
inline constexpr std::string_view kPipelineConfig = "hf_pipeline_config";
inline constexpr std::string_view kExportConfig = "export_config";
inline constexpr std::string_view kManifest = "hf_manifest";
inline constexpr std::string_view kTokenizerJson = "hf_tokenizer_json";
inline constexpr std::string_view kGenerationConfig = "hf_generation_config";
inline constexpr std::string_view kSpecialTokensMap = "hf_special_tokens_map";
inline constexpr std::string_view kAddedTokens = "hf_added_tokens";
inline constexpr std::string_view kChatTemplate = "hf_chat_template";
inline constexpr std::string_view kChatTemplateJson = "hf_chat_template_json";
inline constexpr std::string_view kProcessorConfig = "hf_processor_config";
inline constexpr std::string_view kSentenceTransformersModules = "hf_sentence_transformers_modules";
inline constexpr std::string_view kPoolingConfig = "hf_pooling_config";
// Written by `quantize` (dtype, block size, ...). It describes the graph, not the Hugging Face files,
// so it is not one of the keys embed-metadata owns and replaces: re-embedding keeps it.
inline constexpr std::string_view kQuantization = "hf_quantization";
}  // namespace keys

// How much is embedded. minimal: task, architecture, labels, essential shapes. essential: full model
// and processor configs, no vocabulary. full: everything needed to rebuild the processor.
enum class Level { kMinimal = 0, kEssential = 1, kFull = 2 };
// Accepts "minimal", "essential", "full". Throws UsageError listing the levels otherwise.
Level parse_level(std::string_view name);
std::string_view level_name(Level level);

enum class ValueKind {
  kText,        // free text (version strings, timestamps, task names, chat templates)
  kJsonObject,  // a JSON object
  kJson,        // any JSON value
  kFile,        // an embedded file, verbatim (text or binary)
};

struct KeySpec {
  std::string_view key;
  ValueKind kind;
  bool required;  // present in every schema-v2 model written by modelexport
  std::string_view description;
};

// Every fixed key of the schema, in the order analyze prints them (hf_quantization included).
const std::vector<KeySpec>& schema_keys();
// The spec of a logical key (without ":compressed"); "hf_file:*" keys get a kFile spec.
std::optional<KeySpec> find_key(std::string_view key);
// True for keys modelexport owns (schema keys, hf_file:*, and their ":compressed" forms); these are
// replaced on re-embedding, every other key is preserved. hf_quantization is a schema key but not
// owned: it describes the graph, so re-embedding keeps it.
bool is_owned_key(std::string_view stored_key);
// Strips ":compressed".
std::string_view logical_key(std::string_view stored_key);
// The identity keys a reader looks at first to know what the file is (hf_metadata_version,
// hf_pipeline_task): always stored as plain text, whatever the compression threshold.
bool is_never_compressed(std::string_view logical_key);

// A file of a Hugging Face model folder and where it goes.
struct KnownFile {
  std::string_view name;  // relative path in the folder
  std::string_view key;   // metadata key (preprocessor_config.json's key is chosen by content)
  Level level;            // lowest level that embeds it
};
const std::vector<KnownFile>& known_files();
// Legacy vocabulary files matched by pattern at the full level (vocab.txt, vocab.json, merges.txt,
// *.model, *.spm, ...).
bool is_legacy_vocab_file(std::string_view name);

}  // namespace modelexport::metadata
