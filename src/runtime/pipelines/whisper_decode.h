// Whisper's token ids → text and timestamped chunks, as Python transformers' ASR pipeline does it
// (transformers src/transformers/models/whisper/tokenization_whisper.py: _decode_asr and
// _find_longest_common_sequence, the version with segment_size 1500 and long-form segment offsets;
// pipelines/automatic_speech_recognition.py: chunk_iter). Internal to the Whisper pipeline.
//
//   std::vector<AsrModelOutput> outs = {{tokens_of_chunk_0, true, 30.0, 0.0, 5.0}, ...};
//   AsrText r = decode_asr(outs, vocab, [&](auto ids) { return tok.decode(ids, false); }, true);
//   r.text; r.chunks[0].start / end / text
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace modelexport::runtime {

// One call of the model: its tokens (decoder prompt included, as Python's generate returns them),
// and for chunked audio the chunk's stride in seconds (chunk length, left and right stride).
struct AsrModelOutput {
  std::vector<int64_t> tokens;
  bool has_stride = false;
  double chunk_len = 0, stride_left = 0, stride_right = 0;
};

struct AsrVocabulary {
  int64_t timestamp_begin = 0;    // <|notimestamps|> + 1
  std::set<int64_t> special_ids;  // tokenizer.all_special_ids
  // Special tokens that name a language: id -> LANGUAGES' name (<|fr|> -> "french"), as _decode_asr
  // finds them (the token's text without <| |>, looked up in LANGUAGES).
  std::map<int64_t, std::string> language_names;
  // _strip_prompt: an output starting with <|startofprev|> keeps its tokens from the first
  // <|startoftranscript|> on (none when it has none). Unset: no prompt token in the vocabulary.
  std::optional<int64_t> prompt_token, decoder_start;
};

struct AsrChunk {
  std::optional<std::string> language;  // LANGUAGES' name of the last language token; unset = None
  std::optional<double> start, end;     // seconds, rounded to 2 decimals; unset = Python's None
  std::string text;
};

struct AsrText {
  std::string text;
  std::vector<AsrChunk> chunks;
};

using TokenDecoder = std::function<std::string(const std::vector<int32_t>&)>;

// Python's _decode_asr(model_outputs, return_timestamps, return_language, time_precision): the text,
// and the chunks when return_timestamps or return_language is set.
AsrText decode_asr(const std::vector<AsrModelOutput>& outputs, const AsrVocabulary& vocab, const TokenDecoder& decode,
                   bool return_timestamps, bool return_language = false, double time_precision = 0.02,
                   size_t segment_size = 1500);

// Python's WhisperTokenizer._strip_prompt (tokenization_whisper.py).
std::vector<int64_t> strip_prompt(const std::vector<int64_t>& ids, const AsrVocabulary& vocab);

// Python's _find_longest_common_sequence (token sequences of overlapping chunks merged).
std::vector<int64_t> find_longest_common_sequence(const std::vector<std::vector<int64_t>>& sequences);

// Python's chunk_iter over `total` samples: each chunk [start, start + chunk_len) (cut at the end) with
// its left / right stride in samples (0 at the first / last chunk). Chunks no longer than their left
// stride are dropped, as Python does.
struct AudioChunk {
  size_t start = 0, length = 0, stride_left = 0, stride_right = 0;
  bool is_last = false;  // chunk_iter stops after it
  bool yielded() const { return length > stride_left; }
};
std::vector<AudioChunk> chunk_audio(size_t total, size_t chunk_len, size_t stride_left, size_t stride_right);
// One step of chunk_iter: the chunk at `start` (< total). A stream whose length is not known yet passes
// the samples read so far as `total` once they reach start + chunk_len + 1 (the chunk is then whole and
// not the last, as with the true length).
AudioChunk chunk_at(size_t start, size_t total, size_t chunk_len, size_t stride_left, size_t stride_right);

}  // namespace modelexport::runtime
