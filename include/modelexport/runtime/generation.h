// What a caller may set for text generation (text-generation, text2text-generation, translation,
// summarization, speech recognition): every field is optional and, when set, overrides the model's
// own settings, which come from generation_config.json, else config.json (plus
// config.json's task_specific_params[task] when a pipeline runs a task), as Python transformers'
// GenerationConfig and pipelines resolve them (transformers v4.57 generation/configuration_utils.py).
//
//   modelexport::runtime::GenerationOptions o;
//   o.max_new_tokens = 64;
//   o.do_sample = true;
//   o.temperature = 0.7;
//   o.top_p = 0.9;
//   o.seed = 42;                    // same seed, same model, same prompt: the same tokens
//
// Invalid values (max_new_tokens <= 0, top_p outside (0, 1], num_beams 0, ...) are reported when a
// generation is prepared, as UsageError naming the option. Plain value type, no hidden state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace modelexport::runtime {

// Beam search's stopping rule (transformers' early_stopping: True, False or "never").
enum class EarlyStopping {
  kFalse,  // stop a batch item when no live beam can beat its worst finished hypothesis (heuristic)
  kTrue,   // stop as soon as num_beams hypotheses are finished
  kNever,  // stop only when no live beam can beat them, even at max_length (the canonical search)
};

struct GenerationOptions {
  // Lengths. max_new_tokens (preferred) counts generated tokens; max_length counts the prompt too
  // (for encoder-decoder models: the decoder's tokens, decoder_start_token_id included).
  std::optional<int64_t> max_new_tokens, max_length, min_new_tokens, min_length;
  // Decoding strategy: greedy (do_sample false, num_beams 1), sampling, beam search (num_beams > 1),
  // beam sampling (both).
  std::optional<bool> do_sample;
  std::optional<int64_t> num_beams, num_return_sequences;
  // Sampling warpers (do_sample only): temperature > 0, top_k >= 0 (0 = off), top_p in (0, 1],
  // min_p in [0, 1] (0 = off), typical_p in (0, 1].
  std::optional<double> temperature, top_p, min_p, typical_p;
  std::optional<int64_t> top_k;
  // Logits processors.
  std::optional<double> repetition_penalty;                                   // > 0; 1 = off
  std::optional<int64_t> no_repeat_ngram_size, encoder_no_repeat_ngram_size;  // 0 = off
  std::optional<std::vector<std::vector<int64_t>>> bad_words_ids;             // token sequences never generated
  std::optional<std::vector<int64_t>> suppress_tokens, begin_suppress_tokens;
  std::optional<int64_t> forced_bos_token_id;
  std::optional<std::vector<int64_t>> forced_eos_token_id;
  std::optional<std::vector<std::pair<int64_t, int64_t>>> forced_decoder_ids;  // {generation index, token}
  // Beam search.
  std::optional<double> length_penalty;  // exponent on the length; > 0 favours longer sequences
  std::optional<EarlyStopping> early_stopping;
  // Special tokens (normally from the model's configs).
  std::optional<std::vector<int64_t>> eos_token_id;
  std::optional<int64_t> pad_token_id, bos_token_id, decoder_start_token_id;
  // Stop when the generated text contains one of these (checked on the detokenized text).
  std::optional<std::vector<std::string>> stop_strings;
  // Seed of the sampler's random generator (std::mt19937_64): the same seed, model, prompt and
  // options give the same tokens. Unset: seeded from std::random_device (like Python, not reproducible).
  std::optional<uint64_t> seed;
};

}  // namespace modelexport::runtime
