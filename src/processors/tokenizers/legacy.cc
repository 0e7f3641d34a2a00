// Fallbacks when tokenizer.json is absent: the tokenizer.json that transformers'
// convert_slow_tokenizer.py (BertConverter, GPT2Converter) builds from the slow tokenizer's files.
#include "modelexport/common/error.h"
#include "modelexport/processors/tokenizer.h"
#include "processors/tokenizers/json_access.h"

namespace modelexport::processors {
namespace {

// A special token of tokenizer_config.json: a string or {"content": ...}.
std::string special(const Json& config, const char* key, const std::string& fallback) {
  if (!config.contains(key)) return fallback;
  const Json& v = config[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
  return fallback;
}

Json added_token(int64_t id, const std::string& content, bool normalized) {
  return {{"id", id}, {"content", content}, {"single_word", false}, {"lstrip", false}, {"rstrip", false},
          {"normalized", normalized}, {"special", true}};
}

Json bert(const LegacyTokenizerFiles& f, const Json& config) {
  Json vocab = Json::object();
  size_t start = 0, id = 0;
  while (start < f.vocab_txt.size()) {
    size_t end = f.vocab_txt.find('\n', start);
    if (end == std::string::npos) end = f.vocab_txt.size();
    vocab[f.vocab_txt.substr(start, end - start)] = id++;  // load_vocab: rstrip("\n") only; a repeated token keeps the last id
    start = end + 1;
  }
  std::string cls = special(config, "cls_token", "[CLS]"), sep = special(config, "sep_token", "[SEP]");
  std::string unk = special(config, "unk_token", "[UNK]");
  for (const auto& t : {cls, sep, unk})
    if (!vocab.contains(t)) throw ProcessorReconstructionError("vocab.txt has no \"" + t + "\" token, which the tokenizer config names");
  Json added = Json::array();
  static const std::pair<const char*, const char*> kSpecial[] = {
      {"pad_token", "[PAD]"}, {"unk_token", "[UNK]"}, {"cls_token", "[CLS]"}, {"sep_token", "[SEP]"}, {"mask_token", "[MASK]"}};
  for (const auto& [key, fallback] : kSpecial) {
    std::string t = special(config, key, fallback);
    if (vocab.contains(t)) added.push_back(added_token(vocab[t].get<int64_t>(), t, false));
  }
  std::sort(added.begin(), added.end(), [](const Json& a, const Json& b) { return a["id"] < b["id"]; });
  bool lower = config.value("do_lower_case", true);
  Json strip = config.contains("strip_accents") ? config["strip_accents"] : Json(nullptr);
  auto piece = [](const std::string& kind, const std::string& id, int type) { return Json{{kind, {{"id", id}, {"type_id", type}}}}; };
  return {
      {"added_tokens", added},
      {"normalizer", {{"type", "BertNormalizer"}, {"clean_text", true}, {"handle_chinese_chars", config.value("tokenize_chinese_chars", true)},
                      {"strip_accents", strip}, {"lowercase", lower}}},
      {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
      {"post_processor",
       {{"type", "TemplateProcessing"},
        {"single", {piece("SpecialToken", cls, 0), piece("Sequence", "A", 0), piece("SpecialToken", sep, 0)}},
        {"pair", {piece("SpecialToken", cls, 0), piece("Sequence", "A", 0), piece("SpecialToken", sep, 0), piece("Sequence", "B", 1),
                  piece("SpecialToken", sep, 1)}},
        {"special_tokens", {{cls, {{"id", cls}, {"ids", {vocab[cls]}}, {"tokens", {cls}}}}, {sep, {{"id", sep}, {"ids", {vocab[sep]}}, {"tokens", {sep}}}}}}}},
      {"decoder", {{"type", "WordPiece"}, {"prefix", "##"}, {"cleanup", true}}},
      {"model", {{"type", "WordPiece"}, {"unk_token", unk}, {"continuing_subword_prefix", "##"}, {"max_input_chars_per_word", 100}, {"vocab", vocab}}},
  };
}

Json gpt2(const LegacyTokenizerFiles& f, const Json& config) {
  Json vocab = parse_json_object(f.vocab_json, "vocab.json");
  Json merges = Json::array();
  size_t start = 0, line = 0;
  while (start < f.merges_txt.size()) {
    size_t end = f.merges_txt.find('\n', start);
    if (end == std::string::npos) end = f.merges_txt.size();
    std::string m = f.merges_txt.substr(start, end - start);
    if (!m.empty() && m.back() == '\r') m.pop_back();
    start = end + 1;
    if (line++ == 0 && m.rfind("#version", 0) == 0) continue;
    if (!m.empty()) merges.push_back(m);
  }
  bool prefix = config.value("add_prefix_space", false);
  Json added = Json::array();
  for (const char* key : {"bos_token", "eos_token", "unk_token", "pad_token"}) {
    std::string t = special(config, key, key == std::string("pad_token") ? "" : "<|endoftext|>");
    if (!t.empty() && vocab.contains(t) && std::none_of(added.begin(), added.end(), [&](const Json& a) { return a["content"] == t; }))
      added.push_back(added_token(vocab[t].get<int64_t>(), t, true));
  }
  return {
      {"added_tokens", added},
      {"normalizer", nullptr},
      {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", prefix}, {"trim_offsets", true}, {"use_regex", true}}},
      {"post_processor", {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", false}, {"use_regex", true}}},
      {"decoder", {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}}},
      {"model", {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr}, {"continuing_subword_prefix", ""}, {"end_of_word_suffix", ""},
                 {"fuse_unk", false}, {"byte_fallback", false}, {"vocab", vocab}, {"merges", merges}}},
  };
}

}  // namespace

std::string Tokenizer::legacy_to_json(const LegacyTokenizerFiles& f) {
  Json config = f.tokenizer_config_json.empty() ? Json::object() : parse_json_object(f.tokenizer_config_json, "tokenizer_config.json");
  Json j;
  if (!f.vocab_txt.empty()) j = bert(f, config);
  else if (!f.vocab_json.empty() && !f.merges_txt.empty()) j = gpt2(f, config);
  else throw ProcessorReconstructionError("no tokenizer.json, and no vocab.txt or vocab.json + merges.txt to build one from");
  j["version"] = "1.0";
  j["truncation"] = nullptr;
  j["padding"] = nullptr;
  return j.dump();
}

Tokenizer Tokenizer::from_legacy(const LegacyTokenizerFiles& f) { return from_json(legacy_to_json(f)); }

}  // namespace modelexport::processors
