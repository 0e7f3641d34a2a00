// The resolved settings of one generation, as Python transformers' GenerationConfig holds them
// (transformers v4.57 src/transformers/generation/configuration_utils.py), built in Python's order of
// precedence: the class defaults < generation_config.json (else the generation keys of config.json)
// < config.json's task_specific_params[task] (what transformers' pipelines apply; its "prefix" is kept
// separately) < the caller's GenerationOptions. Then validated (UsageError naming the option).
//
//   GenerationConfig c = GenerationConfig::resolve(generation_config_json, config_json, "translation_en_to_fr",
//   options);
//   // c.num_beams == 4 and c.prefix == "translate English to French: " for t5-small
//   for (const std::string& note : c.notes) log(note);  // e.g. temperature 0 -> greedy
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "modelexport/runtime/generation.h"

namespace modelexport::runtime::generation {

enum class DecodingMode { kGreedy, kSample, kBeamSearch, kBeamSample };

struct GenerationConfig {
  // Lengths (Python defaults). max_new_tokens, when set, wins over max_length.
  int64_t max_length = 20;
  std::optional<int64_t> max_new_tokens;
  int64_t min_length = 0;
  std::optional<int64_t> min_new_tokens;
  // Strategy.
  bool do_sample = false;
  int64_t num_beams = 1;
  int64_t num_return_sequences = 1;
  // Warpers.
  double temperature = 1.0;
  int64_t top_k = 50;
  double top_p = 1.0;
  std::optional<double> min_p;
  double typical_p = 1.0;
  // Processors.
  double repetition_penalty = 1.0;
  int64_t no_repeat_ngram_size = 0;
  int64_t encoder_no_repeat_ngram_size = 0;
  std::vector<std::vector<int64_t>> bad_words_ids;
  std::vector<int64_t> suppress_tokens, begin_suppress_tokens;
  std::optional<int64_t> forced_bos_token_id;
  std::vector<int64_t> forced_eos_token_id;
  std::vector<std::pair<int64_t, int64_t>> forced_decoder_ids;
  // Beam search.
  double length_penalty = 1.0;
  EarlyStopping early_stopping = EarlyStopping::kFalse;
  // Special tokens.
  std::vector<int64_t> eos_token_id;
  std::optional<int64_t> pad_token_id, bos_token_id, decoder_start_token_id;
  std::vector<std::string> stop_strings;
  std::optional<uint64_t> seed;

  // task_specific_params[task].prefix (T5: "translate English to French: "); the pipeline prepends it.
  std::string prefix;
  // What resolution decided that a user should hear about (e.g. "temperature 0 with sampling: greedy").
  std::vector<std::string> notes;

  DecodingMode mode() const;
  // The generation stops at this many tokens in a row (prompt or decoder prompt included):
  // prompt_length + max_new_tokens when max_new_tokens is set, else max_length.
  int64_t max_length_for(size_t prompt_length) const;
  // Throws UsageError naming the first invalid option (and fixes up what Python fixes up, with a note).
  void validate();

  // The full resolution described above. Either JSON text may be empty (absent file); `task` may be
  // empty. `file` names are used in error messages. Throws MetadataReadError for a value of the wrong
  // JSON type (naming file and key), UsageError for an invalid resulting value.
  static GenerationConfig resolve(std::string_view generation_config_json, std::string_view config_json,
                                  std::string_view task, const GenerationOptions& options);
  // Overlays the caller's options (set fields only).
  void apply(const GenerationOptions& options);
};

}  // namespace modelexport::runtime::generation
