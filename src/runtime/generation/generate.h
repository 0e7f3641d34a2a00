// The one generation loop (greedy, sampling, beam search, beam sampling) over a StepModel, for
// decoder-only and encoder-decoder models alike, as Python transformers' generate() runs it
// (transformers v4.57 src/transformers/generation/utils.py: _sample, _beam_search).
//
//   GenerationConfig config = GenerationConfig::resolve(gen_json, config_json, task, options);
//   GenerationHooks hooks;
//   hooks.detokenize = [&](std::span<const int64_t> ids) { return tok.decode(ids, false); };
//   GenerationResult r = generate(runner, {prompt_ids}, config, &streamer, &cancel_flag, hooks);
//   r.sequences[0][0].tokens  // the new tokens (eos included when it ended in one)
//
// Rows that finish (eos, stop string, cancel) are dropped from the StepModel with select_rows, so they
// stop costing compute; beam search drops a batch item's beams once the item is done.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "runtime/generation/generation_config.h"
#include "runtime/generation/logits_processor.h"
#include "runtime/generation/step_model.h"
#include "runtime/generation/stopping_criteria.h"
#include "runtime/generation/text_streamer.h"

namespace modelexport::runtime::generation {

struct GeneratedSequence {
  std::vector<int64_t> tokens;  // new tokens only (not the prompt / decoder prompt)
  // Beam search: the hypothesis score (sum of log-probabilities / length ** length_penalty, Python's
  // sequences_scores). Greedy and sampling: NaN.
  double score = std::numeric_limits<double>::quiet_NaN();
  FinishReason finish_reason = FinishReason::kNone;
};

struct GenerationResult {
  // [batch item][num_return_sequences], best first for beam search.
  std::vector<std::vector<GeneratedSequence>> sequences;
  std::vector<std::string> notes;  // the config's notes plus what the loop decided
};

struct GenerationHooks {
  // Needed for stop strings: the text of a row's generated tokens (UsageError without it).
  Detokenizer detokenize;
  // The encoder input ids per batch item (encoder_no_repeat_ngram_size); empty otherwise.
  std::vector<std::vector<int64_t>> encoder_input_ids;
  // Caller processors run after the built-in processors, before the sampling warpers (Whisper's
  // timestamp rules). Moved from by generate().
  LogitsProcessorList extra_processors;
};

// Generates for each prompt (one per batch item, non-empty) and returns, per item,
// config.num_return_sequences sequences. The streamer (batch 1, one sequence, no beams: UsageError
// otherwise, as Python refuses) gets put(prompt), each new token, then end(). `cancel`, when set
// during generation, finishes every row (FinishReason::kCancelled) after the current step.
// Throws UsageError for an invalid config / prompts, and whatever the StepModel throws.
GenerationResult generate(StepModel& model, const std::vector<std::vector<int64_t>>& prompts,
                          const GenerationConfig& config, Streamer* streamer = nullptr,
                          const std::atomic<bool>* cancel = nullptr, GenerationHooks hooks = {});

}  // namespace modelexport::runtime::generation
