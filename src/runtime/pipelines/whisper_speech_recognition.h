// automatic-speech-recognition for Whisper (internal), as Python transformers runs it:
// transformers src/transformers/models/whisper/generation_whisper.py at commit 000dccdb (generate:
// _retrieve_init_tokens, detect_language, _retrieve_logit_processors, the seek loop with
// _retrieve_segment), pipelines/automatic_speech_recognition.py (chunk_iter, short- vs long-form
// features) and tokenization_whisper.py (_decode_asr), greedy decoding on EncoderDecoderModel and the
// generation core.
//
//   WhisperRecognizer r(encoder, decoder, nullptr, processor);
//   WhisperOptions o;  o.language = "fr";  o.return_timestamps = true;
//   WhisperResult res = r.transcribe(samples_16k, o);   // res.text.text, res.text.chunks
//
// What is done, per recording (mono floats at the feature extractor's rate):
//  - chunk_length_s set: the audio is cut as Python's chunk_iter does (stride_length_s default
//    chunk_length_s / 6), each chunk padded to 30 s and generated short-form, the chunks merged by
//    _decode_asr (longest common sequence over the strides);
//  - else up to 30 s: one short-form generation on the padded features, its sequence cut as
//    _retrieve_segment cuts a window's (generate at 000dccdb runs one loop for both forms: what follows
//    the last timestamp pair is dropped unless the sequence ends in a single timestamp);
//  - else long-form: the features of the whole recording (computed a window at a time), decoded 30 s
//    at a time with timestamps, each window's start moved to the last complete segment (Python's
//    seek loop). As Python's _set_return_timestamps: without return_timestamps, generation_config's
//    return_timestamps false is refused (UsageError); absent, timestamps are used inside and only the
//    text is returned.
// Decoder prompt: <|startoftranscript|> [language task] [<|notimestamps|>] from generation_config's
// forced_decoder_ids, --language / --whisper-task, and, for a multilingual model given no language,
// the detected language (one decoder step on <|startoftranscript|>, argmax over lang_to_id's tokens,
// on the first 30 s). suppress_tokens, begin_suppress_tokens (at the first generated position) and,
// with timestamps, WhisperTimestamps (runtime/generation/whisper_timestamps.h).
// Prompts (_prepare_decoder_input_ids): the prompt ids go before the decoder prompt of each
// generation; long-form with condition_on_prev_tokens puts <|startofprev|> (all-segments: the prompt)
// and the last max_target_positions / 2 - 1 tokens of the segments so far (first-segment: the prompt's
// text first) before it instead, once there are segments.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "modelexport/processors/audio.h"
#include "modelexport/runtime/auto_model.h"
#include "modelexport/runtime/auto_processor.h"
#include "modelexport/runtime/generation.h"
#include "modelexport/runtime/pipeline.h"
#include "runtime/pipelines/whisper_decode.h"

namespace modelexport::runtime {

// The recognizer's options: the pipeline's (SpeechRecognitionOptions in modelexport/runtime/pipeline.h:
// language, task, timestamps, prompts, temperature fallback, chunking) and its own.
struct WhisperOptions : SpeechRecognitionOptions {
  GenerationOptions generation{};  // over generation_config.json (max_new_tokens, ...)
  std::function<void(std::string_view)> on_note{};
  std::function<void(size_t done_samples, size_t total_samples)> on_progress{};
  const std::atomic<bool>* cancel = nullptr;
};

// What the fallback measured on a generation's last pass (a measure unset when its threshold is).
struct WhisperWindow {
  double temperature = 0;  // of the last pass (0: greedy)
  size_t passes = 1;
  std::optional<double> compression_ratio, avg_logprob, no_speech_prob;
  bool skipped = false;
};

struct WhisperResult {
  AsrText text;
  // What _decode_asr was given: per generation (short-form, chunk), or one concatenation of the
  // long-form segments; tokens as Python's generate returns them (short-form: decoder prompt
  // included, the final eos dropped as padding).
  std::vector<AsrModelOutput> outputs;
  std::vector<WhisperWindow> windows;  // per generation, in order
};

class WhisperRecognizer {
 public:
  // Reads config.json / generation_config.json from the processor's files; throws MetadataReadError
  // naming the file and key for a missing or mistyped Whisper key, UnsuitableModelError for graphs
  // that do not fit (EncoderDecoderModel's checks). The models and processor must outlive this.
  WhisperRecognizer(const AutoModel& encoder, const AutoModel& decoder, const AutoModel* decoder_with_past,
                    const AutoProcessor& processor);
  ~WhisperRecognizer();
  // Throws UsageError for options the model cannot take (a language or task on an English-only
  // model, a language not in lang_to_id, an unknown task, chunk length not above the strides).
  WhisperResult transcribe(const std::vector<float>& samples, const WhisperOptions& options) const;
  // The same from a recording read as a stream (a file through processors::AudioReader): chunked and
  // long-form decoding hold about one window of samples and features, whatever the length (long-form
  // reads the source once more first, for the features' statistics).
  WhisperResult transcribe(processors::SampleSource& samples, const WhisperOptions& options) const;
  // WhisperProcessor.get_prompt_ids(text): <|startofprev|> and the ids of " " + text stripped. Throws
  // UsageError when the text holds a special token (Python's "disallowed special token") or the
  // model has no <|startofprev|>.
  std::vector<int64_t> prompt_ids(std::string_view text) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True when the set's config.json says model_type "whisper".
bool is_whisper_set(const std::filesystem::path& model_or_folder);
// The pipeline over a Whisper set (its folder or any of its files). `task` empty or
// automatic-speech-recognition; anything else is a UsageError.
std::unique_ptr<Pipeline> make_whisper_speech_recognition(const std::filesystem::path& model_or_folder,
                                                          const std::string& task, const SessionOptions& session);

}  // namespace modelexport::runtime
