// Whisper's temperature-fallback measures, as Python transformers computes them
// (src/transformers/models/whisper/generation_whisper.py at commit 000dccdb: _retrieve_compression_ratio,
// _retrieve_avg_logprobs, _need_fallback; generation/logits_process.py WhisperNoSpeechDetection).
// Internal to the Whisper pipeline.
//
//   double cr = whisper_compression_ratio(tokens, vocab_size);     // zlib, as Python's zlib.compress
//   WhisperScoreRecorder rec(top_k);  // via WhisperScoreRecorderRef, last of the extra processors
//   ... generate ...; rec.finish(last_generated_token);
//   double lp = whisper_average_logprob(rec.steps(), sequence_size, generated_size, eos, tail);
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "runtime/generation/logits_processor.h"

namespace modelexport::runtime {

// _retrieve_compression_ratio: each token as int(log2(vocab_size) / 8) + 1 little-endian bytes, their
// length over the length of zlib's compression of them at the default level (Python's zlib.compress).
double whisper_compression_ratio(std::span<const int64_t> tokens, size_t vocab_size);

// Per generated step, the log-probabilities Python's _retrieve_avg_logprobs can read of that step's
// scores (the processed scores Python records with output_scores; with sampling the top-k warper's
// mask applies too, and the temperature is taken back out as Python's rescale does): of the token
// before the step (`previous`, the row's last token) and of the token the step chose (`chosen`).
struct WhisperStepLogprobs {
  std::vector<double> previous, chosen;
  std::vector<int64_t> previous_token, chosen_token;
};

// _retrieve_avg_logprobs(scores, tokens, eos, temperature), where `tokens` is the sequence Python
// checks (short-form: decoder input + generated, long-form: generated; each after eos / padding
// removal): scores and tokens are aligned from the start when there are more scores than tokens,
// else the tokens' last scores-many are taken (short-form: shifted by the removed tokens, read
// from `previous`). Sum of log-probabilities of the non-eos tokens over (their count + 1).
double whisper_average_logprob(const WhisperStepLogprobs& steps, std::span<const int64_t> tokens, int64_t eos);

// A LogitsProcessor that changes nothing and records WhisperStepLogprobs; `top_k` > 0 masks as
// TopKLogitsWarper does (sampling), 0 for greedy.
class WhisperScoreRecorder final : public generation::LogitsProcessor {
 public:
  explicit WhisperScoreRecorder(size_t top_k) : top_k_(top_k) {}
  void apply(const generation::RowState& row, std::span<float> scores) override;
  // The last step's chosen token (the generation's last token), once generation is done.
  void finish(int64_t last_token);
  const WhisperStepLogprobs& steps() const { return steps_; }

 private:
  double logprob(std::span<const float> scores, double lse, float kth, int64_t token) const;
  size_t top_k_;
  WhisperStepLogprobs steps_;
  std::vector<float> last_, scratch_;
  double last_lse_ = 0;
  float last_kth_ = 0;
  bool pending_ = false;
};

// A processor for the generation's list that forwards to a recorder the caller keeps (generate()
// destroys its processors when it returns).
class WhisperScoreRecorderRef final : public generation::LogitsProcessor {
 public:
  explicit WhisperScoreRecorderRef(WhisperScoreRecorder& r) : r_(r) {}
  void apply(const generation::RowState& row, std::span<float> scores) override { r_.apply(row, scores); }

 private:
  WhisperScoreRecorder& r_;
};

}  // namespace modelexport::runtime
