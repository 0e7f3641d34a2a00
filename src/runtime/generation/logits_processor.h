// Logits processors and warpers: each changes one row of next-token scores in place, as Python
// transformers' LogitsProcessor.__call__ does for one row of `scores` (transformers v4.57
// src/transformers/generation/logits_process.py). The generation loop applies a LogitsProcessorList
// built from the GenerationConfig in transformers' order (see make_logits_processors), plus the
// caller's own processors (Whisper's timestamp rules) after the built-in processors and before the
// sampling warpers, where transformers merges a user's `logits_processor` list.
//
// Processors must not allocate per call in the hot path (scratch buffers are kept as members), and
// must be deterministic. A processor instance serves one generate() at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "runtime/generation/generation_config.h"

namespace modelexport::runtime::generation {

// What Python's processors read from `input_ids` and the generation state, for one row.
struct RowState {
  // The row's tokens so far: its prompt (decoder prompt for encoder-decoder models) + generated.
  // Python's input_ids row without the left padding.
  std::span<const int64_t> ids;
  // Python's input_ids.shape[-1]: the longest prompt of the batch (Python pads to it) + generated.
  size_t cur_len = 0;
  // Python's input_ids_seq_length: the longest prompt of the batch (what min_new_tokens and
  // begin_suppress_tokens count from).
  size_t prompt_len = 0;
  // Batch item (input) this row belongs to, and, when the caller gave them, its encoder input ids
  // (encoder_no_repeat_ngram_size).
  size_t batch_index = 0;
  std::span<const int64_t> encoder_ids;
  // Left padding Python would put in this row (prompt_len - own prompt length): repetition_penalty
  // penalises pad_token_id when there is any, as Python does.
  size_t left_padding = 0;
};

class LogitsProcessor {
 public:
  virtual ~LogitsProcessor() = default;
  // Changes `scores` (one row, vocab_size wide) in place.
  virtual void apply(const RowState& row, std::span<float> scores) = 0;
};

using LogitsProcessorList = std::vector<std::unique_ptr<LogitsProcessor>>;

// transformers' _get_logits_processor (v4.57 src/transformers/generation/utils.py) for this config:
// repetition_penalty, no_repeat_ngram_size, encoder_no_repeat_ngram_size, bad_words_ids,
// min_length, min_new_tokens, forced_bos_token_id, forced_eos_token_id, suppress_tokens,
// begin_suppress_tokens, forced_decoder_ids; then `extra` (moved in); then, when sampling,
// temperature, top_k, top_p, min_p, typical_p. `prompt_len` is the longest prompt of the batch.
// `vocab_size` bounds token ids (ids outside it are ignored, as a masked_fill on a missing index
// would be an error in Python: they are refused by GenerationConfig::validate when known).
LogitsProcessorList make_logits_processors(const GenerationConfig& config, size_t vocab_size, size_t prompt_len,
                                           LogitsProcessorList extra = {});

// Applies every processor of `list` to `scores` in order.
void apply_all(LogitsProcessorList& list, const RowState& row, std::span<float> scores);

}  // namespace modelexport::runtime::generation
