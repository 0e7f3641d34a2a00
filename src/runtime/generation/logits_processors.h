// The built-in logits processors and warpers, one class per transformers class of the same name
// (transformers src/transformers/generation/logits_process.py at commit 00857b6c, the v4.57+ line). Each computes in
// float32 as torch does on float32 scores; the numpy write-out in scripts/golden/generation_rules.py is the test
// reference. min_tokens_to_keep is 1, or 2 for beam sampling (transformers' rule).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "runtime/generation/logits_processor.h"

namespace modelexport::runtime::generation {

// RepetitionPenaltyLogitsProcessor: each distinct token of the row: score < 0 ? score * p : score / p.
class RepetitionPenalty final : public LogitsProcessor {
 public:
  RepetitionPenalty(double penalty, std::optional<int64_t> pad_token_id);
  void apply(const RowState& row, std::span<float> scores) override;

 private:
  float penalty_;
  std::optional<int64_t> pad_;
  std::vector<uint32_t> seen_;  // per-vocab stamp of the current call (no per-call clearing)
  uint32_t stamp_ = 0;
};

// NoRepeatNGramLogitsProcessor: bans tokens that would repeat an n-gram of the row.
class NoRepeatNGram final : public LogitsProcessor {
 public:
  explicit NoRepeatNGram(size_t n);
  void apply(const RowState& row, std::span<float> scores) override;

 private:
  size_t n_;
};

// EncoderNoRepeatNGramLogitsProcessor: bans tokens that would repeat an n-gram of the encoder input.
class EncoderNoRepeatNGram final : public LogitsProcessor {
 public:
  explicit EncoderNoRepeatNGram(size_t n);
  void apply(const RowState& row, std::span<float> scores) override;

 private:
  size_t n_;
};

// NoBadWordsLogitsProcessor: single-token bad words always -inf; longer ones when the row ends with
// their prefix. Sequences equal to [eos] are dropped (Python's rule).
class NoBadWords final : public LogitsProcessor {
 public:
  NoBadWords(std::vector<std::vector<int64_t>> bad_words_ids, const std::vector<int64_t>& eos_token_id);
  void apply(const RowState& row, std::span<float> scores) override;

 private:
  std::vector<int64_t> single_;
  std::vector<std::vector<int64_t>> multi_;
};

// MinLengthLogitsProcessor: eos -inf while cur_len < min_length.
class MinLength final : public LogitsProcessor {
 public:
  MinLength(int64_t min_length, std::vector<int64_t> eos_token_id);
  void apply(const RowState& row, std::span<float> scores) override;

 private:
  int64_t min_length_;
  std::vector<int64_t> eos_;
};

// MinNewTokensLengthLogitsProcessor: eos -inf while cur_len - prompt_len < min_new_tokens.
class MinNewTokens final : public LogitsProcessor {
 public:
  MinNewTokens(int64_t min_new_tokens, std::vector<int64_t> eos_token_id);
  void apply(const RowState& row, std::span<float> scores) override;

 private:
  int64_t min_new_tokens_;
  std::vector<int64_t> eos_;
};

// ForcedBOSTokenLogitsProcessor: at cur_len 1 every token but bos is -inf, bos 0.
class ForcedBos final : public LogitsProcessor {
 public:
  explicit ForcedBos(int64_t bos_token_id);
  void apply(const RowState& row, std::span<float> scores) override;

 private:
  int64_t bos_;
};

// ForcedEOSTokenLogitsProcessor: at cur_len max_length - 1 every token but the eos ids is -inf, they 0.
class ForcedEos final : public LogitsProcessor {
 public:
  ForcedEos(int64_t max_length, std::vector<int64_t> eos_token_id);
  void apply(const RowState& row, std::span<float> scores) override;

 private:
  int64_t max_length_;
  std::vector<int64_t> eos_;
};

// SuppressTokensLogitsProcessor: the tokens -inf at every step.
class SuppressTokens final : public LogitsProcessor {
 public:
  explicit SuppressTokens(std::vector<int64_t> tokens);
  void apply(const RowState& row, std::span<float> scores) override;

 private:
  std::vector<int64_t> tokens_;
};

// SuppressTokensAtBeginLogitsProcessor: the tokens -inf when cur_len == begin_index.
class SuppressTokensAtBegin final : public LogitsProcessor {
 public:
  SuppressTokensAtBegin(std::vector<int64_t> tokens, size_t begin_index);
  void apply(const RowState& row, std::span<float> scores) override;

 private:
  std::vector<int64_t> tokens_;
  size_t begin_index_;
};

// ForceTokensLogitsProcessor (forced_decoder_ids; transformers v4.39 logits_process.py, removed from
// generate() since, where Whisper builds its decoder prompt instead): when cur_len equals a forced
// index, every other token -inf and the forced one 0.
class ForceTokens final : public LogitsProcessor {
 public:
  explicit ForceTokens(std::vector<std::pair<int64_t, int64_t>> forced);
  void apply(const RowState& row, std::span<float> scores) override;

 private:
  std::vector<std::pair<int64_t, int64_t>> forced_;
};

// TemperatureLogitsWarper: scores / temperature.
class Temperature final : public LogitsProcessor {
 public:
  explicit Temperature(double temperature);
  void apply(const RowState& row, std::span<float> scores) override;

 private:
  float temperature_;
};

// TopKLogitsWarper: scores below the k-th largest -inf (ties with it kept). O(vocab) (nth_element).
class TopK final : public LogitsProcessor {
 public:
  TopK(size_t k, size_t min_tokens_to_keep);
  void apply(const RowState& row, std::span<float> scores) override;

 private:
  size_t k_;
  std::vector<float> scratch_;
};

// TopPLogitsWarper: ascending sort, float32 softmax and cumulative sum; tokens whose cumulative
// probability <= 1 - top_p are -inf, except the min_tokens_to_keep largest.
class TopP final : public LogitsProcessor {
 public:
  TopP(double top_p, size_t min_tokens_to_keep);
  void apply(const RowState& row, std::span<float> scores) override;

 private:
  float threshold_;  // float32(1 - top_p), as torch compares
  size_t min_keep_;
  std::vector<uint32_t> order_;
  std::vector<float> probs_;
};

// MinPLogitsWarper: tokens with probability < min_p * max probability -inf, except the
// min_tokens_to_keep largest.
class MinP final : public LogitsProcessor {
 public:
  MinP(double min_p, size_t min_tokens_to_keep);
  void apply(const RowState& row, std::span<float> scores) override;

 private:
  float min_p_;
  size_t min_keep_;
  std::vector<float> probs_;
};

// TypicalLogitsWarper: keeps the tokens closest to the distribution's entropy up to mass typical_p.
class TypicalP final : public LogitsProcessor {
 public:
  TypicalP(double mass, size_t min_tokens_to_keep);
  void apply(const RowState& row, std::span<float> scores) override;

 private:
  float mass_;
  size_t min_keep_;
  std::vector<uint32_t> order_;
  std::vector<float> shifted_, probs_, sorted_probs_;
};

}  // namespace modelexport::runtime::generation
