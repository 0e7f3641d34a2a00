#include "runtime/generation/generation_config.h"

#include <cmath>
#include <string>

#include "common/json_util.h"
#include "modelexport/common/error.h"

namespace modelexport::runtime::generation {
namespace {

// An int or a list of ints (eos_token_id, forced_eos_token_id).
std::optional<std::vector<int64_t>> int_or_list(const JsonReader& r, std::string_view key) {
  const Json* v = r.find(key);
  if (!v) return std::nullopt;
  std::vector<int64_t> out;
  if (v->is_number_integer()) {
    out.push_back(v->get<int64_t>());
    return out;
  }
  if (!v->is_array()) r.fail(key, "an integer or a list of integers");
  for (const Json& e : *v) {
    if (!e.is_number_integer()) r.fail(key, "an integer or a list of integers");
    out.push_back(e.get<int64_t>());
  }
  return out;
}

std::optional<std::vector<std::vector<int64_t>>> list_of_lists(const JsonReader& r, std::string_view key) {
  const Json* v = r.find(key);
  if (!v) return std::nullopt;
  if (!v->is_array()) r.fail(key, "a list of lists of token ids");
  std::vector<std::vector<int64_t>> out;
  for (const Json& seq : *v) {
    if (!seq.is_array()) r.fail(key, "a list of lists of token ids");
    std::vector<int64_t> ids;
    for (const Json& e : seq) {
      if (!e.is_number_integer()) r.fail(key, "a list of lists of token ids");
      ids.push_back(e.get<int64_t>());
    }
    out.push_back(std::move(ids));
  }
  return out;
}

std::optional<std::vector<std::string>> string_or_list(const JsonReader& r, std::string_view key) {
  const Json* v = r.find(key);
  if (!v) return std::nullopt;
  std::vector<std::string> out;
  if (v->is_string()) {
    out.push_back(v->get<std::string>());
    return out;
  }
  if (!v->is_array()) r.fail(key, "a string or a list of strings");
  for (const Json& e : *v) {
    if (!e.is_string()) r.fail(key, "a string or a list of strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

std::optional<EarlyStopping> early_stopping(const JsonReader& r, std::string_view key) {
  const Json* v = r.find(key);
  if (!v) return std::nullopt;
  if (v->is_boolean()) return v->get<bool>() ? EarlyStopping::kTrue : EarlyStopping::kFalse;
  if (v->is_string() && v->get<std::string>() == "never") return EarlyStopping::kNever;
  r.fail(key, R"(true, false or "never")");
}

// The generation keys of one JSON object (generation_config.json, config.json, a
// task_specific_params entry) as options: what the object sets.
GenerationOptions options_from(const JsonReader& r) {
  GenerationOptions o;
  o.max_new_tokens = r.integer("max_new_tokens");
  o.max_length = r.integer("max_length");
  o.min_new_tokens = r.integer("min_new_tokens");
  o.min_length = r.integer("min_length");
  o.do_sample = r.boolean("do_sample");
  o.num_beams = r.integer("num_beams");
  o.num_return_sequences = r.integer("num_return_sequences");
  o.temperature = r.number("temperature");
  o.top_p = r.number("top_p");
  o.min_p = r.number("min_p");
  o.typical_p = r.number("typical_p");
  o.top_k = r.integer("top_k");
  o.repetition_penalty = r.number("repetition_penalty");
  o.no_repeat_ngram_size = r.integer("no_repeat_ngram_size");
  o.encoder_no_repeat_ngram_size = r.integer("encoder_no_repeat_ngram_size");
  o.bad_words_ids = list_of_lists(r, "bad_words_ids");
  o.suppress_tokens = int_or_list(r, "suppress_tokens");
  o.begin_suppress_tokens = int_or_list(r, "begin_suppress_tokens");
  o.forced_bos_token_id = r.integer("forced_bos_token_id");
  o.forced_eos_token_id = int_or_list(r, "forced_eos_token_id");
  if (auto pairs = list_of_lists(r, "forced_decoder_ids")) {
    std::vector<std::pair<int64_t, int64_t>> forced;
    for (const auto& p : *pairs) {
      if (p.size() != 2) r.fail("forced_decoder_ids", "a list of [index, token id] pairs");
      forced.emplace_back(p[0], p[1]);
    }
    o.forced_decoder_ids = std::move(forced);
  }
  o.length_penalty = r.number("length_penalty");
  o.early_stopping = early_stopping(r, "early_stopping");
  o.eos_token_id = int_or_list(r, "eos_token_id");
  o.pad_token_id = r.integer("pad_token_id");
  o.bos_token_id = r.integer("bos_token_id");
  o.decoder_start_token_id = r.integer("decoder_start_token_id");
  o.stop_strings = string_or_list(r, "stop_strings");
  return o;
}

template <typename T>
void overlay(T& target, const std::optional<T>& value) {
  if (value) target = *value;
}
template <typename T>
void overlay(std::optional<T>& target, const std::optional<T>& value) {
  if (value) target = value;
}

// GenerationOptions set in `o` but not in `base`, copied over (fills what base left unset).
void fill_unset(GenerationOptions& base, const GenerationOptions& o) {
#define ME_FILL(field) \
  if (!base.field) base.field = o.field;
  ME_FILL(max_new_tokens)
  ME_FILL(max_length) ME_FILL(min_new_tokens) ME_FILL(min_length) ME_FILL(do_sample) ME_FILL(num_beams)
      ME_FILL(num_return_sequences) ME_FILL(temperature) ME_FILL(top_p) ME_FILL(min_p) ME_FILL(typical_p) ME_FILL(top_k)
          ME_FILL(repetition_penalty) ME_FILL(no_repeat_ngram_size) ME_FILL(encoder_no_repeat_ngram_size)
              ME_FILL(bad_words_ids) ME_FILL(suppress_tokens) ME_FILL(begin_suppress_tokens)
                  ME_FILL(forced_bos_token_id) ME_FILL(forced_eos_token_id) ME_FILL(forced_decoder_ids)
                      ME_FILL(length_penalty) ME_FILL(early_stopping) ME_FILL(eos_token_id) ME_FILL(pad_token_id)
                          ME_FILL(bos_token_id) ME_FILL(decoder_start_token_id) ME_FILL(stop_strings)
#undef ME_FILL
}

[[noreturn]] void invalid(const std::string& option, const std::string& what) {
  throw UsageError("generation option " + option + ": " + what);
}

std::string number_text(double v) {
  std::string s = std::to_string(v);
  while (s.size() > 1 && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

DecodingMode GenerationConfig::mode() const {
  if (num_beams > 1) return do_sample ? DecodingMode::kBeamSample : DecodingMode::kBeamSearch;
  return do_sample ? DecodingMode::kSample : DecodingMode::kGreedy;
}

int64_t GenerationConfig::max_length_for(size_t prompt_length) const {
  if (max_new_tokens) return static_cast<int64_t>(prompt_length) + *max_new_tokens;
  return max_length;
}

void GenerationConfig::apply(const GenerationOptions& o) {
  overlay(max_new_tokens, o.max_new_tokens);
  overlay(max_length, o.max_length);
  overlay(min_new_tokens, o.min_new_tokens);
  overlay(min_length, o.min_length);
  overlay(do_sample, o.do_sample);
  overlay(num_beams, o.num_beams);
  overlay(num_return_sequences, o.num_return_sequences);
  overlay(temperature, o.temperature);
  overlay(top_p, o.top_p);
  overlay(min_p, o.min_p);
  overlay(typical_p, o.typical_p);
  overlay(top_k, o.top_k);
  overlay(repetition_penalty, o.repetition_penalty);
  overlay(no_repeat_ngram_size, o.no_repeat_ngram_size);
  overlay(encoder_no_repeat_ngram_size, o.encoder_no_repeat_ngram_size);
  overlay(bad_words_ids, o.bad_words_ids);
  overlay(suppress_tokens, o.suppress_tokens);
  overlay(begin_suppress_tokens, o.begin_suppress_tokens);
  overlay(forced_bos_token_id, o.forced_bos_token_id);
  overlay(forced_eos_token_id, o.forced_eos_token_id);
  overlay(forced_decoder_ids, o.forced_decoder_ids);
  overlay(length_penalty, o.length_penalty);
  overlay(early_stopping, o.early_stopping);
  overlay(eos_token_id, o.eos_token_id);
  overlay(pad_token_id, o.pad_token_id);
  overlay(bos_token_id, o.bos_token_id);
  overlay(decoder_start_token_id, o.decoder_start_token_id);
  overlay(stop_strings, o.stop_strings);
  overlay(seed, o.seed);
}

// The checks of transformers' GenerationConfig.validate and of the processors' constructors
// (logits_process.py), raised as UsageError naming the option.
void GenerationConfig::validate() {
  if (max_new_tokens && *max_new_tokens <= 0)
    invalid("max_new_tokens", "must be greater than 0, got " + std::to_string(*max_new_tokens));
  if (max_length <= 0) invalid("max_length", "must be greater than 0, got " + std::to_string(max_length));
  if (min_length < 0) invalid("min_length", "must be 0 or more, got " + std::to_string(min_length));
  if (min_new_tokens && *min_new_tokens < 0)
    invalid("min_new_tokens", "must be 0 or more, got " + std::to_string(*min_new_tokens));
  if (num_beams < 1) invalid("num_beams", "must be 1 or more, got " + std::to_string(num_beams));
  if (num_return_sequences < 1)
    invalid("num_return_sequences", "must be 1 or more, got " + std::to_string(num_return_sequences));
  if (!std::isfinite(length_penalty)) invalid("length_penalty", "must be a number, got " + number_text(length_penalty));
  if (!std::isfinite(temperature)) invalid("temperature", "must be a number");
  if (!(top_p > 0.0 && top_p <= 1.0)) invalid("top_p", "must be in (0, 1], got " + number_text(top_p));
  if (top_k < 0) invalid("top_k", "must be 0 (off) or more, got " + std::to_string(top_k));
  if (min_p && !(*min_p >= 0.0 && *min_p <= 1.0)) invalid("min_p", "must be in [0, 1], got " + number_text(*min_p));
  if (!(typical_p > 0.0 && typical_p <= 1.0)) invalid("typical_p", "must be in (0, 1], got " + number_text(typical_p));
  if (!(repetition_penalty > 0.0) || !std::isfinite(repetition_penalty))
    invalid("repetition_penalty", "must be a number greater than 0, got " + number_text(repetition_penalty));
  if (no_repeat_ngram_size < 0)
    invalid("no_repeat_ngram_size", "must be 0 (off) or more, got " + std::to_string(no_repeat_ngram_size));
  if (encoder_no_repeat_ngram_size < 0)
    invalid("encoder_no_repeat_ngram_size",
            "must be 0 (off) or more, got " + std::to_string(encoder_no_repeat_ngram_size));
  for (const auto& seq : bad_words_ids) {
    if (seq.empty()) invalid("bad_words_ids", "each entry must be a non-empty list of token ids");
    for (int64_t t : seq)
      if (t < 0) invalid("bad_words_ids", "token ids must be 0 or more, got " + std::to_string(t));
  }
  for (int64_t t : eos_token_id)
    if (t < 0) invalid("eos_token_id", "token ids must be 0 or more, got " + std::to_string(t));
  if (do_sample) {
    if (temperature == 0.0) {
      // transformers' documented fallback: temperature 0 means greedy decoding.
      do_sample = false;
      notes.push_back("temperature 0 with sampling: decoding greedily instead (as transformers does)");
    } else if (temperature < 0.0) {
      invalid("temperature", "must be greater than 0 when sampling, got " + number_text(temperature));
    }
  }
  if (num_beams > 1 && num_return_sequences > num_beams)
    invalid("num_return_sequences", "must not exceed num_beams (" + std::to_string(num_beams) +
                                        ") with beam search, got " + std::to_string(num_return_sequences));
  if (num_beams == 1 && !do_sample && num_return_sequences > 1)
    invalid("num_return_sequences", "greedy decoding returns one sequence; use do_sample or num_beams > 1 for " +
                                        std::to_string(num_return_sequences));
  // Python: a missing pad_token_id becomes the first eos id.
  if (!pad_token_id && !eos_token_id.empty()) pad_token_id = eos_token_id.front();
}

GenerationConfig GenerationConfig::resolve(std::string_view generation_config_json, std::string_view config_json,
                                           std::string_view task, const GenerationOptions& options) {
  GenerationConfig c;
  Json config = config_json.empty() ? Json::object() : parse_json_object(config_json, "config.json");
  JsonReader config_reader(config, "config.json");
  if (!generation_config_json.empty()) {
    Json gen = parse_json_object(generation_config_json, "generation_config.json");
    c.apply(options_from(JsonReader(gen, "generation_config.json")));
  } else {
    // GenerationConfig.from_model_config: config.json's keys, then (for what is still unset) the
    // decoder / generator / text_config sub-configs.
    GenerationOptions from_model = options_from(config_reader);
    for (const char* sub : {"decoder", "generator", "text_config"})
      if (auto r = config_reader.object(sub)) fill_unset(from_model, options_from(*r));
    c.apply(from_model);
  }
  if (auto prefix = config_reader.string("prefix")) c.prefix = *prefix;
  // Pipelines update the generation config with task_specific_params[task] ("prefix" kept apart).
  if (!task.empty()) {
    if (auto params = config_reader.object("task_specific_params")) {
      if (auto entry = params->object(task)) {
        c.apply(options_from(*entry));
        if (auto prefix = entry->string("prefix")) c.prefix = *prefix;
      }
    }
  }
  c.apply(options);
  c.validate();
  return c;
}

}  // namespace modelexport::runtime::generation
