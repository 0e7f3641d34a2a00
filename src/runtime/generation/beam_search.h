// Beam search with Python transformers' semantics: the vectorised _beam_search of transformers
// src/transformers/generation/utils.py (commit 000034a4, v4.5x; it reproduces the older
// BeamSearchScorer / BeamHypotheses rules), for one batch item, in float32 as torch computes it:
//   - running beams start with score 0 for beam 0 and -1e9 for the others;
//   - each step: log_softmax(logits) -> logits processors -> + running score; the best
//     beams_to_keep = max(2, 1 + number of eos ids) × num_beams candidates over all beams × vocab
//     (sampled without replacement for beam sampling);
//   - a candidate "hits" when it ends in eos, reaches max_length or completes a stop string; the next
//     running beams are the best num_beams candidates with -1e9 added to the ones that hit;
//   - a hit among the first num_beams candidates is a finished hypothesis scored
//     score / (generated_len ** length_penalty) (generated_len counts the new tokens, the last one
//     included), -1e9 added when the item is already full with early_stopping True or the heuristic
//     says no improvement is possible; the best num_beams of old and new finished ones are kept;
//   - the early-stop heuristic: the best running score / (best length ** length_penalty), best length
//     = max_length - prompt for early_stopping "never" with length_penalty > 0, else the current
//     length - prompt, must beat the worst finished score while some finished slot is still empty.
// Thread-compatible; one instance per batch item and generate().
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "modelexport/runtime/generation.h"
#include "runtime/generation/sampler.h"

namespace modelexport::runtime::generation {

struct Beam {
  std::vector<int64_t> ids;  // prompt + generated
  float score = 0;           // running: sum of processed log-probabilities; finished: length-penalised
  bool finished = false;     // finished slot holds a real hypothesis (Python's is_sent_finished)
};

class BeamSearch {
 public:
  struct Settings {
    size_t num_beams = 1;
    size_t eos_count = 0;
    double length_penalty = 1.0;
    EarlyStopping early_stopping = EarlyStopping::kFalse;
    size_t prompt_len = 0;   // Python's decoder_prompt_len (the longest prompt of the batch)
    size_t max_length = 0;   // total length (prompt included)
    bool do_sample = false;  // beam sampling
  };
  // `is_hit(ids)`: whether a candidate sequence (prompt + generated, the new token last) stops
  // (eos, max length, stop string).
  BeamSearch(const Settings& settings, std::vector<int64_t> prompt);

  const std::vector<Beam>& running() const { return running_; }
  const std::vector<Beam>& finished() const { return finished_; }
  size_t beams_to_keep() const { return beams_to_keep_; }
  // True once nothing can change the finished hypotheses any more.
  bool done() const { return done_; }

  // One step. `log_probs`: num_beams rows of processed log-probabilities ([num_beams * vocab]);
  // `cur_len`: the current length (prompt_len + generated so far). Returns, for each new running beam,
  // the index of its parent beam (what the runner's rows must be reordered by).
  std::vector<size_t> step(std::span<const float> log_probs, size_t vocab, size_t cur_len,
                           const std::function<bool(std::span<const int64_t>)>& is_hit, Sampler* sampler);
  // Cancel: the running beams become finished hypotheses as they stand (classic finalize).
  void finalize(size_t cur_len);

 private:
  Settings s_;
  size_t beams_to_keep_;
  std::vector<Beam> running_, finished_, next_running_;
  bool heuristic_unsatisfied_ = true;
  bool done_ = false;
  // scratch
  std::vector<float> acc_;
  std::vector<uint32_t> order_;
  std::vector<int64_t> candidate_;
};

}  // namespace modelexport::runtime::generation
