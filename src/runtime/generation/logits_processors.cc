#include "runtime/generation/logits_processors.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "modelexport/common/error.h"
#include "runtime/generation/sampler.h"

namespace modelexport::runtime::generation {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

void ban(std::span<float> scores, int64_t token) {
  if (token >= 0 && static_cast<size_t>(token) < scores.size()) scores[static_cast<size_t>(token)] = kNegInf;
}

// Every token -inf but `keep` (0), as the forced-token processors write it.
void force(std::span<float> scores, std::span<const int64_t> keep) {
  std::fill(scores.begin(), scores.end(), kNegInf);
  for (int64_t t : keep)
    if (t >= 0 && static_cast<size_t>(t) < scores.size()) scores[static_cast<size_t>(t)] = 0.0f;
}

// Python's _get_ngrams + _get_generated_ngrams for one row, without building the dict: every
// position where the n-1 tokens before it equal the row's last n-1 tokens bans the token there.
void ban_ngram_continuations(std::span<const int64_t> source, std::span<const int64_t> row, size_t n,
                             std::span<float> scores) {
  if (n == 0 || row.size() + 1 < n || source.size() < n) return;
  std::span<const int64_t> tail = row.subspan(row.size() + 1 - n);  // n-1 tokens
  for (size_t start = 0; start + n <= source.size(); ++start) {
    if (std::equal(tail.begin(), tail.end(), source.begin() + static_cast<ptrdiff_t>(start)))
      ban(scores, source[start + n - 1]);
  }
}

}  // namespace

// ---- RepetitionPenaltyLogitsProcessor
RepetitionPenalty::RepetitionPenalty(double penalty, std::optional<int64_t> pad_token_id)
    : penalty_(static_cast<float>(penalty)), pad_(pad_token_id) {}

void RepetitionPenalty::apply(const RowState& row, std::span<float> scores) {
  if (seen_.size() != scores.size()) {
    seen_.assign(scores.size(), 0);
    stamp_ = 0;
  }
  if (++stamp_ == 0) {  // wrapped: clear once every 2^32 calls
    std::fill(seen_.begin(), seen_.end(), 0);
    stamp_ = 1;
  }
  auto penalise = [&](int64_t t) {
    if (t < 0 || static_cast<size_t>(t) >= scores.size()) return;
    size_t i = static_cast<size_t>(t);
    if (seen_[i] == stamp_) return;  // torch.gather/scatter: once per distinct token
    seen_[i] = stamp_;
    float s = scores[i];
    scores[i] = s < 0 ? s * penalty_ : s / penalty_;
  };
  // Python's input_ids hold the left padding of a batched prompt too.
  if (row.left_padding > 0 && pad_) penalise(*pad_);
  for (int64_t t : row.ids) penalise(t);
}

// ---- NoRepeatNGramLogitsProcessor
NoRepeatNGram::NoRepeatNGram(size_t n) : n_(n) {}

void NoRepeatNGram::apply(const RowState& row, std::span<float> scores) {
  ban_ngram_continuations(row.ids, row.ids, n_, scores);
}

// ---- EncoderNoRepeatNGramLogitsProcessor
EncoderNoRepeatNGram::EncoderNoRepeatNGram(size_t n) : n_(n) {}

void EncoderNoRepeatNGram::apply(const RowState& row, std::span<float> scores) {
  ban_ngram_continuations(row.encoder_ids, row.ids, n_, scores);
}

// ---- NoBadWordsLogitsProcessor
NoBadWords::NoBadWords(std::vector<std::vector<int64_t>> bad_words_ids, const std::vector<int64_t>& eos_token_id) {
  for (auto& seq : bad_words_ids) {
    // Python drops a bad word that is exactly one eos token.
    if (seq.size() == 1 && std::find(eos_token_id.begin(), eos_token_id.end(), seq[0]) != eos_token_id.end()) continue;
    if (seq.size() == 1) single_.push_back(seq[0]);
    else if (!seq.empty()) multi_.push_back(std::move(seq));
  }
}

void NoBadWords::apply(const RowState& row, std::span<float> scores) {
  for (int64_t t : single_) ban(scores, t);
  for (const auto& seq : multi_) {
    size_t prefix = seq.size() - 1;
    if (prefix > row.ids.size()) continue;
    if (std::equal(seq.begin(), seq.begin() + static_cast<ptrdiff_t>(prefix),
                   row.ids.end() - static_cast<ptrdiff_t>(prefix)))
      ban(scores, seq.back());
  }
}

