#include "runtime/generation/whisper_timestamps.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace modelexport::runtime::generation {

namespace {
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

void fill(std::span<float> scores, int64_t from, int64_t to) {
  from = std::clamp<int64_t>(from, 0, int64_t(scores.size()));
  to = std::clamp<int64_t>(to, 0, int64_t(scores.size()));
  for (int64_t i = from; i < to; ++i) scores[size_t(i)] = kNegInf;
}
}  // namespace

WhisperTimestamps::WhisperTimestamps(int64_t no_timestamps_token_id, int64_t eos_token_id, size_t begin_index,
                                     std::optional<int64_t> max_initial_timestamp_index)
    : no_timestamps_(no_timestamps_token_id),
      timestamp_begin_(no_timestamps_token_id + 1),
      eos_(eos_token_id),
      begin_index_(begin_index),
      max_initial_(max_initial_timestamp_index) {}

void WhisperTimestamps::apply(const RowState& row, std::span<float> scores) {
  const int64_t vocab = int64_t(scores.size());
  if (no_timestamps_ >= 0 && no_timestamps_ < vocab) scores[size_t(no_timestamps_)] = kNegInf;
  // The row's sampled tokens: input_ids[k, begin_index:].
  std::span<const int64_t> seq =
      row.ids.size() > begin_index_ ? row.ids.subspan(begin_index_) : std::span<const int64_t>{};
  const size_t n = seq.size();
  const bool last_was_timestamp = n >= 1 && seq[n - 1] >= timestamp_begin_;
  const bool penultimate_was_timestamp = n < 2 || seq[n - 2] >= timestamp_begin_;
  if (last_was_timestamp) {
    if (penultimate_was_timestamp) fill(scores, timestamp_begin_, vocab);  // has to be text
    else fill(scores, 0, eos_);                                            // has to be a timestamp or eos
  }
  int64_t last_timestamp = -1;
  for (int64_t t : seq)
    if (t >= timestamp_begin_) last_timestamp = t;
  if (last_timestamp >= 0) {
    // Timestamps never decrease; a single one may be repeated to close its pair.
    const int64_t timestamp_last =
        last_was_timestamp && !penultimate_was_timestamp ? last_timestamp : last_timestamp + 1;
    fill(scores, timestamp_begin_, timestamp_last);
  }
  // Python: input_ids.shape[1] == begin_index (the whole batch's length; one decoder prompt length here).
  if (row.ids.size() == begin_index_) {
    fill(scores, 0, timestamp_begin_);
    if (max_initial_) fill(scores, timestamp_begin_ + *max_initial_ + 1, vocab);
  }
  // log(sum of timestamp probabilities) > max text log-probability → a timestamp. Both sides share
  // log_softmax's normaliser, so the raw scores are compared (in double: no overflow, same order).
  float max_all = kNegInf;
  for (float s : scores) max_all = std::max(max_all, s);
  if (max_all == kNegInf) return;
  double timestamp_sum = 0;
  for (int64_t i = std::min(timestamp_begin_, vocab); i < vocab; ++i)
    timestamp_sum += std::exp(double(scores[size_t(i)]) - double(max_all));
  const double timestamp_logprob = timestamp_sum > 0 ? std::log(timestamp_sum) + double(max_all) : -INFINITY;
  float max_text = kNegInf;
  for (int64_t i = 0; i < std::min(timestamp_begin_, vocab); ++i) max_text = std::max(max_text, scores[size_t(i)]);
  if (timestamp_logprob > double(max_text)) fill(scores, 0, timestamp_begin_);
}

}  // namespace modelexport::runtime::generation
