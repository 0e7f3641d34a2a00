// Beam search with Python transformers' semantics (transformers v4.57
// src/transformers/generation/utils.py _beam_search, and the BeamSearchScorer / BeamHypotheses
// rules of beam_search.py it reproduces): per batch item, num_beams live beams scored by the sum of
// token log-probabilities; each step keeps the best 2 × num_beams candidates; a candidate ending in
// eos among the first num_beams becomes a finished hypothesis scored sum_logprobs /
// generated_len ** length_penalty (generated_len counts the eos, not the prompt); an item is done
// by early_stopping (True: num_beams hypotheses; False: no live beam can beat the worst one at the
// current length; "never": not at max_length either when length_penalty > 0). At the end the live
// beams are added as hypotheses and the best num_return_sequences are returned, best first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "modelexport/runtime/generation.h"

namespace modelexport::runtime::generation {

struct Hypothesis {
  std::vector<int64_t> tokens;  // generated tokens (the eos included when it ended in one)
  double score = 0;             // sum_logprobs / generated_len ** length_penalty
};

// BeamHypotheses: the best num_beams finished hypotheses of one batch item.
class BeamHypotheses {
 public:
  BeamHypotheses(size_t num_beams, double length_penalty, EarlyStopping early_stopping, int64_t max_length);
  size_t size() const { return hyps_.size(); }
  // Adds a hypothesis of `generated_len` tokens (Python's generated_len) with the sum of its
  // log-probabilities, if it is among the best num_beams.
  void add(std::vector<int64_t> tokens, double sum_logprobs, size_t generated_len);
  // Python's is_done(best_sum_logprobs, cur_len, decoder_prompt_len) with generated = cur_len - prompt.
  bool is_done(double best_sum_logprobs, size_t generated_len) const;
  const std::vector<Hypothesis>& hypotheses() const { return hyps_; }
  double worst_score() const { return worst_; }

 private:
  size_t num_beams_;
  double length_penalty_;
  EarlyStopping early_stopping_;
  int64_t max_length_;  // generated tokens allowed (max_length - prompt length)
  std::vector<Hypothesis> hyps_;
  double worst_ = 1e9;
};

}  // namespace modelexport::runtime::generation
