#include "runtime/pipelines/whisper_fallback.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace modelexport::runtime {

double whisper_compression_ratio(std::span<const int64_t> tokens, size_t vocab_size) {
  const size_t width = size_t(std::log2(double(vocab_size)) / 8) + 1;
  std::vector<unsigned char> bytes;
  bytes.reserve(tokens.size() * width);
  for (int64_t t : tokens) {
    // int.to_bytes(width, "little"): token ids here are non-negative and fit.
    for (size_t b = 0; b < width; ++b) bytes.push_back(static_cast<unsigned char>((uint64_t(t) >> (8 * b)) & 0xFF));
  }
  uLongf size = compressBound(uLong(bytes.size()));
  std::vector<unsigned char> out(size);
  if (compress2(out.data(), &size, bytes.data(), uLong(bytes.size()), Z_DEFAULT_COMPRESSION) != Z_OK)
    throw std::runtime_error("zlib compress2 failed");
  return double(bytes.size()) / double(size);
}

double whisper_average_logprob(const WhisperStepLogprobs& steps, std::span<const int64_t> tokens, int64_t eos) {
  const size_t n = steps.chosen.size();
  std::vector<double> lp;
  std::vector<int64_t> tok;
  if (n > tokens.size()) {
    // scores[:len(tokens)]: step i's score of tokens[i] (the generated tokens, from the start).
    for (size_t i = 0; i < tokens.size(); ++i) {
      tok.push_back(tokens[i]);
      lp.push_back(tokens[i] == steps.chosen_token[i] ? steps.chosen[i] : steps.previous[i]);
    }
  } else {
    // tokens[-len(scores):]: step i scores tokens[len - n + i], which is the step's chosen token when
    // nothing was removed from the end, else the token before it.
    const size_t first = tokens.size() - n;
    for (size_t i = 0; i < n; ++i) {
      const int64_t t = tokens[first + i];
      tok.push_back(t);
      if (t == steps.chosen_token[i]) lp.push_back(steps.chosen[i]);
      else if (t == steps.previous_token[i]) lp.push_back(steps.previous[i]);
      else lp.push_back(-std::numeric_limits<double>::infinity());  // not reachable by the loop's shapes
    }
  }
  double sum = 0;
  size_t length = 0;
  for (size_t i = 0; i < tok.size(); ++i) {
    sum += lp[i] * double(tok[i] != eos);  // -inf * 0 is NaN, as in torch
    length += tok[i] != eos;
  }
  return sum / double(length + 1);
}

double WhisperScoreRecorder::logprob(std::span<const float> scores, double lse, float kth, int64_t token) const {
  if (token < 0 || size_t(token) >= scores.size()) return -std::numeric_limits<double>::infinity();
  const float s = scores[size_t(token)];
  if (top_k_ && s < kth) return -std::numeric_limits<double>::infinity();
  return double(s) - lse;
}

void WhisperScoreRecorder::apply(const generation::RowState& row, std::span<float> scores) {
  const int64_t before = row.ids.empty() ? -1 : row.ids.back();
  if (pending_) finish(before);
  // TopKLogitsWarper keeps the scores at or above the k-th largest.
  float kth = -std::numeric_limits<float>::infinity();
  if (top_k_ && top_k_ < scores.size()) {
    scratch_.assign(scores.begin(), scores.end());
    std::nth_element(scratch_.begin(), scratch_.begin() + std::ptrdiff_t(top_k_ - 1), scratch_.end(),
                     std::greater<float>());
    kth = scratch_[top_k_ - 1];
  }
  double mx = -std::numeric_limits<double>::infinity();
  for (float s : scores)
    if (!top_k_ || s >= kth) mx = std::max(mx, double(s));
  double total = 0;
  if (std::isfinite(mx))
    for (float s : scores)
      if (!top_k_ || s >= kth) total += std::exp(double(s) - mx);
  const double lse = std::isfinite(mx) ? mx + std::log(total) : mx;
  steps_.previous.push_back(logprob(scores, lse, kth, before));
  steps_.previous_token.push_back(before);
  last_.assign(scores.begin(), scores.end());
  last_lse_ = lse;
  last_kth_ = kth;
  pending_ = true;
}

void WhisperScoreRecorder::finish(int64_t last_token) {
  if (!pending_) return;
  steps_.chosen.push_back(logprob(last_, last_lse_, last_kth_, last_token));
  steps_.chosen_token.push_back(last_token);
  pending_ = false;
}

}  // namespace modelexport::runtime
