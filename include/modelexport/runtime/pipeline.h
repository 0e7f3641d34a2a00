// Hugging Face-style pipelines on a self-contained ONNX model: the task comes from the embedded
// metadata (or is given), the processor from AutoProcessor, and each result is the JSON the
// transformers.js pipeline returns for that input (Python transformers' fields such as start/end
// character spans are added where transformers.js has none).
//
//   auto pipe = modelexport::runtime::pipeline("model.onnx");          // task auto-detected
//   PipelineOptions o;
//   o.top_k = 2;
//   std::vector<std::string> results = pipe->run({{.text = "I love this"}}, o);
//   // results[0] == R"([{"label":"POSITIVE","score":0.99},{"label":"NEGATIVE","score":0.01}])"
//
// Tasks and their inputs:
//   feature-extraction          text            → [[[hidden...] per token]] (dims [1, tokens, hidden]) or
//                                                  [[hidden...]] (dims [1, hidden]) when pooled
//   text-classification         text (+ text_pair) → [{"label","score"}] (top_k entries)
//   token-classification        text            → [{"entity","score","index","word","start","end"}] or
//                                                  [{"entity_group","score","word","start","end"}]
//   fill-mask                   text with the mask token → [{"score","token","token_str","sequence"}]
//                                                  (one such list per mask when a text has several)
//   question-answering          question, context → {"answer","score","start","end"} (a list when top_k > 1;
//                                                  the empty answer with score 0 when no span qualifies)
//   zero-shot-classification    text, labels    → {"sequence","labels","scores"}
//   text-generation             text, or messages (a JSON array of {"role","content"}: chat input,
//                                                  rendered with the model's chat template) →
//                               [{"generated_text": "..."}] (num_return_sequences entries), or for chat
//                               [{"generated_text": [...messages, {"role": "assistant", "content": "..."}]}];
//                               or input_ids (a model without a tokenizer too) →
//                               [{"generated_token_ids": [prompt ids..., new ids...] (, "generated_text")}]
//                               (one file; or a decoder-only set's folder or either file of Optimum's
//                               decoder_model.onnx + decoder_with_past_model.onnx pair)
//   text2text-generation, translation (translation_xx_to_yy), summarization (encoder-decoder sets:
//                               the folder or any file of it) → [{"generated_text"}], [{"translation_text"}],
//                               [{"summary_text"}] (one entry per returned sequence)
//   automatic-speech-recognition  audio (CTC models, Wav2Vec2-style) → {"text"}
//   audio-classification        audio           → [{"label","score"}] (top_k entries, default 5)
//   image-classification        image           → [{"label","score"}] (top_k entries, default 5)
//   image-feature-extraction    image           → the model's first output for the image ([1, tokens, hidden]),
//                                                  or its pooled output with `pool`
//   zero-shot-image-classification  image, labels → [{"score","label"}] best first (CLIP/SigLIP)
//   object-detection            image (DETR, YOLOS) → [{"score","label","box":{"xmin","ymin","xmax","ymax"}}]
//                                                  (boxes in the original image's pixels, query order)
//   image-segmentation          image (SegFormer semantic) → [{"score": null,"label","mask": PNG path}] per
//                                                  label present, masks written into output_dir
//   background-removal          image (RMBG-1.4-style) → {"mask": PNG path, "image": RGBA cut-out PNG path}
//
//   PipelineOptions g;
//   g.generation.max_new_tokens = 32;
//   g.on_text = [](std::string_view piece) { std::cout << piece << std::flush; };   // streaming
//   pipeline("llm.onnx")->run({{.messages = R"([{"role":"user","content":"Hi"}])"}}, g);
//
// Thread-safety: a Pipeline is immutable; run() may be called from several threads at once.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "modelexport/processors/audio.h"
#include "modelexport/processors/image.h"
#include "modelexport/runtime/auto_model.h"
#include "modelexport/runtime/auto_processor.h"
#include "modelexport/runtime/generation.h"

