#include "modelexport/metadata/schema.h"

#include "modelexport/common/error.h"

namespace modelexport::metadata {

Level parse_level(std::string_view name) {
  if (name == "minimal") return Level::kMinimal;
  if (name == "essential") return Level::kEssential;
  if (name == "full") return Level::kFull;
  throw UsageError("unknown metadata level '" + std::string(name) + "': expected minimal, essential or full");
}

std::string_view level_name(Level level) {
  switch (level) {
    case Level::kMinimal: return "minimal";
    case Level::kEssential: return "essential";
    case Level::kFull: return "full";
  }
  return "full";
}

const std::vector<KeySpec>& schema_keys() {
  using K = ValueKind;
  static const std::vector<KeySpec> specs = {
      {keys::kVersion, K::kText, true, "schema version, \"2.0\""},
      {keys::kTimestamp, K::kText, true, "UTC time of embedding (ISO 8601)"},
      {keys::kTransformersVersion, K::kText, false, "transformers version named by config.json"},
      {keys::kPipelineTask, K::kText, true, "pipeline task (detected or given)"},
      {keys::kPipelineConfig, K::kJsonObject, true, "pipeline settings: labels, pooling, problem type"},
      {keys::kFeatureEngineering, K::kJsonObject, true, "processor kind and its essential settings {type, config}"},
      {keys::kExportConfig, K::kJsonObject, true, "how the metadata was made: tool, level, source, task method"},
      {keys::kManifest, K::kJsonObject, true, "embedded files: name, key, size, sha256"},
      {keys::kModelConfig, K::kJsonObject, true, "config.json (reduced at the minimal level)"},
      {keys::kGenerationConfig, K::kFile, false, "generation_config.json"},
      {keys::kTokenizerConfig, K::kFile, false, "tokenizer_config.json"},
      {keys::kSpecialTokensMap, K::kFile, false, "special_tokens_map.json"},
      {keys::kAddedTokens, K::kFile, false, "added_tokens.json"},
      {keys::kChatTemplate, K::kFile, false, "chat_template.jinja"},
      {keys::kChatTemplateJson, K::kFile, false, "chat_template.json"},
      {keys::kImageProcessorConfig, K::kFile, false, "preprocessor_config.json of an image processor"},
      {keys::kFeatureExtractorConfig, K::kFile, false, "preprocessor_config.json of an audio feature extractor"},
      {keys::kProcessorConfig, K::kFile, false, "processor_config.json"},
      {keys::kSentenceTransformersModules, K::kFile, false, "sentence-transformers modules.json"},
      {keys::kPoolingConfig, K::kFile, false, "sentence-transformers 1_Pooling/config.json"},
      {keys::kTokenizerJson, K::kFile, false, "tokenizer.json (full level)"},
      {keys::kQuantization, K::kJsonObject, false, "written by quantize: dtype, block size, symmetry, accuracy level"},
  };
  return specs;
}

std::string_view logical_key(std::string_view stored_key) {
  if (stored_key.size() > kCompressedSuffix.size() &&
      stored_key.substr(stored_key.size() - kCompressedSuffix.size()) == kCompressedSuffix)
    return stored_key.substr(0, stored_key.size() - kCompressedSuffix.size());
  return stored_key;
}

std::optional<KeySpec> find_key(std::string_view key) {
  for (const auto& s : schema_keys())
    if (s.key == key) return s;
  if (key.substr(0, kFileKeyPrefix.size()) == kFileKeyPrefix && key.size() > kFileKeyPrefix.size())
    return KeySpec{key, ValueKind::kFile, false, "embedded file"};
  return std::nullopt;
}

bool is_never_compressed(std::string_view key) { return key == keys::kVersion || key == keys::kPipelineTask; }

bool is_owned_key(std::string_view stored_key) {
  std::string_view key = logical_key(stored_key);
  return key != keys::kQuantization && find_key(key).has_value();  // hf_quantization describes the graph
}

const std::vector<KnownFile>& known_files() {
  static const std::vector<KnownFile> files = {
      {"config.json", keys::kModelConfig, Level::kEssential},
      {"generation_config.json", keys::kGenerationConfig, Level::kEssential},
      {"tokenizer_config.json", keys::kTokenizerConfig, Level::kEssential},
      {"special_tokens_map.json", keys::kSpecialTokensMap, Level::kEssential},
      {"added_tokens.json", keys::kAddedTokens, Level::kEssential},
      {"chat_template.jinja", keys::kChatTemplate, Level::kEssential},
      {"chat_template.json", keys::kChatTemplateJson, Level::kEssential},
      {"preprocessor_config.json", keys::kImageProcessorConfig, Level::kEssential},
      {"processor_config.json", keys::kProcessorConfig, Level::kEssential},
      {"modules.json", keys::kSentenceTransformersModules, Level::kEssential},
      {"1_Pooling/config.json", keys::kPoolingConfig, Level::kEssential},
      {"sentence_bert_config.json", "hf_file:sentence_bert_config.json", Level::kEssential},
      {"config_sentence_transformers.json", "hf_file:config_sentence_transformers.json", Level::kEssential},
      {"genai_config.json", "hf_file:genai_config.json", Level::kEssential},
      {"quantize_config.json", "hf_file:quantize_config.json", Level::kEssential},
      {"tokenizer.json", keys::kTokenizerJson, Level::kFull},
      {"normalizer.json", "hf_file:normalizer.json", Level::kFull},
  };
  return files;
}

bool is_legacy_vocab_file(std::string_view name) {
  if (name.find('/') != std::string_view::npos) return false;
  static constexpr std::string_view exact[] = {"vocab.txt", "vocab.json", "merges.txt", "spiece.model",
                                               "sentencepiece.bpe.model", "tokenizer.model", "source.spm",
                                               "target.spm", "spm.model", "bpe.codes"};
  for (auto e : exact)
    if (name == e) return true;
  auto ends = [&](std::string_view s) { return name.size() > s.size() && name.substr(name.size() - s.size()) == s; };
  return ends(".model") || ends(".spm") || ends(".tiktoken");
}

}  // namespace modelexport::metadata