// ---- MinLengthLogitsProcessor / MinNewTokensLengthLogitsProcessor
MinLength::MinLength(int64_t min_length, std::vector<int64_t> eos_token_id)
    : min_length_(min_length), eos_(std::move(eos_token_id)) {}

void MinLength::apply(const RowState& row, std::span<float> scores) {
  if (static_cast<int64_t>(row.cur_len) < min_length_)
    for (int64_t t : eos_) ban(scores, t);
}

MinNewTokens::MinNewTokens(int64_t min_new_tokens, std::vector<int64_t> eos_token_id)
    : min_new_tokens_(min_new_tokens), eos_(std::move(eos_token_id)) {}

void MinNewTokens::apply(const RowState& row, std::span<float> scores) {
  if (static_cast<int64_t>(row.cur_len) - static_cast<int64_t>(row.prompt_len) < min_new_tokens_)
    for (int64_t t : eos_) ban(scores, t);
}

// ---- ForcedBOSTokenLogitsProcessor / ForcedEOSTokenLogitsProcessor
ForcedBos::ForcedBos(int64_t bos_token_id) : bos_(bos_token_id) {}

void ForcedBos::apply(const RowState& row, std::span<float> scores) {
  if (row.cur_len == 1) force(scores, std::span<const int64_t>(&bos_, 1));
}

ForcedEos::ForcedEos(int64_t max_length, std::vector<int64_t> eos_token_id)
    : max_length_(max_length), eos_(std::move(eos_token_id)) {}

void ForcedEos::apply(const RowState& row, std::span<float> scores) {
  if (static_cast<int64_t>(row.cur_len) == max_length_ - 1) force(scores, eos_);
}

// ---- SuppressTokensLogitsProcessor / SuppressTokensAtBeginLogitsProcessor
SuppressTokens::SuppressTokens(std::vector<int64_t> tokens) : tokens_(std::move(tokens)) {}

void SuppressTokens::apply(const RowState&, std::span<float> scores) {
  for (int64_t t : tokens_) ban(scores, t);
}

SuppressTokensAtBegin::SuppressTokensAtBegin(std::vector<int64_t> tokens, size_t begin_index)
    : tokens_(std::move(tokens)), begin_index_(begin_index) {}

void SuppressTokensAtBegin::apply(const RowState& row, std::span<float> scores) {
  if (row.cur_len == begin_index_)
    for (int64_t t : tokens_) ban(scores, t);
}

// ---- ForceTokensLogitsProcessor (v4.39)
ForceTokens::ForceTokens(std::vector<std::pair<int64_t, int64_t>> forced) : forced_(std::move(forced)) {}

void ForceTokens::apply(const RowState& row, std::span<float> scores) {
  for (const auto& [index, token] : forced_)
    if (index == static_cast<int64_t>(row.cur_len)) {
      force(scores, std::span<const int64_t>(&token, 1));
      return;
    }
}

// ---- TemperatureLogitsWarper
Temperature::Temperature(double temperature) : temperature_(static_cast<float>(temperature)) {}

void Temperature::apply(const RowState&, std::span<float> scores) {
  for (float& s : scores) s /= temperature_;
}

// ---- TopKLogitsWarper: scores < topk(scores, k)[-1] are removed.
TopK::TopK(size_t k, size_t min_tokens_to_keep) : k_(std::max(k, min_tokens_to_keep)) {}

void TopK::apply(const RowState&, std::span<float> scores) {
  size_t k = std::min(k_, scores.size());
  if (k == 0 || k == scores.size()) return;
  scratch_.assign(scores.begin(), scores.end());
  // k-th largest in O(vocab).
  std::nth_element(scratch_.begin(), scratch_.begin() + static_cast<ptrdiff_t>(k - 1), scratch_.end(),
                   std::greater<float>());
  float kth = scratch_[k - 1];
  for (float& s : scores)
    if (s < kth) s = kNegInf;
}

// ---- TopPLogitsWarper
TopP::TopP(double top_p, size_t min_tokens_to_keep)
    : threshold_(static_cast<float>(1.0 - top_p)), min_keep_(std::max<size_t>(min_tokens_to_keep, 1)) {}

