// Fallbacks when tokenizer.json is absent: the tokenizer.json that transformers'
// convert_slow_tokenizer.py (BertConverter, GPT2Converter) builds from the slow tokenizer's files.
#include "format/wire.h"
#include "modelexport/common/codec.h"
#include "modelexport/common/error.h"
#include "modelexport/common/limits.h"
#include "modelexport/processors/tokenizer.h"
#include "processors/tokenizers/json_access.h"

#include <algorithm>
#include <cstring>

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

// A tokenizer_config.json setting; null is absent (as in transformers), another type an error.
bool config_bool(const Json& config, const char* key, bool fallback) {
  if (!config.contains(key) || config[key].is_null()) return fallback;
  if (!config[key].is_boolean())
    throw ProcessorReconstructionError(std::string("tokenizer_config.json ") + key + ": expected true or false, got " +
                                       config[key].dump());
  return config[key].get<bool>();
}

// T5's extra_ids (sentinel tokens appended to the vocabulary), bounded: each is a vocabulary entry.
constexpr int64_t kMaxExtraIds = 1 << 16;
int64_t config_extra_ids(const Json& config, int64_t fallback) {
  if (!config.contains("extra_ids") || config["extra_ids"].is_null()) return fallback;
  const Json& v = config["extra_ids"];
  if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > kMaxExtraIds)
    throw ProcessorReconstructionError("tokenizer_config.json extra_ids: expected an integer from 0 to " +
                                       std::to_string(kMaxExtraIds) + ", got " + v.dump());
  return v.get<int64_t>();
}

// The id of a special token in vocab.json / vocab.txt's vocabulary.
int64_t vocab_id(const Json& vocab, const std::string& token, const char* file) {
  const Json& v = vocab[token];
  if (!v.is_number_integer())
    throw ProcessorReconstructionError(std::string(file) + " \"" + token + "\": expected an integer id, got " +
                                       v.dump());
  return v.get<int64_t>();
}

// transformers reads vocab.txt and merges.txt as UTF-8 text (load_vocab, bpe_ranks: open(...,
// encoding="utf-8")), which fails on anything else; so does this, naming the file and the place.
void require_utf8(std::string_view text, const char* file) {
  if (size_t bad = invalid_utf8_offset(text); bad != std::string_view::npos)
    throw ProcessorReconstructionError(std::string(file) + ": not valid UTF-8 at " + utf8_error_position(text, bad) +
                                       "; expected UTF-8 text");
}

// The lines of a text file (a last line without its newline counts), for the caps before parsing.
size_t line_count(std::string_view text) {
  size_t n = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  return n + (!text.empty() && text.back() != '\n' ? 1 : 0);
}

// vocab.txt, vocab.json, SentencePiece pieces: at most kMaxVocabSize entries; merges.txt at most
// kMaxMerges lines. Checked before any DOM is built.
void check_count(const InputLimit& limit, size_t n, const char* file) {
  if (!within_limit(limit, n)) throw ProcessorReconstructionError(std::string(file) + ": " + limit_exceeded(limit, n));
}

Json added_token(int64_t id, const std::string& content, bool normalized) {
  return {{"id", id}, {"content", content}, {"single_word", false}, {"lstrip", false}, {"rstrip", false},
          {"normalized", normalized}, {"special", true}};
}

Json bert(const LegacyTokenizerFiles& f, const Json& config) {
  require_utf8(f.vocab_txt, "vocab.txt");
  check_count(kMaxVocabSize, line_count(f.vocab_txt), "vocab.txt");
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
    if (vocab.contains(t)) added.push_back(added_token(vocab_id(vocab, t, "vocab.txt"), t, false));
  }
  std::sort(added.begin(), added.end(), [](const Json& a, const Json& b) { return a["id"] < b["id"]; });
  bool lower = config_bool(config, "do_lower_case", true);
  Json strip = config.contains("strip_accents") ? config["strip_accents"] : Json(nullptr);
  auto piece = [](const std::string& kind, const std::string& id, int type) { return Json{{kind, {{"id", id}, {"type_id", type}}}}; };
  return {
      {"added_tokens", added},
      {"normalizer",
       {{"type", "BertNormalizer"},
        {"clean_text", true},
        {"handle_chinese_chars", config_bool(config, "tokenize_chinese_chars", true)},
        {"strip_accents", strip},
        {"lowercase", lower}}},
      {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
      {"post_processor",
       {{"type", "TemplateProcessing"},
        {"single", {piece("SpecialToken", cls, 0), piece("Sequence", "A", 0), piece("SpecialToken", sep, 0)}},
        {"pair",
         {piece("SpecialToken", cls, 0), piece("Sequence", "A", 0), piece("SpecialToken", sep, 0),
          piece("Sequence", "B", 1), piece("SpecialToken", sep, 1)}},
        {"special_tokens",
         {{cls, {{"id", cls}, {"ids", {vocab[cls]}}, {"tokens", {cls}}}},
          {sep, {{"id", sep}, {"ids", {vocab[sep]}}, {"tokens", {sep}}}}}}}},
      {"decoder", {{"type", "WordPiece"}, {"prefix", "##"}, {"cleanup", true}}},
      {"model",
       {{"type", "WordPiece"},
        {"unk_token", unk},
        {"continuing_subword_prefix", "##"},
        {"max_input_chars_per_word", 100},
        {"vocab", vocab}}},
  };
}

