// Caps on untrusted input (issue 17): every file modelexport reads may come from anywhere, so the
// sizes that decide how much memory a parse takes are bounded. Each cap has a default far above real
// files and an environment variable that changes it for the whole process (CLI, C++ library and
// Python package alike). An input past a cap is refused with an error (a modelexport::Error subclass)
// naming the file or metadata key, the cap and its variable.
//
//   uint64_t cap = modelexport::limit_value(modelexport::kMaxJsonBytes);  // 134217728 unless
//                                                                          // MODELEXPORT_MAX_JSON_BYTES is set
//   if (text.size() > cap)
//     throw MetadataReadError("config.json: " + modelexport::limit_exceeded(modelexport::kMaxJsonBytes, text.size()));
//   // "config.json: 134217729 bytes of JSON, above the limit of 134217728 (MODELEXPORT_MAX_JSON_BYTES raises it)"
//
// Thread-safety: limit_value reads the environment on each call (std::getenv); do not change the
// variables while other threads parse.
#pragma once

#include <cstdint>
#include <string>

namespace modelexport {

struct InputLimit {
  const char* env_var;     // the environment variable that overrides the default
  uint64_t default_value;  // in force when the variable is unset
  const char* unit;        // what is counted, for messages: "bytes of JSON", "vocabulary entries", ...
};

// Bytes of one JSON document (tokenizer.json, config.json, tokenizer_config.json, chat template
// inputs, ...; side file or metadata value). 128 MiB: the largest tokenizer.json of the shared corpus
// is 3.2 MB (chatglm's), the largest published ones (Gemma 3's 262,144 entries) about 33 MB. Parsed
// into a DOM, a document costs up to ~16 bytes per input byte, so the cap also bounds that.
inline constexpr InputLimit kMaxJsonBytes{"MODELEXPORT_MAX_JSON_BYTES", 128ull << 20, "bytes of JSON"};
// Entries of one vocabulary (tokenizer.json's model.vocab, vocab.json, vocab.txt lines, SentencePiece
// pieces) and the largest token id. 4,194,304 (2^22): 16 times Gemma's 262,144. Ids index a dense
// table, so an id past it is refused too (a 100-byte tokenizer.json with the id 2,000,000,000 would
// otherwise take 16 GB).
inline constexpr InputLimit kMaxVocabSize{"MODELEXPORT_MAX_VOCAB_SIZE", 1ull << 22, "vocabulary entries"};
// BPE merges of one tokenizer (tokenizer.json's model.merges, merges.txt lines). 4,194,304 (2^22).
inline constexpr InputLimit kMaxMerges{"MODELEXPORT_MAX_MERGES", 1ull << 22, "merges"};

// The cap in force: the environment variable when set, else the default. A set variable must be a
// positive decimal integer; anything else throws UsageError naming the variable.
uint64_t limit_value(const InputLimit& limit);

// For an error message: "<found> <unit>, above the limit of <cap> (<env_var> raises it)".
std::string limit_exceeded(const InputLimit& limit, uint64_t found);

// True when `found` is within the cap in force; callers throw their own error class otherwise:
//   if (!within_limit(kMaxMerges, n)) throw Error("merges.txt: " + limit_exceeded(kMaxMerges, n));
inline bool within_limit(const InputLimit& limit, uint64_t found) { return found <= limit_value(limit); }

}  // namespace modelexport
