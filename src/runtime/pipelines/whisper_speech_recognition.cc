#include "runtime/pipelines/whisper_speech_recognition.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "modelexport/common/progress.h"
#include "modelexport/format/onnx_file.h"
#include "modelexport/metadata/encoder_decoder_set.h"
#include "modelexport/metadata/model_files.h"
#include "modelexport/metadata/task.h"
#include "runtime/generation/encoder_decoder_model.h"
#include "runtime/generation/generate.h"
#include "runtime/generation/whisper_timestamps.h"
#include "runtime/pipelines/text_pipeline.h"
#include "runtime/pipelines/whisper_fallback.h"
#include "runtime/pipelines/whisper_languages.h"

namespace modelexport::runtime {

namespace {

using OJson = nlohmann::ordered_json;
constexpr int kInputStride = 2;  // conv1 stride · conv2 stride of Whisper's encoder

// The JSON text without the keys Whisper's generate() handles itself (forced_decoder_ids: Python
// turns them into the decoder prompt and sets them to None since v4.39).
std::string without_forced_ids(const std::string& text, const char* file) {
  if (text.empty()) return text;
  Json j = parse_json_object(text, file);
  j.erase("forced_decoder_ids");
  return j.dump();
}

std::string_view strip(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

struct WhisperRecognizer::Impl {
  const AutoModel& encoder;
  const AutoModel& decoder;
  const AutoModel* with_past;
  const AutoProcessor& processor;
  generation::EncoderDecoderModel::Settings settings;
  std::string generation_text, config_text;  // forced_decoder_ids removed
  // generation_config.json's Whisper keys (config.json's where Python falls back to it).
  int64_t decoder_start = 0;
  std::optional<int64_t> no_timestamps;
  std::optional<bool> is_multilingual;
  std::map<std::string, int64_t> lang_to_id, task_to_id;
  std::optional<int64_t> max_initial_timestamp_index;
  std::vector<std::pair<int64_t, std::optional<int64_t>>> forced_decoder_ids;
  std::optional<bool> config_return_timestamps;  // generation_config.json's return_timestamps, when set
  std::optional<bool> config_condition_on_prev_tokens;
  std::optional<int64_t> prev_sot;  // generation_config.json's prev_sot_token_id
  std::optional<double> config_cr_threshold, config_lp_threshold, config_ns_threshold;
  size_t mel_bins = 80, num_segment_frames = 3000, max_target_positions = 448;
  AsrVocabulary vocab;

  Impl(const AutoModel& e, const AutoModel& d, const AutoModel* wp, const AutoProcessor& p)
      : encoder(e), decoder(d), with_past(wp), processor(p) {
    const auto& files = processor.files();
    const std::string* c = files.get("config.json");
    const std::string* g = files.get("generation_config.json");
    if (!c) throw MetadataReadError(files.source + " has no config.json (a Whisper model needs it)");
    if (!g)
      throw MetadataReadError(files.source +
                              " has no generation_config.json (Whisper's decoder prompt, languages and timestamp "
                              "tokens are there)");
    settings = generation::EncoderDecoderModel::Settings::from_config(*c);
    config_text = without_forced_ids(*c, "config.json");
    generation_text = without_forced_ids(*g, "generation_config.json");
    Json cj = parse_json_object(*c, "config.json"), gj = parse_json_object(*g, "generation_config.json");
    JsonReader cr(cj, "config.json"), gr(gj, "generation_config.json");
    auto start = gr.integer("decoder_start_token_id");
    if (!start) start = cr.integer("decoder_start_token_id");
    if (!start)
      throw MetadataReadError("generation_config.json: decoder_start_token_id: missing (<|startoftranscript|>)");
    decoder_start = *start;
    no_timestamps = gr.integer("no_timestamps_token_id");
    is_multilingual = gr.boolean("is_multilingual");
    for (const char* key : {"lang_to_id", "task_to_id"})
      if (auto obj = gr.object(key)) {
        auto& dst = std::string(key) == "lang_to_id" ? lang_to_id : task_to_id;
        for (const auto& [name, v] : obj->json().items()) {
          if (!v.is_number_integer()) obj->fail(name, "a token id (integer)");
          dst[name] = v.get<int64_t>();
        }
      }
    max_initial_timestamp_index = gr.integer("max_initial_timestamp_index");
    config_return_timestamps = gr.boolean("return_timestamps");
    config_condition_on_prev_tokens = gr.boolean("condition_on_prev_tokens");
    prev_sot = gr.integer("prev_sot_token_id");
    config_cr_threshold = gr.number("compression_ratio_threshold");
    config_lp_threshold = gr.number("logprob_threshold");
    config_ns_threshold = gr.number("no_speech_threshold");
    // forced_decoder_ids: generation_config.json's, else config.json's (Python's order); [index, id|null].
    const Json* forced =
        gj.contains("forced_decoder_ids") && !gj["forced_decoder_ids"].is_null()
            ? &gj["forced_decoder_ids"]
            : (cj.contains("forced_decoder_ids") && !cj["forced_decoder_ids"].is_null() ? &cj["forced_decoder_ids"]
                                                                                        : nullptr);
    const char* forced_file = forced == &gj["forced_decoder_ids"] ? "generation_config.json" : "config.json";
    if (forced) {
      if (!forced->is_array())
        throw MetadataReadError(std::string(forced_file) +
                                ": forced_decoder_ids: expected a list of [index, token id]");
      for (const auto& pair : *forced) {
        if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number_integer() ||
            !(pair[1].is_number_integer() || pair[1].is_null()))
          throw MetadataReadError(std::string(forced_file) +
                                  ": forced_decoder_ids: expected [index, token id or null] pairs, found " +
                                  pair.dump());
        forced_decoder_ids.emplace_back(pair[0].get<int64_t>(),
                                        pair[1].is_null() ? std::nullopt : std::optional(pair[1].get<int64_t>()));
      }
    }
    mel_bins = size_t(cr.integer_or("num_mel_bins", 80));
    num_segment_frames = size_t(kInputStride * cr.integer_or("max_source_positions", 1500));
    max_target_positions = size_t(cr.integer_or("max_target_positions", 448));
    // _decode_asr's token classes.
    const auto& tok = processor.tokenizer();
    auto nt = tok.token_to_id("<|notimestamps|>");
    vocab.timestamp_begin = nt ? *nt + 1 : (no_timestamps ? *no_timestamps + 1 : int64_t(settings.vocab_size) + 1);
    // Python's all_special_ids: the named special tokens and additional_special_tokens (Whisper's
    // <|startoftranscript|>, languages, tasks, <|notimestamps|>, ...).
    for (int32_t id : processor.all_special_ids()) vocab.special_ids.insert(id);
    for (const char* file : {"special_tokens_map.json", "tokenizer_config.json"})
      if (const std::string* t = files.get(file)) {
        Json j = parse_json_object(*t, file);
        if (j.contains("additional_special_tokens") && j["additional_special_tokens"].is_array())
          for (const auto& v : j["additional_special_tokens"])
            if (auto id = tok.token_to_id(token_content(v))) vocab.special_ids.insert(*id);
      }
    // _decode_asr: a special token <|xx|> whose xx is in LANGUAGES names a language.
    for (int64_t id : vocab.special_ids) {
      const std::string t = processor.decode({int32_t(id)}, false);
      if (t.size() > 4 && t.rfind("<|", 0) == 0 && t.compare(t.size() - 2, 2, "|>") == 0)
        if (auto name = whisper_language_name(std::string_view(t).substr(2, t.size() - 4)))
          vocab.language_names[id] = std::string(*name);
    }
    if (auto p = tok.token_to_id("<|startofprev|>")) vocab.prompt_token = *p;
    if (auto d = tok.token_to_id("<|startoftranscript|>")) vocab.decoder_start = *d;
    if (processor.feature_extractor().feature_size() != mel_bins)
      throw UnsuitableModelError("config.json: num_mel_bins is " + std::to_string(mel_bins) +
                                 " but preprocessor_config.json gives " +
                                 std::to_string(processor.feature_extractor().feature_size()) + " mel bins");
  }

  int64_t language_id(const std::string& language) const {
    // generate()'s language_to_id: a token (<|fr|>), a name (french) or a code (fr); lower-cased.
    return lang_to_id.at(whisper_language_token(language, lang_to_id));
  }

  bool condition_on_prev_tokens(const WhisperOptions& o) const {
    // _set_condition_on_prev_tokens: the option, else generation_config's, else false.
    return o.condition_on_prev_tokens.value_or(config_condition_on_prev_tokens.value_or(false));
  }

  // WhisperProcessor.get_prompt_ids (tokenization_whisper.py): the pair ("<|startofprev|>",
  // " " + text.strip()) encoded without special tokens; a text id at or past all_special_ids[0]
  // (<|endoftext|>, Whisper's bos) is refused.
  std::vector<int64_t> prompt_ids(std::string_view text) const {
    const auto& tok = processor.tokenizer();
    if (!vocab.prompt_token)
      throw UsageError("--prompt: this model's tokenizer has no <|startofprev|> token (Whisper's prompt marker)");
    processors::Encoding e = tok.encode_pair("<|startofprev|>", " " + std::string(strip(text)), false);
    std::optional<int32_t> first_special = processor.special_token_id("bos_token");
    if (!first_special) first_special = processor.special_token_id("eos_token");
    std::vector<int64_t> ids(e.ids.begin(), e.ids.end());
    if (ids.empty() || ids.front() != *vocab.prompt_token)
      throw UsageError("--prompt: the tokenizer does not encode <|startofprev|> as its token");
    for (size_t i = 1; i < ids.size(); ++i)
      if (first_special && ids[i] >= *first_special)
        throw UsageError("--prompt: the text holds the special token " + processor.decode({int32_t(ids[i])}, false) +
                         ", which a prompt may not (Python: \"disallowed special token\")");
    return ids;
  }

  std::vector<int64_t> resolve_prompt(const WhisperOptions& o) const {
    if (!o.prompt.empty() && !o.prompt_ids.empty())
      throw UsageError("give the prompt as text (--prompt) or as ids (prompt_ids), not both");
    return o.prompt_ids.empty() && !o.prompt.empty() ? prompt_ids(o.prompt) : o.prompt_ids;
  }

  bool config_return_timestamps_false() const { return config_return_timestamps && !*config_return_timestamps; }

  bool english_only() const { return is_multilingual && !*is_multilingual; }

  // Checks that don't need audio (Python's _set_language_and_task).
  void check_options(const WhisperOptions& o) const {
    if (english_only() && (!o.language.empty() || !o.task.empty()))
      throw UsageError(std::string(o.language.empty() ? "--whisper-task" : "--language") +
                       ": this is an English-only Whisper model (generation_config.json is_multilingual false); it "
                       "takes no language or task");
    if (!o.language.empty() && lang_to_id.empty())
      throw UsageError("--language: generation_config.json has no lang_to_id; this model takes no language");
    if (!o.task.empty()) {
      if (o.task != "transcribe" && o.task != "translate")
        throw UsageError("--whisper-task " + o.task + ": expected transcribe or translate");
      if (!task_to_id.count(o.task))
        throw UsageError("--whisper-task: generation_config.json task_to_id has no '" + o.task + "'");
    }
    if ((o.return_timestamps) && !no_timestamps)
      throw UsageError(
          "--return-timestamps: generation_config.json has no no_timestamps_token_id (the timestamp tokens follow it)");
    if (!o.language.empty()) (void)language_id(o.language);
    // _set_prompt_condition_type.
    if (!o.prompt_condition_type.empty() && o.prompt_condition_type != "first-segment" &&
        o.prompt_condition_type != "all-segments")
      throw UsageError("--prompt-condition-type " + o.prompt_condition_type +
                       ": expected first-segment or all-segments");
    if (o.prompt_condition_type == "all-segments" && !condition_on_prev_tokens(o))
      throw UsageError(
          "--prompt-condition-type all-segments needs --condition-on-prev-tokens (as Python's generate requires "
          "condition_on_prev_tokens=True)");
    (void)resolve_prompt(o);
    for (double t : o.temperatures)
      if (!(t >= 0.0)) throw UsageError("--temperature " + std::to_string(t) + ": temperatures must be 0 or more");
    const bool ns = o.no_speech_threshold || config_ns_threshold, lp = o.logprob_threshold || config_lp_threshold;
    if (ns && !lp)
      throw UsageError(
          "--no-speech-threshold needs --logprob-threshold (a window is skipped when both say so; Python's "
          "_need_fallback reads both)");
  }

  // Python's _retrieve_init_tokens for one recording; `detect` runs language detection on demand.
  std::vector<int64_t> init_tokens(const WhisperOptions& o, bool return_timestamps,
                                   const std::function<int64_t()>& detect) const {
    std::vector<std::pair<int64_t, std::optional<int64_t>>> forced = forced_decoder_ids;
    if (!o.task.empty() || !o.language.empty()) forced.clear();  // options win over forced_decoder_ids
    std::vector<std::optional<int64_t>> init = {decoder_start};
    if (!forced.empty() && forced.front().first == 1) {
      int64_t i = 1;
      size_t k = 0;
      while (k < forced.size() && forced[k].first == i) init.push_back(forced[k++].second), ++i;
      if (k < forced.size())
        throw MetadataReadError("generation_config.json: forced_decoder_ids: an entry is missing before index " +
                                std::to_string(forced[k].first) + " (Whisper's prompt pattern)");
    }
    const bool lang_undefined = init.size() <= 1 || !init[1];
    std::optional<int64_t> lang;
    if (!o.language.empty()) lang = language_id(o.language);
    else if (!lang_to_id.empty() && lang_undefined) lang = detect();
    if (lang) {
      if (init.size() > 1) init[1] = lang;
      else init.push_back(lang);
    }
    auto is_task = [&](const std::optional<int64_t>& t) {
      if (!t) return false;
      for (const auto& [n, id] : task_to_id)
        if (id == *t) return true;
      return false;
    };
    if (!o.task.empty()) {
      const int64_t task_id = task_to_id.at(o.task);
      init.push_back(task_id);
      for (auto& t : init)  // replace_or_add: every task token becomes this one
        if (is_task(t)) t = task_id;
    } else if (!o.language.empty() && !task_to_id.empty()) {
      if (std::none_of(init.begin(), init.end(), is_task)) init.push_back(task_to_id.at("transcribe"));
    }
    if (!return_timestamps && no_timestamps && init.back() != no_timestamps) init.push_back(no_timestamps);
    else if (return_timestamps && init.back() == no_timestamps) init.pop_back();
    std::vector<int64_t> out;
    for (const auto& t : init)
      if (t) out.push_back(*t);
    return out;
  }

  std::map<std::string, Tensor> window(const std::vector<float>& feats, size_t frames, size_t seek) const {
    // features[:, :, seek : seek + 3000], zero-padded to 3000 frames (_get_input_segment).
    std::vector<float> w(mel_bins * num_segment_frames, 0.0f);
    const size_t n = std::min(num_segment_frames, frames - std::min(frames, seek));
    for (size_t m = 0; m < mel_bins; ++m)
      std::copy_n(feats.begin() + std::ptrdiff_t(m * frames + seek), n,
                  w.begin() + std::ptrdiff_t(m * num_segment_frames));
    return input_features(std::move(w));
  }

  std::map<std::string, Tensor> input_features(std::vector<float> w) const {
    return {{"input_features", Tensor::float32({1, int64_t(mel_bins), int64_t(num_segment_frames)}, std::move(w))}};
  }

  // detect_language: one decoder step on <|startoftranscript|>, the best of lang_to_id's tokens.
  int64_t detect_language(generation::EncoderDecoderModel& model, const std::map<std::string, Tensor>& in) const {
    model.encode(in);
    std::vector<float> logits;
    model.step({{decoder_start}}, logits);
    int64_t best = -1;
    for (const auto& [name, id] : lang_to_id)  // argmax: the lowest id among equal maxima
      if (id >= 0 && size_t(id) < logits.size() &&
          (best < 0 || logits[size_t(id)] > logits[size_t(best)] ||
           (logits[size_t(id)] == logits[size_t(best)] && id < best)))
        best = id;
    if (best < 0) throw UnsuitableModelError("generation_config.json lang_to_id names no token inside the vocabulary");
    return best;
  }

  // One generate() call on a 30 s window: the generated tokens (eos included when it ended in one).
  std::vector<int64_t> generate_window(generation::EncoderDecoderModel& model, const std::map<std::string, Tensor>& in,
                                       const std::vector<int64_t>& prompt, bool timestamps,
                                       const generation::GenerationConfig& config, const std::atomic<bool>* cancel,
                                       WhisperStepLogprobs* scores = nullptr) const {
    model.encode(in);
    generation::GenerationHooks hooks;
    if (timestamps) {
      const int64_t eos = config.eos_token_id.empty() ? -1 : config.eos_token_id.front();
      hooks.extra_processors.push_back(std::make_unique<generation::WhisperTimestamps>(
          *no_timestamps, eos, prompt.size(), max_initial_timestamp_index));
    }
    // Last: the processed scores Python records (sampling: with the top-k warper's mask).
    WhisperScoreRecorder recorder(config.do_sample ? size_t(std::max<int64_t>(config.top_k, 0)) : 0);
    if (scores) hooks.extra_processors.push_back(std::make_unique<WhisperScoreRecorderRef>(recorder));
    hooks.detokenize = [this](std::span<const int64_t> ids) {
      return processor.decode(std::vector<int32_t>(ids.begin(), ids.end()), true);
    };
    generation::GenerationResult r = generation::generate(model, {prompt}, config, nullptr, cancel, std::move(hooks));
    std::vector<int64_t> gen = r.sequences.at(0).at(0).tokens;
    if (scores) {
      if (!gen.empty()) recorder.finish(gen.back());
      *scores = recorder.steps();
    }
    return gen;
  }

  // WhisperNoSpeechDetection: the probability of <|nocaptions|> (no_timestamps_token_id - 1) in the
  // softmax of the raw logits at the <|startoftranscript|> position of the decoder input.
  double no_speech_prob(generation::EncoderDecoderModel& model, const std::map<std::string, Tensor>& in,
                        const std::vector<int64_t>& input, size_t init_size) const {
    model.encode(in);
    std::vector<int64_t> prefix(input.begin(), input.end() - std::ptrdiff_t(init_size) + 1);
    std::vector<float> logits;
    model.step({prefix}, logits);
    const int64_t token = *no_timestamps - 1;
    double mx = -std::numeric_limits<double>::infinity(), total = 0;
    for (float v : logits) mx = std::max(mx, double(v));
    for (float v : logits) total += std::exp(double(v) - mx);
    return token >= 0 && size_t(token) < logits.size() ? std::exp(double(logits[size_t(token)]) - mx) / total : 0.0;
  }

  struct Pass {
    std::vector<int64_t> seq;  // after eos / padding removal (short-form: decoder input included)
    bool skip = false;
    WhisperWindow window;
  };

  // generate_with_fallback for one generation: each temperature in turn until a pass needs no
  // fallback (or the last); the thresholds as _need_fallback reads them.
  Pass generate_with_fallback(generation::EncoderDecoderModel& model, const std::map<std::string, Tensor>& in,
                              const std::vector<int64_t>& input, size_t init_size, bool timestamps,
                              const generation::GenerationConfig& c, const WhisperOptions& o, bool short_form,
                              bool is_not_final) const {
    const auto cr_threshold = o.compression_ratio_threshold ? o.compression_ratio_threshold : config_cr_threshold;
    const auto lp_threshold = o.logprob_threshold ? o.logprob_threshold : config_lp_threshold;
    const auto ns_threshold = o.no_speech_threshold ? o.no_speech_threshold : config_ns_threshold;
    const int64_t eos = c.eos_token_id.empty() ? -1 : c.eos_token_id.front();
    std::vector<std::optional<double>> temperatures;
    for (double t : o.temperatures) temperatures.emplace_back(t);
    if (temperatures.empty()) temperatures.emplace_back(std::nullopt);
    Pass pass;
    if (ns_threshold) pass.window.no_speech_prob = no_speech_prob(model, in, input, init_size);
    for (size_t k = 0; k < temperatures.size(); ++k) {
      generation::GenerationConfig ck = c;
      const std::optional<double> t = temperatures[k];
      ck.do_sample = t && *t > 0.0;
      ck.temperature = ck.do_sample ? *t : 1.0;
      if (ck.do_sample) ck.num_beams = 1;
      WhisperStepLogprobs scores;
      std::vector<int64_t> gen =
          generate_window(model, in, input, timestamps, ck, o.cancel, lp_threshold ? &scores : nullptr);
      std::vector<int64_t> seq;
      if (short_form) seq = input;
      seq.insert(seq.end(), gen.begin(), gen.end());
      if (is_not_final && !seq.empty() && seq.back() == eos) seq.pop_back();
      drop_final_pad(seq, ck);
      // _need_fallback.
      bool needs_fallback = false;
      pass.skip = false;
      pass.window =
          WhisperWindow{t.value_or(0.0), k + 1, std::nullopt, std::nullopt, pass.window.no_speech_prob, false};
      if (cr_threshold) {
        pass.window.compression_ratio = whisper_compression_ratio(seq, settings.vocab_size);
        needs_fallback = *pass.window.compression_ratio > *cr_threshold;
      }
      if (lp_threshold) {
        pass.window.avg_logprob = whisper_average_logprob(scores, seq, eos);
        needs_fallback = needs_fallback || *pass.window.avg_logprob < *lp_threshold;
      }
      if (ns_threshold && *pass.window.avg_logprob<*lp_threshold&& * pass.window.no_speech_prob> * ns_threshold) {
        needs_fallback = false;
        pass.skip = true;
      }
      pass.window.skipped = pass.skip;
      pass.seq = std::move(seq);
      if (!needs_fallback) break;
    }
    return pass;
  }

  generation::GenerationConfig config_for(const WhisperOptions& o) const {
    generation::GenerationConfig c =
        generation::GenerationConfig::resolve(generation_text, config_text, "", o.generation);
    c.forced_decoder_ids.clear();
    if (c.mode() != generation::DecodingMode::kGreedy)
      throw UsageError("Whisper speech recognition decodes greedily here (no sampling, num_beams 1)");
    return c;
  }

  void check_length(const generation::GenerationConfig& c, size_t prompt) const {
    // _set_max_new_tokens_and_length: the decoder's positions bound the tokens.
    if (c.max_new_tokens && size_t(*c.max_new_tokens) + prompt > max_target_positions)
      throw UsageError("max_new_tokens " + std::to_string(*c.max_new_tokens) + " + the decoder input (" +
                       std::to_string(prompt) +
                       " tokens, the --prompt's included) exceeds config.json "
                       "max_target_positions " +
                       std::to_string(max_target_positions));
    // generation/utils.py _validate_generated_length (4.4x): a decoder input as long as max_length is
    // a ValueError.
    if (!c.max_new_tokens && int64_t(prompt) >= c.max_length)
      throw UsageError("the decoder input is " + std::to_string(prompt) +
                       " tokens (the --prompt's included) but "
                       "max_length is " +
                       std::to_string(c.max_length) + ": shorten the prompt (Python refuses it the same way)");
  }

  static void drop_final_pad(std::vector<int64_t>& seq, const generation::GenerationConfig& c) {
    // "remove all padding tokens": pad_token_id is eos for Whisper; Python cuts that many from the end.
    if (!c.pad_token_id || seq.empty() || seq.back() != *c.pad_token_id) return;
    size_t pads = size_t(std::count(seq.begin(), seq.end(), *c.pad_token_id));
    seq.resize(seq.size() - std::min(pads, seq.size()));
  }

  // Short-form: one generation on the (padded) features of up to 30 s.
  AsrModelOutput short_form(generation::EncoderDecoderModel& model, const float* samples, size_t count,
                            const WhisperOptions& o, const generation::GenerationConfig& c,
                            std::vector<WhisperWindow>& windows) const {
    processors::AudioFeatures f = processor.audio_features(samples, count);
    const size_t frames = size_t(f.shape.back());
    auto in = window(f.values, frames, 0);
    std::vector<int64_t> prompt = resolve_prompt(o);
    const std::vector<int64_t> init = init_tokens(o, o.return_timestamps, [&] { return detect_language(model, in); });
    // _prepare_decoder_input_ids: prompt_ids before the decoder prompt (short-form keeps them in the
    // returned ids; _decode_asr strips them).
    prompt.insert(prompt.end(), init.begin(), init.end());
    check_length(c, prompt.size());
    Pass pass = generate_with_fallback(model, in, prompt, init.size(), o.return_timestamps, c, o, true, false);
    windows.push_back(pass.window);
    AsrModelOutput out;
    if (pass.skip) return out;  // should_skip: no segment
    out.tokens = std::move(pass.seq);
    // The short-form sequence goes through _retrieve_segment too (generate at 000dccdb: one loop for
    // both forms, timestamps asked for or not): what follows the last complete segment is dropped.
    out.tokens.resize(retrieve_segment(out.tokens, num_segment_frames).keep);
    return out;
  }

  // _retrieve_segment on one window's sequence: how many tokens the segments keep (up to the last
  // timestamp pair, or all when the sequence ends in a single timestamp or holds no pair) and how far
  // the window's start moves (to the last pair's timestamp; the window's frames otherwise).
  struct Segment {
    size_t keep = 0, offset = 0;
  };
  Segment retrieve_segment(const std::vector<int64_t>& seq, size_t seek_num_frames) const {
    const int64_t tb = vocab.timestamp_begin;
    const size_t n = seq.size();
    auto is_ts = [&](size_t i) { return seq[i] >= tb; };
    const bool single_ending = n >= 2 && !is_ts(n - 2) && is_ts(n - 1);
    size_t last_pair = 0;  // index after the last pair's first timestamp (0: none)
    for (size_t i = 0; i + 1 < n; ++i)
      if (is_ts(i) && is_ts(i + 1)) last_pair = i + 1;
    Segment s{n, seek_num_frames};
    if (last_pair && !single_ending) {
      s.keep = last_pair + 1;
      s.offset = size_t(seq[s.keep - 1] - tb) * kInputStride;
    }
    return s;
  }

  // Long-form: Python's seek loop over the whole recording's features, computed a window at a time.
  AsrModelOutput long_form(generation::EncoderDecoderModel& model, processors::WholeFeatureWindows& f,
                           const WhisperOptions& o, const generation::GenerationConfig& c, Progress& progress,
                           std::vector<WhisperWindow>& windows) const {
    const size_t max_frames = f.frames();
    const std::vector<int64_t> init =
        init_tokens(o, true, [&] { return detect_language(model, input_features(f.window(0, num_segment_frames))); });
    const std::vector<int64_t> prompt_ids = resolve_prompt(o);
    const bool condition = condition_on_prev_tokens(o);
    // do_condition_on_prev_tokens: the option, then per window whether it also ended below temperature 0.5.
    bool do_condition = condition;
    const bool all_segments = o.prompt_condition_type == "all-segments";
    // <|startofprev|> before conditioned tokens: prev_sot_token_id, else suppress_tokens[-2].
    std::optional<int64_t> prev_start = prev_sot;
    if (!prev_start && c.suppress_tokens.size() >= 2) prev_start = c.suppress_tokens[c.suppress_tokens.size() - 2];
    // current_segments' tokens, concatenated (_prepare_segments: first-segment starts with the prompt,
    // without its first token when that is prev_sot_token_id — generation_config's only, so the corpus
    // configs, which have none, keep it); `has_segments`: the list holds a segment.
    std::vector<int64_t> segments;
    bool has_segments = false;
    size_t prompt_segment = 0;
    if (!prompt_ids.empty() && !all_segments) {
      const bool starts_prev = prev_sot && prompt_ids.front() == *prev_sot;
      segments.assign(prompt_ids.begin() + (starts_prev ? 1 : 0), prompt_ids.end());
      prompt_segment = segments.size();
      has_segments = true;
    }
    const size_t cut_off = max_target_positions / 2 - 1;
    size_t seek = 0;
    while (seek < max_frames) {
      if (o.cancel && o.cancel->load()) break;
      const size_t seek_num_frames = std::min(max_frames - seek, num_segment_frames);
      // _prepare_decoder_input_ids.
      std::vector<int64_t> input;
      if (do_condition && has_segments) {
        if (!prompt_ids.empty() && all_segments) input = prompt_ids;
        else if (prev_start) input = {*prev_start};
        const size_t tail = std::min(cut_off, segments.size());
        input.insert(input.end(), segments.end() - std::ptrdiff_t(tail), segments.end());
      } else {
        input = prompt_ids;
      }
      input.insert(input.end(), init.begin(), init.end());
      check_length(c, input.size());
      const bool is_not_final = seek + num_segment_frames < max_frames;
      Pass pass = generate_with_fallback(model, input_features(f.window(seek, num_segment_frames)), input, init.size(),
                                         true, c, o, false, is_not_final);
      windows.push_back(pass.window);
      do_condition = condition && pass.window.temperature < 0.5;
      if (pass.skip) {  // should_skip: the window yields no segment
        seek += seek_num_frames;
        progress.advance(uint64_t(seek_num_frames) * 160);
        continue;
      }
      std::vector<int64_t> seq = std::move(pass.seq);
      // _retrieve_segment: keep the tokens up to the last complete segment, seek to its end.
      auto [keep, offset] = retrieve_segment(seq, seek_num_frames);
      // A window must move on (Python would loop forever on a zero offset; the timestamp rules make it
      // impossible for a pair at the start).
      if (offset == 0) offset = seek_num_frames;
      segments.insert(segments.end(), seq.begin(), seq.begin() + std::ptrdiff_t(keep));
      has_segments = true;
      seek += offset;
      progress.advance(uint64_t(offset) * 160);
    }
    // The returned sequence: every segment, without first-segment's prompt segment.
    AsrModelOutput out;
    out.tokens.assign(segments.begin() + std::ptrdiff_t(prompt_segment), segments.end());
    return out;
  }
};

WhisperRecognizer::WhisperRecognizer(const AutoModel& encoder, const AutoModel& decoder,
                                     const AutoModel* decoder_with_past, const AutoProcessor& processor)
    : impl_(std::make_unique<Impl>(encoder, decoder, decoder_with_past, processor)) {
  // The graphs are checked now, not on the first recording.
  generation::EncoderDecoderModel check(encoder, decoder, decoder_with_past, impl_->settings);
}

WhisperRecognizer::~WhisperRecognizer() = default;

std::vector<int64_t> WhisperRecognizer::prompt_ids(std::string_view text) const { return impl_->prompt_ids(text); }

WhisperResult WhisperRecognizer::transcribe(const std::vector<float>& samples, const WhisperOptions& o) const {
  processors::MemorySamples source(samples.data(), samples.size());
  return transcribe(source, o);
}

WhisperResult WhisperRecognizer::transcribe(processors::SampleSource& source, const WhisperOptions& o) const {
  const Impl& im = *impl_;
  im.check_options(o);
  generation::GenerationConfig config = im.config_for(o);
  const auto& fe = im.processor.feature_extractor();
  const double rate = fe.sampling_rate();
  const size_t chunk_samples = fe.chunk_samples();
  source.rewind();
  processors::SlidingSamples in(source);
  // Enough to tell short-form (up to 30 s) from long-form.
  in.fill_to(chunk_samples + 1);
  if (in.end() == 0) throw UsageError("the recording is empty (0 samples)");
  generation::EncoderDecoderModel model(im.encoder, im.decoder, im.with_past, im.settings);
  WhisperResult result;
  Progress progress("transcribing", std::max(source.expected_samples(), in.end()), uint64_t(chunk_samples) + 1);
  if (o.chunk_length_s) {
    // Python's preprocess: chunk and strides in samples (align_to 1 for Whisper).
    if (!(*o.chunk_length_s > 0)) throw UsageError("--chunk-length-s must be positive");
    const double stride_s = o.stride_length_s.value_or(*o.chunk_length_s / 6.0);
    if (stride_s < 0) throw UsageError("--stride-length-s must not be negative");
    const size_t chunk_len = size_t(std::nearbyint(*o.chunk_length_s * rate));
    const size_t stride = size_t(std::nearbyint(stride_s * rate));
    if (chunk_len <= 2 * stride)
      throw UsageError("--chunk-length-s must be greater than twice --stride-length-s (the chunk must advance)");
    // chunk_iter over the stream: a chunk is the last when its end reaches the recording's end, which
    // reading one sample past it tells.
    const size_t step = chunk_len - 2 * stride;
    for (size_t start = 0;; start += step) {
      if (o.cancel && o.cancel->load()) break;
      in.drop_before(start);
      in.fill_to(start + chunk_len + 1);
      if (in.ended() && start >= in.end()) break;
      const AudioChunk ch = chunk_at(start, in.end(), chunk_len, stride, stride);
      if (ch.yielded()) {
        AsrModelOutput out =
            im.short_form(model, in.data() + (start - in.base()), ch.length, o, config, result.windows);
        out.has_stride = true;
        out.chunk_len = double(ch.length) / rate;
        out.stride_left = double(ch.stride_left) / rate;
        out.stride_right = double(ch.stride_right) / rate;
        result.outputs.push_back(std::move(out));
        progress.advance(ch.length - ch.stride_right - ch.stride_left);
        if (o.on_progress) o.on_progress(ch.start + ch.length, std::max(source.expected_samples(), in.end()));
      }
      if (ch.is_last) break;
    }
  } else if (in.end() > chunk_samples) {
    // _set_return_timestamps (generation_whisper.py, commit 000dccdb): unset, return_timestamps falls back
    // to generation_config's; long-form refuses False (the pipeline forwards only a true value, so an unset
    // option and a false one both fall back), else sets it True and the pipeline returns the text only.
    if (!o.return_timestamps && im.config_return_timestamps_false())
      throw UsageError(
          "the recording is longer than 30 s, which needs long-form decoding with timestamp tokens, and "
          "generation_config.json sets return_timestamps false (Python refuses it the same way): pass "
          "--return-timestamps, or --chunk-length-s S");
    WhisperOptions lo = o;
    lo.return_timestamps = true;
    im.check_options(lo);
    processors::WholeFeatureWindows windows = fe.whole_windows(source);
    result.outputs.push_back(im.long_form(model, windows, lo, config, progress, result.windows));
  } else {
    result.outputs.push_back(im.short_form(model, in.data(), in.end(), o, config, result.windows));
  }
  progress.finish();
  const auto& proc = im.processor;
  result.text = decode_asr(
      result.outputs, im.vocab, [&](const std::vector<int32_t>& ids) { return proc.decode(ids, false); },
      o.return_timestamps, o.return_language);
  return result;
}

bool is_whisper_set(const std::filesystem::path& model_or_folder) {
  if (!metadata::is_encoder_decoder_set(model_or_folder)) return false;
  metadata::EncoderDecoderSet set = metadata::find_encoder_decoder_set(model_or_folder);
  metadata::ModelFiles files = metadata::ModelFiles::from_model(set.encoder);
  const std::string* c = files.get("config.json");
  if (!c) return false;
  Json j = parse_json_object(*c, "config.json");
  return j.contains("model_type") && j["model_type"] == "whisper";
}

namespace {

class WhisperPipeline final : public Pipeline {
 public:
  WhisperPipeline(AutoModel encoder, AutoModel decoder, std::optional<AutoModel> with_past, AutoProcessor processor)
      : Pipeline("automatic-speech-recognition", std::move(encoder), std::move(processor)),
        decoder_(std::move(decoder)),
        with_past_(std::move(with_past)),
        recognizer_(model_, decoder_, with_past_ ? &*with_past_ : nullptr, processor_) {}