void TopP::apply(const RowState&, std::span<float> scores) {
  const size_t vocab = scores.size();
  // Tokens at -inf have probability 0 and a cumulative sum of 0 <= 1 - top_p: removed already, and
  // first in the ascending order, so only the finite ones need sorting (cheap after top_k).
  order_.clear();
  for (size_t i = 0; i < vocab; ++i)
    if (scores[i] != kNegInf) order_.push_back(static_cast<uint32_t>(i));
  const size_t finite = order_.size();
  if (finite == 0) return;
  std::sort(order_.begin(), order_.end(),
            [&](uint32_t a, uint32_t b) { return scores[a] < scores[b] || (scores[a] == scores[b] && a < b); });
  // softmax over the sorted row (float32, as torch), cumulative sum accumulated in double and
  // rounded per element (torch's CPU cumsum accumulates float in double).
  float max = scores[order_.back()];
  probs_.resize(finite);
  float sum = 0.0f;
  for (size_t j = 0; j < finite; ++j) {
    probs_[j] = std::exp(scores[order_[j]] - max);
    sum += probs_[j];
  }
  double cumulative = 0;
  // The last min_keep_ tokens of the ascending order (the largest) always stay, also the -inf ones
  // Python would keep when fewer than min_keep_ are finite (they stay -inf either way).
  const size_t keep_from = vocab > min_keep_ ? vocab - min_keep_ : 0;  // position in Python's full order
  const size_t offset = vocab - finite;                                // -inf tokens come first
  for (size_t j = 0; j < finite; ++j) {
    cumulative += static_cast<double>(probs_[j] / sum);
    if (offset + j >= keep_from) break;
    if (static_cast<float>(cumulative) <= threshold_) scores[order_[j]] = kNegInf;
  }
}

// ---- MinPLogitsWarper
MinP::MinP(double min_p, size_t min_tokens_to_keep)
    : min_p_(static_cast<float>(min_p)), min_keep_(std::max<size_t>(min_tokens_to_keep, 1)) {}

void MinP::apply(const RowState&, std::span<float> scores) {
  softmax(scores, probs_);
  float top = *std::max_element(probs_.begin(), probs_.end());
  float scaled = min_p_ * top;
  // The min_keep_ most probable tokens stay (min_keep_ is 1 or a few: a selection, not a sort).
  // With min_keep_ 1 the most probable token is never below min_p * its own probability.
  if (min_keep_ > 1) {
    size_t k = std::min(min_keep_, probs_.size());
    for (size_t kept = 0; kept < k; ++kept) {
      size_t best = probs_.size();
      for (size_t i = 0; i < probs_.size(); ++i)
        if (probs_[i] >= 0 && (best == probs_.size() || probs_[i] > probs_[best])) best = i;
      if (best == probs_.size()) break;
      probs_[best] = -1.0f - probs_[best];  // marked kept (negative), never removed below
    }
  }
  for (size_t i = 0; i < scores.size(); ++i)
    if (probs_[i] >= 0 && probs_[i] < scaled) scores[i] = kNegInf;
}

// ---- TypicalLogitsWarper
TypicalP::TypicalP(double mass, size_t min_tokens_to_keep)
    : mass_(static_cast<float>(mass)), min_keep_(std::max<size_t>(min_tokens_to_keep, 1)) {}

void TypicalP::apply(const RowState&, std::span<float> scores) {
  const size_t vocab = scores.size();
  // normalized = log_softmax(scores); entropy = -nansum(normalized * exp(normalized))
  shifted_.assign(scores.begin(), scores.end());
  log_softmax(shifted_);
  float entropy = 0.0f;
  for (float lp : shifted_) {
    float term = lp * std::exp(lp);
    if (!std::isnan(term)) entropy -= term;
  }
  for (float& lp : shifted_) lp = std::fabs(-lp - entropy);
  order_.resize(vocab);
  for (size_t i = 0; i < vocab; ++i) order_[i] = static_cast<uint32_t>(i);
  std::sort(order_.begin(), order_.end(),
            [&](uint32_t a, uint32_t b) { return shifted_[a] < shifted_[b] || (shifted_[a] == shifted_[b] && a < b); });
  // cumulative softmax of the scores in that order; last_ind = count(cumulative < mass)
  probs_.resize(vocab);
  for (size_t j = 0; j < vocab; ++j) probs_[j] = scores[order_[j]];
  softmax(probs_, sorted_probs_);
  const std::vector<float>& p = sorted_probs_;
  double cumulative = 0;
  size_t last_ind = 0;
  for (size_t j = 0; j < vocab; ++j) {
    cumulative += static_cast<double>(p[j]);
    if (static_cast<float>(cumulative) < mass_) ++last_ind;
  }
  last_ind = std::min(last_ind, vocab - 1);
  float limit = shifted_[order_[last_ind]];
  for (size_t j = min_keep_; j < vocab; ++j)
    if (shifted_[order_[j]] > limit) scores[order_[j]] = kNegInf;
}