Json gpt2(const LegacyTokenizerFiles& f, const Json& config) {
  Json vocab = parse_json_object(f.vocab_json, "vocab.json");
  check_count(kMaxVocabSize, vocab.size(), "vocab.json");
  require_utf8(f.merges_txt, "merges.txt");
  check_count(kMaxMerges, line_count(f.merges_txt) - (f.merges_txt.rfind("#version", 0) == 0 ? 1 : 0), "merges.txt");
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
  bool prefix = config_bool(config, "add_prefix_space", false);
  Json added = Json::array();
  for (const char* key : {"bos_token", "eos_token", "unk_token", "pad_token"}) {
    std::string t = special(config, key, key == std::string("pad_token") ? "" : "<|endoftext|>");
    if (!t.empty() && vocab.contains(t) && std::none_of(added.begin(), added.end(), [&](const Json& a) { return a["content"] == t; }))
      added.push_back(added_token(vocab_id(vocab, t, "vocab.json"), t, true));
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

// A SentencePiece ModelProto (sentencepiece_model.proto): pieces (1: piece 1, score 2, type 3),
// trainer_spec (2: model_type 3, byte_fallback 35, unk_id 40), normalizer_spec (3:
// precompiled_charsmap 2).
struct SpmModel {
  struct Piece {
    std::string text;
    float score = 0;
    int type = 1;  // NORMAL 1, UNKNOWN 2, CONTROL 3, USER_DEFINED 4, UNUSED 5, BYTE 6
  };
  std::vector<Piece> pieces;
  int model_type = 1;  // UNIGRAM 1, BPE 2, WORD 3, CHAR 4
  bool byte_fallback = false;
  int unk_id = 0;
  std::string charsmap;
};

SpmModel parse_spm(std::string_view bytes) {
  using format::WireField;
  using format::WireReader;
  using format::WireType;
  SpmModel m;
  const uint64_t max_pieces = limit_value(kMaxVocabSize);
  try {
    WireReader r(bytes, 0, bytes.size(), "SentencePiece model");
    while (!r.done()) {
      WireField f = r.next();
      if (f.type != WireType::kLen) continue;
      WireReader sub(bytes, f.payload, "SentencePiece model");
      if (f.number == 1) {
        SpmModel::Piece p;
        while (!sub.done()) {
          WireField x = sub.next();
          if (x.number == 1 && x.type == WireType::kLen) p.text = std::string(x.payload);
          else if (x.number == 2 && x.type == WireType::kFixed32) {
            uint32_t bits = static_cast<uint32_t>(x.varint);
            std::memcpy(&p.score, &bits, sizeof p.score);
          } else if (x.number == 3 && x.type == WireType::kVarint) p.type = static_cast<int>(x.varint);
        }
        // Checked as they come: a piece costs ~40 bytes here for its 4 bytes in the file.
        if (m.pieces.size() >= max_pieces)
          throw ProcessorReconstructionError("SentencePiece model: at least " +
                                             limit_exceeded(kMaxVocabSize, max_pieces + 1));
        m.pieces.push_back(std::move(p));
      } else if (f.number == 2) {
        while (!sub.done()) {
          WireField x = sub.next();
          if (x.type != WireType::kVarint) continue;
          if (x.number == 3) m.model_type = static_cast<int>(x.varint);
          else if (x.number == 35) m.byte_fallback = x.varint != 0;
          else if (x.number == 40) m.unk_id = static_cast<int>(x.varint);
        }
      } else if (f.number == 3) {
        while (!sub.done()) {
          WireField x = sub.next();
          if (x.number == 2 && x.type == WireType::kLen) m.charsmap = std::string(x.payload);
        }
      }
    }
  } catch (const FormatError& e) {
    throw ProcessorReconstructionError(std::string("not a SentencePiece model: ") + e.what());
  }
  if (m.pieces.empty()) throw ProcessorReconstructionError("not a SentencePiece model: it has no pieces");
  // A piece is a protobuf string (sentencepiece_model.proto), UTF-8 text like every token.
  for (size_t i = 0; i < m.pieces.size(); ++i)
    if (size_t bad = invalid_utf8_offset(m.pieces[i].text); bad != std::string_view::npos)
      throw ProcessorReconstructionError("SentencePiece model: piece " + std::to_string(i) +
                                         " is not valid UTF-8 at byte " + std::to_string(bad) +
                                         "; expected UTF-8 text");
  return m;
}

// transformers' T5Converter (SpmConverter): Precompiled normalizer, WhitespaceSplit + Metaspace,
// Unigram with <extra_id_N> appended (N descending), "$A </s>" template, Metaspace decoder.
Json sentencepiece(const LegacyTokenizerFiles& f, const Json& config) {
  SpmModel m = parse_spm(f.sentencepiece_model);
  if (m.model_type != 1)
    throw ProcessorReconstructionError("SentencePiece model type " + std::to_string(m.model_type) +
                                       " (BPE/word/char) is not supported without tokenizer.json; only Unigram models are");
  Json vocab = Json::array(), added = Json::array();
  for (size_t i = 0; i < m.pieces.size(); ++i) {
    vocab.push_back({m.pieces[i].text, m.pieces[i].score});
    if (m.pieces[i].type == 2 || m.pieces[i].type == 3) added.push_back(added_token(static_cast<int64_t>(i), m.pieces[i].text, false));
  }
  // T5Tokenizer's default extra_ids is 100; without tokenizer_config.json the model is taken for T5.
  int64_t extra = config_extra_ids(config, 100);
  for (int64_t k = extra - 1; k >= 0; --k) {
    std::string t = "<extra_id_" + std::to_string(k) + ">";
    added.push_back(added_token(static_cast<int64_t>(vocab.size()), t, false));
    vocab.push_back({t, 0.0});
  }
  std::string eos = special(config, "eos_token", "</s>");
  int64_t eos_id = -1;
  for (size_t i = 0; i < m.pieces.size(); ++i)
    if (m.pieces[i].text == eos) eos_id = static_cast<int64_t>(i);
  if (eos_id < 0) throw ProcessorReconstructionError("the SentencePiece model has no \"" + eos + "\" piece");
  auto piece = [](const std::string& kind, const std::string& id) { return Json{{kind, {{"id", id}, {"type_id", 0}}}}; };
  Json normalizer = m.charsmap.empty() ? Json(nullptr)
                                       : Json{{"type", "Precompiled"}, {"precompiled_charsmap", base64_encode(m.charsmap)}};
  Json metaspace = {{"type", "Metaspace"}, {"replacement", "\u2581"}, {"add_prefix_space", true}};
  return {
      {"added_tokens", added},
      {"normalizer", normalizer},
      {"pre_tokenizer", {{"type", "Sequence"}, {"pretokenizers", {{{"type", "WhitespaceSplit"}}, metaspace}}}},
      {"post_processor",
       {{"type", "TemplateProcessing"},
        {"single", {piece("Sequence", "A"), piece("SpecialToken", eos)}},
        {"pair", {piece("Sequence", "A"), piece("SpecialToken", eos), piece("Sequence", "B"), piece("SpecialToken", eos)}},
        {"special_tokens", {{eos, {{"id", eos}, {"ids", {eos_id}}, {"tokens", {eos}}}}}}}},
      {"decoder", metaspace},
      {"model", {{"type", "Unigram"}, {"unk_id", m.unk_id}, {"byte_fallback", m.byte_fallback}, {"vocab", vocab}}},
  };
}

}  // namespace

std::string Tokenizer::legacy_to_json(const LegacyTokenizerFiles& f) {
  Json config = f.tokenizer_config_json.empty() ? Json::object() : parse_json_object(f.tokenizer_config_json, "tokenizer_config.json");
  Json j;
  if (!f.vocab_txt.empty()) j = bert(f, config);
  else if (!f.vocab_json.empty() && !f.merges_txt.empty()) j = gpt2(f, config);
  else if (!f.sentencepiece_model.empty()) j = sentencepiece(f, config);
  else throw ProcessorReconstructionError("no tokenizer.json, and no vocab.txt, vocab.json + merges.txt or SentencePiece .model to build one from");
  j["version"] = "1.0";
  j["truncation"] = nullptr;
  j["padding"] = nullptr;
  return j.dump();
}

Tokenizer Tokenizer::from_legacy(const LegacyTokenizerFiles& f) { return from_json(legacy_to_json(f)); }

}  // namespace modelexport::processors
