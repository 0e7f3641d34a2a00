// A Hugging Face tokenizer rebuilt from tokenizer.json bytes, with the same five stages as the
// Rust `tokenizers` library: added tokens → normalizer → pre-tokenizer → model → post-processor,
// and a decoder. Results (ids, tokens, offsets, type ids, masks, word ids) are meant to be identical
// to `tokenizers` (checked by the conformance suite against tokenizers@0.23.2).
//
// Offsets are character (Unicode code point) offsets into the original text, as the Python and
// Node bindings report them; special tokens added by the post-processor have (0, 0).
//
//   auto tok = modelexport::processors::Tokenizer::from_json(read_file("tokenizer.json"));
//   Encoding e = tok.encode("Hello world!");          // e.ids, e.tokens, e.offsets, ...
//   std::string text = tok.decode(e.ids, /*skip_special_tokens=*/true);
//
// Thread-safety: a Tokenizer is immutable after construction; encode/decode may be called from any
// number of threads at once. Copies share the same immutable state.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "modelexport/metadata/model_files.h"

namespace modelexport::processors {

struct Encoding {
  std::vector<int32_t> ids;
  std::vector<std::string> tokens;
  std::vector<std::pair<size_t, size_t>> offsets;  // code-point offsets into the original text
  std::vector<int32_t> type_ids;
  std::vector<int32_t> attention_mask;
  std::vector<int32_t> special_tokens_mask;
  std::vector<std::optional<uint32_t>> word_ids;
  std::vector<uint32_t> sequence_ids;  // internal: which input sequence (0 or 1) each token is from
  // With truncation and a stride: the windows that did not fit, each post-processed and padded like
  // the main encoding (tokenizers' overflowing).
  std::vector<Encoding> overflowing;
};

// The longest encoding a Tokenizer pads to: 16,777,216 (2^24) tokens. A padded encoding holds about
// 100 bytes a token (ids, type ids, masks, word ids, offsets, token strings), so padding to 2^24
// takes ~1.7 GB per text; longer lengths are refused before anything is allocated.
constexpr size_t kMaxPaddingLength = size_t{1} << 24;

struct TruncationParams {
  size_t max_length = 512;
  size_t stride = 0;  // tokens shared by consecutive overflowing windows (< max_length)
  enum class Strategy { kLongestFirst, kOnlyFirst, kOnlySecond } strategy = Strategy::kLongestFirst;
  bool left = false;  // direction: drop tokens from the left
};

struct PaddingParams {
  std::optional<size_t> length;  // fixed length; nullopt pads a batch to its longest encoding
  size_t multiple_of = 0;
  bool left = false;
  int32_t pad_id = 0, pad_type_id = 0;
  std::string pad_token = "[PAD]";
};

// The files of a model folder without tokenizer.json (slow-tokenizer formats).
struct LegacyTokenizerFiles {
  std::string vocab_txt;              // BERT WordPiece vocabulary, one token per line
  std::string vocab_json, merges_txt;  // GPT-2 byte-level BPE
  std::string sentencepiece_model;     // a SentencePiece Unigram .model (spiece.model, ...), bytes
  std::string tokenizer_config_json;  // do_lower_case, special tokens, add_prefix_space, ...
};

class Tokenizer {
 public:
  // Throws ProcessorReconstructionError naming the JSON path of anything unsupported or invalid
  // (an unknown component "type" lists the supported ones).
  static Tokenizer from_json(std::string_view tokenizer_json);
  // Builds the tokenizer transformers' converters (BertConverter, GPT2Converter, T5Converter) would
  // make from vocab.txt, vocab.json + merges.txt, or a SentencePiece Unigram .model. Throws
  // ProcessorReconstructionError when none is given.
  static Tokenizer from_legacy(const LegacyTokenizerFiles& files);
  // From a model's files (metadata::ModelFiles: embedded metadata or a folder): tokenizer.json, else
  // the legacy files above with tokenizer_config.json. Throws ProcessorReconstructionError naming
  // files.source and what it looked for when there is none.
  static Tokenizer from_files(const metadata::ModelFiles& files);
  // Whether `files` hold what from_files builds a tokenizer from (it may still throw on bad content).
  static bool files_hold_tokenizer(const metadata::ModelFiles& files);
  // The tokenizer.json text from_legacy builds (for unpacking or inspection).
  static std::string legacy_to_json(const LegacyTokenizerFiles& files);

  // Applies tokenizer.json's own truncation and padding settings, as Hugging Face does.
  Encoding encode(std::string_view text, bool add_special_tokens = true) const;
  Encoding encode_pair(std::string_view first, std::string_view second, bool add_special_tokens = true) const;
  // Encodes on up to `threads` threads (0: all cores); with padding, pads to the batch's longest.
  std::vector<Encoding> encode_batch(const std::vector<std::string>& texts, bool add_special_tokens = true,
                                     size_t threads = 0) const;
  std::string decode(const std::vector<int32_t>& ids, bool skip_special_tokens = true) const;

  // Truncation and padding start as tokenizer.json sets them. Change them before sharing the
  // Tokenizer between threads.
  const std::optional<TruncationParams>& truncation() const { return truncation_; }
  const std::optional<PaddingParams>& padding() const { return padding_; }
  void set_truncation(std::optional<TruncationParams> t) { truncation_ = std::move(t); }
  // Throws ProcessorReconstructionError when the length or multiple is above kMaxPaddingLength.
  void set_padding(std::optional<PaddingParams> p);

  std::optional<int32_t> token_to_id(std::string_view token) const;
  std::optional<std::string> id_to_token(int32_t id) const;
  size_t vocab_size() const;  // model vocabulary plus added tokens

  struct Impl;

 private:
  explicit Tokenizer(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  Encoding finish(Encoding first, std::optional<Encoding> second, bool add_special_tokens, bool pad) const;
  std::shared_ptr<const Impl> impl_;
  std::optional<TruncationParams> truncation_;
  std::optional<PaddingParams> padding_;
};

}  // namespace modelexport::processors
