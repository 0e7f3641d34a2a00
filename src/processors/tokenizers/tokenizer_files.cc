// Tokenizer::from_files: the tokenizer of a model's files, as transformers' AutoTokenizer picks it:
// tokenizer.json when present, else the slow-tokenizer files converted (legacy.cc).
#include "modelexport/common/error.h"
#include "modelexport/processors/tokenizer.h"

namespace modelexport::processors {

namespace {

LegacyTokenizerFiles legacy_files(const metadata::ModelFiles& files) {
  LegacyTokenizerFiles legacy;
  auto text = [&](const char* name) { return files.has(name) ? *files.get(name) : std::string(); };
  legacy.vocab_txt = text("vocab.txt");
  legacy.vocab_json = text("vocab.json");
  legacy.merges_txt = text("merges.txt");
  legacy.tokenizer_config_json = text("tokenizer_config.json");
  for (const auto& [name, bytes] : files.files)
    if (name.size() > 6 && name.compare(name.size() - 6, 6, ".model") == 0 && legacy.sentencepiece_model.empty())
      legacy.sentencepiece_model = bytes;
  return legacy;
}

bool legacy_complete(const LegacyTokenizerFiles& legacy) {
  return !legacy.vocab_txt.empty() || (!legacy.vocab_json.empty() && !legacy.merges_txt.empty()) ||
         !legacy.sentencepiece_model.empty();
}

}  // namespace

bool Tokenizer::files_hold_tokenizer(const metadata::ModelFiles& files) {
  return files.has("tokenizer.json") || legacy_complete(legacy_files(files));
}

Tokenizer Tokenizer::from_files(const metadata::ModelFiles& files) {
  if (const std::string* json = files.get("tokenizer.json")) return from_json(*json);
  LegacyTokenizerFiles legacy = legacy_files(files);
  if (!legacy_complete(legacy))
    throw ProcessorReconstructionError(
        files.source + " has no tokenizer: expected tokenizer.json, vocab.txt, vocab.json + merges.txt or a SentencePiece .model. Embed them with "
        "`modelexport embed-metadata MODEL HF_FOLDER` (level full) or put the Hugging Face files beside the model");
  return from_legacy(legacy);
}

}  // namespace modelexport::processors