  std::vector<std::string> run(const std::vector<PipelineInput>& inputs,
                               const PipelineOptions& options) const override {
    WhisperOptions o;
    static_cast<SpeechRecognitionOptions&>(o) = options.speech;  // then what WhisperOptions adds
    o.generation = options.generation;
    o.on_note = options.on_note;
    o.cancel = options.cancel;
    std::vector<std::string> out;
    const int rate = processor_.feature_extractor().sampling_rate();
    for (const auto& in : inputs) {
      WhisperResult r;
      if (in.samples.empty() && !in.audio.empty()) {
        // A file is read as a stream: memory does not grow with its length.
        processors::AudioReader reader(in.audio, rate);
        if (options.on_note)
          for (const auto& note : reader.notes()) options.on_note(note);
        r = recognizer_.transcribe(reader, o);
      } else {
        r = recognizer_.transcribe(input_samples(in, rate, options), o);
      }
      OJson j{{"text", r.text.text}};
      if (o.return_timestamps || o.return_language) {
        // _decode_asr's chunk: {"language", "timestamp", "text"}, without the keys not asked for.
        OJson chunks = OJson::array();
        for (const AsrChunk& c : r.text.chunks) {
          OJson chunk = OJson::object();
          if (o.return_language) chunk["language"] = c.language ? OJson(*c.language) : OJson(nullptr);
          if (o.return_timestamps)
            chunk["timestamp"] =
                OJson::array({c.start ? OJson(*c.start) : OJson(nullptr), c.end ? OJson(*c.end) : OJson(nullptr)});
          chunk["text"] = c.text;
          chunks.push_back(std::move(chunk));
        }
        j["chunks"] = chunks;
      }
      out.push_back(j.dump(-1, ' ', false, OJson::error_handler_t::replace));
    }
    return out;
  }