// ---- The list, in transformers' _get_logits_processor order.
namespace {

void check_ids(const std::vector<int64_t>& ids, size_t vocab, const char* option) {
  for (int64_t t : ids)
    if (t < 0 || static_cast<size_t>(t) >= vocab)
      throw UsageError(std::string("generation option ") + option + ": token id " + std::to_string(t) +
                       " is outside the model's vocabulary of " + std::to_string(vocab) + " logits");
}

}  // namespace

LogitsProcessorList make_logits_processors(const GenerationConfig& c, size_t vocab_size, size_t prompt_len,
                                           LogitsProcessorList extra) {
  LogitsProcessorList list;
  check_ids(c.eos_token_id, vocab_size, "eos_token_id");
  if (c.repetition_penalty != 1.0)
    list.push_back(std::make_unique<RepetitionPenalty>(c.repetition_penalty, c.pad_token_id));
  if (c.no_repeat_ngram_size > 0)
    list.push_back(std::make_unique<NoRepeatNGram>(static_cast<size_t>(c.no_repeat_ngram_size)));
  if (c.encoder_no_repeat_ngram_size > 0)
    list.push_back(std::make_unique<EncoderNoRepeatNGram>(static_cast<size_t>(c.encoder_no_repeat_ngram_size)));
  if (!c.bad_words_ids.empty()) {
    for (const auto& seq : c.bad_words_ids) check_ids(seq, vocab_size, "bad_words_ids");
    list.push_back(std::make_unique<NoBadWords>(c.bad_words_ids, c.eos_token_id));
  }
  if (c.min_length > 0 && !c.eos_token_id.empty())
    list.push_back(std::make_unique<MinLength>(c.min_length, c.eos_token_id));
  if (c.min_new_tokens && *c.min_new_tokens > 0 && !c.eos_token_id.empty())
    list.push_back(std::make_unique<MinNewTokens>(*c.min_new_tokens, c.eos_token_id));
  if (c.forced_bos_token_id) {
    check_ids({*c.forced_bos_token_id}, vocab_size, "forced_bos_token_id");
    list.push_back(std::make_unique<ForcedBos>(*c.forced_bos_token_id));
  }
  if (!c.forced_eos_token_id.empty()) {
    check_ids(c.forced_eos_token_id, vocab_size, "forced_eos_token_id");
    list.push_back(std::make_unique<ForcedEos>(c.max_length_for(prompt_len), c.forced_eos_token_id));
  }
  if (!c.suppress_tokens.empty()) {
    check_ids(c.suppress_tokens, vocab_size, "suppress_tokens");
    list.push_back(std::make_unique<SuppressTokens>(c.suppress_tokens));
  }
  if (!c.begin_suppress_tokens.empty()) {
    check_ids(c.begin_suppress_tokens, vocab_size, "begin_suppress_tokens");
    // Python: begin_index = input_ids_seq_length, + 1 when the prompt is one token and a BOS is forced.
    size_t begin_index = (prompt_len > 1 || !c.forced_bos_token_id) ? prompt_len : prompt_len + 1;
    list.push_back(std::make_unique<SuppressTokensAtBegin>(c.begin_suppress_tokens, begin_index));
  }
  if (!c.forced_decoder_ids.empty()) {
    for (const auto& [index, token] : c.forced_decoder_ids) check_ids({token}, vocab_size, "forced_decoder_ids");
    list.push_back(std::make_unique<ForceTokens>(c.forced_decoder_ids));
  }
  for (auto& p : extra) list.push_back(std::move(p));
  if (c.do_sample) {
    // Beam sampling keeps one more token than there are eos ids (at least 2).
    size_t min_keep = c.num_beams > 1 ? std::max<size_t>(c.eos_token_id.size() + 1, 2) : 1;
    if (c.temperature != 1.0) list.push_back(std::make_unique<Temperature>(c.temperature));
    if (c.top_k != 0) list.push_back(std::make_unique<TopK>(static_cast<size_t>(c.top_k), min_keep));
    if (c.top_p < 1.0) list.push_back(std::make_unique<TopP>(c.top_p, min_keep));
    if (c.min_p) list.push_back(std::make_unique<MinP>(*c.min_p, min_keep));
    if (c.typical_p < 1.0) list.push_back(std::make_unique<TypicalP>(c.typical_p, min_keep));
  }
  return list;
}

void apply_all(LogitsProcessorList& list, const RowState& row, std::span<float> scores) {
  for (auto& p : list) p->apply(row, scores);
}

}  // namespace modelexport::runtime::generation