namespace modelexport::runtime {

// Designated initializers name what a task reads: {.text = "..."}, {.question = "...", .context = "..."}.
struct PipelineInput {
  std::string text{};                 // every task but question-answering
  std::string text_pair{};            // text-classification of sentence pairs (optional)
  std::string question{}, context{};  // question-answering
  std::vector<std::string> labels{};  // zero-shot-classification candidate labels
  // text-generation chat input: a JSON array of {"role", "content"} objects (used instead of text).
  std::string messages{};
  // text-generation: the prompt as token ids (used instead of text and messages; as given, no special
  // tokens added). The result then holds "generated_token_ids" (the prompt's ids and the new ones, as
  // Python's return_tensors) and "generated_text" only when the model has a tokenizer.
  std::vector<int64_t> input_ids{};
  // Audio tasks: an audio file (decoded, downmixed and resampled as processors::decode_audio_file),
  // or mono samples at `sampling_rate` (resampled to the model's rate when it differs).
  std::string audio{};
  std::vector<float> samples{};
  int sampling_rate = 0;
  // Image tasks: an image file (decoded as processors::load_image: EXIF-upright RGB, Pillow's pixels),
  // or an RGB image already decoded (used when its width is set).
  std::string image{};
  processors::Image decoded_image{};
};

// automatic-speech-recognition with Whisper (PipelineOptions::speech; the Whisper recognizer's own
// options, runtime/pipelines/whisper_speech_recognition.h, are built on it), as Python's pipeline and
// Whisper's generate take them.
struct SpeechRecognitionOptions {
  // The spoken language: a code ("fr", "en"), a name ("French", "English", any case) or a token
  // ("<|fr|>"), as Python's generate takes it (runtime/pipelines/whisper_languages.h); empty: detected
  // for multilingual models / none.
  std::string language;
  std::string task;  // "transcribe" or "translate"; empty: the model's (the generation config's, transcribe)
  // Timestamps: {"text", "chunks": [{"timestamp": [start, end], "text"}]}.
  bool return_timestamps = false;
  // Python pipeline's return_language: every chunk carries "language", LANGUAGES' name of the
  // language token before it in the output ({"language", "text"}, with timestamps {"language",
  // "timestamp", "text"}; null when there is none: English-only models, and long-form outputs, which
  // hold the generated segments only).
  bool return_language = false;
  // Python's prompt_ids: text (made into ids as WhisperProcessor.get_prompt_ids does: <|startofprev|>
  // then " " + the stripped text) or the ids themselves; one of the two. Put before the decoder
  // prompt of every generation; _decode_asr drops them from the text.
  std::string prompt;
  std::vector<int64_t> prompt_ids;
  // Long-form only, as Python's generate: "first-segment" (default) or "all-segments" (needs
  // condition_on_prev_tokens); condition_on_prev_tokens unset: generation_config.json's, else false.
  std::string prompt_condition_type;
  std::optional<bool> condition_on_prev_tokens;
  // Temperature fallback (Python's temperature tuple, compression_ratio_threshold, logprob_threshold,
  // no_speech_threshold; generate_with_fallback at 000dccdb, per generation: short-form, each chunk,
  // each long-form window): the temperatures tried in order (empty: one greedy pass, Python's None; 0
  // greedy, above 0 sampling at it with the generation config's top_k and seed). A pass is retried at
  // the next temperature when its zlib compression ratio exceeds compression_ratio_threshold or its
  // average log-probability is below logprob_threshold; a generation is skipped (no segment) when its
  // average log-probability is below logprob_threshold and its no-speech probability (<|nocaptions|>
  // at <|startoftranscript|>) above no_speech_threshold (which needs logprob_threshold). Unset
  // thresholds: generation_config.json's. Conditioning (condition_on_prev_tokens) stops after a window
  // that ended at 0.5 or more.
  std::vector<double> temperatures;
  std::optional<double> compression_ratio_threshold, logprob_threshold, no_speech_threshold;
  // Chunked long audio: chunks of chunk_length_s seconds, merged on their strides (stride_length_s on
  // each side, default chunk_length_s / 6). Without chunk_length_s, audio past 30 s is decoded
  // long-form (30 s windows in sequence).
  std::optional<double> chunk_length_s, stride_length_s;
};

struct PipelineOptions {
  std::optional<size_t> top_k;  // task default when unset (1, or 5 for fill-mask); 0 is a UsageError
  // Inputs per ONNX Runtime call. A static batch dim overrides it; models that quantize activations
  // per tensor (AutoModel::batch_dependent) run one input at a time, so results never depend on the batch.
  // 0 is a UsageError.
  size_t batch_size = 32;
  // text-classification: "softmax", "sigmoid" or "none"; default from problem_type / number of labels.
  std::string function_to_apply;
  // feature-extraction: "none", "mean", "cls" (= "first_token"), "last_token" (= "eos"); empty: the
  // sentence-transformers pooling config when the model carries one, else "none".
  std::string pooling;
  // feature-extraction; default: true when pooling is unset and the model has a sentence-transformers
  // Normalize module, else false.
  std::optional<bool> normalize;
  // token-classification: "none", "simple", "first", "average", "max".
  std::string aggregation_strategy = "none";
  std::vector<std::string> ignore_labels = {"O"};
  std::vector<std::string> targets;  // fill-mask: score only these tokens
  // question-answering (transformers' defaults).
  size_t doc_stride = 128, max_answer_len = 15, max_seq_len = 384;
  bool handle_impossible_answer = false;
  // zero-shot-classification.
  std::string hypothesis_template = "This example is {}.";
  bool multi_label = false;
  // text-generation, text2text-generation, translation, summarization: the caller's generation settings
  // over the model's (generation_config.json, config.json, task_specific_params[task]; see
  // generation.h). text-generation: max_new_tokens defaults to 256 as both transformers' and
  // transformers.js' pipelines do when the model's files set no length.
  GenerationOptions generation{};
  // The prompt text before the generated text (default true for text input; chat input always returns
  // the message list instead).
  std::optional<bool> return_full_text;
  // Extra chat-template variables, a JSON object (e.g. {"enable_thinking": false}).
  std::string chat_template_variables{};
  // Called with each piece of generated text as Python's TextStreamer emits it (one input only).
  std::function<void(std::string_view)> on_text{};
  // Things the user should know (a model without a KV cache, temperature 0 → greedy, ...).
  std::function<void(std::string_view)> on_note{};
  // When set to true during a generation, every row stops after the current step (Ctrl-C in chat).
  const std::atomic<bool>* cancel = nullptr;
  // translation with a multilingual model (M2M100, NLLB, mBART): language codes; the target's token
  // is forced as the first generated token, the source's replaces the tokenizer's language token.
  std::string src_lang, tgt_lang;
  // automatic-speech-recognition (Whisper's options; a CTC model refuses return_language and a prompt).
  SpeechRecognitionOptions speech{};
  // Audio tasks that hold a whole recording (CTC, audio-classification; Whisper streams its files):
  // decoding an audio file stops past this many seconds with an AudioDecodeError (0: no limit).
  double max_audio_seconds = processors::AudioDecodeOptions{}.max_seconds;
  // Image tasks: images with more pixels are refused (Pillow's decompression-bomb limit by default).
  uint64_t max_image_pixels = processors::ImageDecodeOptions{}.max_pixels;
  // Image tasks: threads that decode and preprocess the images of a batch (0: one per hardware
  // thread). Each holds one decoded image at a time; with fewer images than threads, the spare ones
  // decode inside an image (a baseline JPEG in horizontal bands, ImageDecodeOptions::threads).
  size_t image_threads = 0;
  // image-feature-extraction: Python's `pool` — the pooled output (pooler_output, else image_embeds)
  // instead of the first output.
  bool pool = false;
  // zero-shot-image-classification: Python's default template.
  std::string image_hypothesis_template = "This is a photo of {}.";
  // object-detection: boxes whose score is strictly above it (Python's default 0.5), 0..1.
  double threshold = 0.5;
  // image-segmentation, background-removal: the folder the masks (and cut-outs) are written into as
  // PNG files (created if missing; nothing is written when any input fails). Required for those tasks.
  std::filesystem::path output_dir{};
};

class Pipeline {
 public:
  virtual ~Pipeline() = default;
  const std::string& task() const { return task_; }
  const AutoModel& model() const { return model_; }
  const AutoProcessor& processor() const { return processor_; }
  // One JSON text per input, in input order. Throws UsageError for inputs of the wrong kind (no
  // mask token, no labels, empty question) naming the input, RuntimeError when the model fails.
  virtual std::vector<std::string> run(const std::vector<PipelineInput>& inputs,
                                       const PipelineOptions& options = {}) const = 0;

 protected:
  Pipeline(std::string task, AutoModel model, AutoProcessor processor)
      : task_(std::move(task)), model_(std::move(model)), processor_(std::move(processor)) {}
  std::string task_;
  AutoModel model_;
  AutoProcessor processor_;
};

// The pipelines `pipeline()` knows, by canonical task name.
const std::vector<std::string>& pipeline_tasks();

// Builds the pipeline for `task` ("" = the task recorded in the metadata; aliases such as
// "sentiment-analysis" and "ner" are accepted). Throws UsageError for an unknown task,
// UnsuitableModelError for one the model cannot serve (e.g. fill-mask on a model without a
// vocabulary-sized output), MetadataReadError /
// ProcessorReconstructionError when the model lacks what the task needs, RuntimeError when ONNX
// Runtime cannot create the session.
std::unique_ptr<Pipeline> pipeline(const std::filesystem::path& model, const std::string& task = "",
                                   const SessionOptions& session = {});
// The same from a session and a processor the caller made (own session options, a processor from
// other files). `task` must be given.
std::unique_ptr<Pipeline> pipeline(AutoModel model, AutoProcessor processor, const std::string& task);

}  // namespace modelexport::runtime