 private:
  AutoModel decoder_;
  std::optional<AutoModel> with_past_;
  WhisperRecognizer recognizer_;
};

}  // namespace

std::unique_ptr<Pipeline> make_whisper_speech_recognition(const std::filesystem::path& model_or_folder,
                                                          const std::string& task, const SessionOptions& session) {
  if (!task.empty() && metadata::canonical_task(task) != "automatic-speech-recognition")
    throw UsageError("a Whisper set runs automatic-speech-recognition, not " + task);
  metadata::EncoderDecoderSet set = metadata::find_encoder_decoder_set(model_or_folder);
  metadata::ModelFiles files = metadata::ModelFiles::from_model(set.encoder);
  AutoModel encoder = AutoModel::from_model(set.encoder, session);
  AutoModel decoder = AutoModel::from_model(set.decoder, session);
  std::optional<AutoModel> with_past;
  if (!set.merged()) with_past = AutoModel::from_model(set.decoder_with_past, session);
  AutoProcessor processor = AutoProcessor::from_files(std::move(files), encoder.inputs());
  if (processor.modality() != Modality::kAudio)
    throw UnsuitableModelError("a Whisper encoder takes input_features; " + set.encoder.string() + " does not");
  if (!processor.has_tokenizer())
    throw ProcessorReconstructionError("a Whisper model needs its tokenizer (tokenizer.json) to turn ids into text");
  return std::make_unique<WhisperPipeline>(std::move(encoder), std::move(decoder), std::move(with_past),
                                           std::move(processor));
}

}  // namespace modelexport::runtime
