// text-generation as Python transformers' TextGenerationPipeline (v4.57 pipelines/text_generation.py)
// and transformers.js 4.3.1's (src/pipelines/text-generation.js) shape its results: text input →
// [{"generated_text": prompt + new text}] (return_full_text, default true) or the new text alone;
// chat input (a list of {role, content}) → the template-rendered prompt (add_generation_prompt),
// tokenized without special tokens, and [{"generated_text": [...messages, {"role": "assistant",
// "content": new text}]}]. Text prompts are tokenized with the tokenizer's special tokens, as Python
// does (tokenizer(prompt) with its add_special_tokens default). New text is decoded with
// skip_special_tokens: the decode of prompt + new tokens minus the decode of the prompt (Python's
// prompt_length slicing). Each pipeline call runs its own DecoderModel, so a Pipeline stays
// immutable and shareable; the inputs of one call generate as one left-padded batch per batch_size.
// Optimum's two-file layout runs decoder_model.onnx for the prompt and decoder_with_past_model.onnx after.
// A prompt given as token ids (input_ids, as given) returns Python's return_tensors shape,
// [{"generated_token_ids": prompt + new ids}], plus "generated_text" when the model has a tokenizer;
// a model without one (onnxruntime-genai folders) generates from ids only.
#include <algorithm>
#include <optional>

#include "modelexport/common/error.h"
#include "modelexport/processors/chat_template.h"
#include "runtime/generation/decoder_model.h"
#include "runtime/generation/generate.h"
#include "runtime/generation/text_streamer.h"
#include "runtime/pipelines/text_pipeline.h"

namespace modelexport::runtime {
namespace {

using generation::DecoderModel;

class TextGeneration final : public TextPipeline {
 public:
  TextGeneration(AutoModel m, AutoProcessor p, std::optional<AutoModel> with_past = std::nullopt)
      : TextPipeline("text-generation", std::move(m), std::move(p)), with_past_(std::move(with_past)) {
    const auto& files = processor_.files();
    auto file = [&](const char* name) {
      const std::string* f = files.get(name);
      return f ? *f : std::string();
    };
    config_json_ = file("config.json");
    generation_json_ = file("generation_config.json");
    const std::string genai = file("genai_config.json");
    settings_ = DecoderModel::Settings::from_configs(config_json_, genai);
    // An onnxruntime-genai folder without config.json: its special tokens (model.bos/eos/pad_token_id,
    // which onnxruntime-genai's generator stops on) stand in for config.json's.
    if (config_json_.empty() && !genai.empty()) {
      Json model = parse_json_object(genai, "genai_config.json").value("model", Json::object());
      Json tokens = Json::object();
      for (const char* key : {"bos_token_id", "eos_token_id", "pad_token_id"})
        if (model.is_object() && model.contains(key)) tokens[key] = model[key];
      if (!tokens.empty()) config_json_ = tokens.dump();
    }
    if (processor_.has_tokenizer())
      if (auto pad = processor_.special_token_id("pad_token")) settings_.pad_token_id = *pad;
    if (!generation_json_.empty()) {
      Json g = parse_json_object(generation_json_, "generation_config.json");
      model_sets_length_ = g.contains("max_new_tokens") || g.contains("max_length");
    }
    // A decoder the runner cannot drive is refused now, naming the input or output.
    decoder();
  }

 private:
  struct Prompt {
    std::vector<int64_t> ids;
    Json messages;  // chat input, else null
    std::string text;
    bool from_ids = false;  // given as token ids: the result holds generated_token_ids
  };

  Prompt prepare(const PipelineInput& in, size_t index, const PipelineOptions& o) const {
    Prompt p;
    if (!in.input_ids.empty()) {
      if (!in.text.empty() || !in.messages.empty())
        throw UsageError("input " + std::to_string(index + 1) +
                         ": give the prompt as text, messages or token ids, not " +
                         (in.text.empty() ? "messages" : "text") + " and token ids");
      p.ids = in.input_ids;
      p.from_ids = true;
      return p;
    }
    if (!processor_.has_tokenizer())
      throw UsageError("input " + std::to_string(index + 1) + ": " + processor_.files().source +
                       " has no tokenizer (tokenizer.json, vocab.json + merges.txt, vocab.txt or a SentencePiece "
                       ".model), so the prompt must be token ids (input_ids); the result is then token ids too");
    if (!in.messages.empty()) {
      const std::string where = "input " + std::to_string(index + 1) + ": messages";
      p.messages = parse_json(in.messages, where);
      if (!p.messages.is_array() || p.messages.empty())
        throw UsageError(where + ": expected a non-empty list of {\"role\", \"content\"} objects");
      for (size_t k = 0; k < p.messages.size(); ++k) {
        const Json& m = p.messages[k];
        if (!m.is_object() || !m.contains("role") || !m["role"].is_string() || !m.contains("content") ||
            !(m["content"].is_string() || m["content"].is_array() || m["content"].is_null()))
          throw UsageError(where + "[" + std::to_string(k) +
                           "]: expected an object with a string \"role\" and a \"content\"");
      }
      Json vars = o.chat_template_variables.empty()
                      ? Json::object()
                      : parse_json_object(o.chat_template_variables, "chat template variables");
      vars["messages"] = p.messages;
      if (!vars.contains("add_generation_prompt")) vars["add_generation_prompt"] = true;
      auto tmpl = processors::ChatTemplate::from_model_files(processor_.files());
      p.text = tmpl.render(vars.dump());
      for (int32_t id : processor_.tokenizer().encode(p.text, false).ids) p.ids.push_back(id);
    } else {
      p.text = in.text;
      for (int32_t id : processor_.tokenizer().encode(in.text, true).ids) p.ids.push_back(id);
    }
    if (p.ids.empty())
      throw UsageError("input " + std::to_string(index + 1) +
                       ": the prompt has no tokens; a decoder-only model needs at least one");
    return p;
  }

  std::vector<OJson> results(const std::vector<PipelineInput>& inputs, const PipelineOptions& o) const override {
    GenerationOptions options = o.generation;
    if (!options.max_new_tokens && !options.max_length && !model_sets_length_) options.max_new_tokens = 256;
    if (options.max_new_tokens && *options.max_new_tokens <= 0)
      throw UsageError("max_new_tokens must be at least 1 (got " + std::to_string(*options.max_new_tokens) + ")");
    auto config = generation::GenerationConfig::resolve(generation_json_, config_json_, "text-generation", options);
    auto note = [&](const std::string& text) {
      if (o.on_note) o.on_note(text);
    };
    for (const auto& n : config.notes) note(n);
    std::vector<Prompt> prompts;
    for (size_t i = 0; i < inputs.size(); ++i) prompts.push_back(prepare(inputs[i], i, o));
    const size_t window = settings_.context_length;
    for (size_t i = 0; i < prompts.size(); ++i)
      if (window && prompts[i].ids.size() >= window)
        throw UsageError("input " + std::to_string(i + 1) + ": the prompt is " + std::to_string(prompts[i].ids.size()) +
                         " tokens; the model's context window is " + std::to_string(window) +
                         " (config.json), which leaves no room to generate");
    std::unique_ptr<DecoderModel> runner = decoder();
    DecoderModel& decoder = *runner;
    for (size_t i = 0; i < prompts.size(); ++i)
      for (int64_t id : prompts[i].ids)
        if (id < 0 || static_cast<size_t>(id) >= decoder.vocab_size())
          throw UnsuitableModelError(
              "input " + std::to_string(i + 1) + ": token id " + std::to_string(id) +
              " is outside the model's vocabulary of " + std::to_string(decoder.vocab_size()) +
              (prompts[i].from_ids ? std::string() : " (the tokenizer does not match the model)"));
    if (o.on_text && (prompts.size() != 1 || config.num_return_sequences != 1 || config.num_beams != 1))
      throw UsageError(
          "streaming needs one input, one return sequence and no beam search (as transformers' streamers)");
    if (o.on_text && !processor_.has_tokenizer())
      throw UsageError("streaming needs a tokenizer to turn tokens into text; this model has none");

    for (const auto& n : decoder.notes()) note(n);
    auto decode = [&](std::span<const int64_t> ids) {
      return processor_.decode(std::vector<int32_t>(ids.begin(), ids.end()), true);
    };
    std::vector<OJson> out(inputs.size());
    const size_t batch = std::max<size_t>(1, model_.batch_dependent() ? 1 : o.batch_size);
    for (size_t first = 0; first < prompts.size(); first += batch) {
      const size_t end = std::min(prompts.size(), first + batch);
      std::vector<std::vector<int64_t>> ids;
      size_t longest = 0;
      for (size_t i = first; i < end; ++i) {
        ids.push_back(prompts[i].ids);
        longest = std::max(longest, prompts[i].ids.size());
      }
      auto row_config = config;
      int64_t max_total = row_config.max_length_for(longest);
      if (window && max_total > static_cast<int64_t>(window)) {
        note("generation stops at the model's context window of " + std::to_string(window) + " tokens");
        row_config.max_new_tokens.reset();
        row_config.max_length = static_cast<int64_t>(window);
        max_total = static_cast<int64_t>(window);
      }
      decoder.reserve(ids.size() * static_cast<size_t>(
                                       std::max<int64_t>(1, row_config.num_return_sequences * row_config.num_beams)),
                      static_cast<size_t>(max_total));
      generation::GenerationHooks hooks;
      if (processor_.has_tokenizer()) hooks.detokenize = decode;
      std::unique_ptr<generation::TextStreamer> streamer;
      if (o.on_text)
        streamer = std::make_unique<generation::TextStreamer>(
            decode, [&](std::string_view piece) { o.on_text(piece); }, true);
      auto result = generation::generate(decoder, ids, row_config, streamer.get(), o.cancel, std::move(hooks));
      for (const auto& n : result.notes) note(n);
      for (size_t i = first; i < end; ++i) {
        const Prompt& p = prompts[i];
        const bool text = processor_.has_tokenizer();
        const std::string prompt_text = text ? decode(p.ids) : std::string();
        OJson list = OJson::array();
        for (const auto& seq : result.sequences[i - first]) {
          std::vector<int64_t> all = p.ids;
          all.insert(all.end(), seq.tokens.begin(), seq.tokens.end());
          OJson item = OJson::object();
          if (p.from_ids) {
            // Python's return_tensors: the whole sequence; the text too when there is a tokenizer.
            item["generated_token_ids"] = all;
            if (text) {
              const std::string full = decode(all);
              item["generated_text"] =
                  o.return_full_text.value_or(true) ? full : full.substr(std::min(prompt_text.size(), full.size()));
            }
            list.push_back(std::move(item));
            continue;
          }
          std::string full = decode(all);
          std::string generated = full.substr(std::min(prompt_text.size(), full.size()));
          if (!p.messages.is_null()) {
            OJson messages = OJson::parse(inputs[i].messages);  // the caller's key order
            messages.push_back({{"role", "assistant"}, {"content", generated}});
            item["generated_text"] = std::move(messages);
          } else {
            item["generated_text"] = o.return_full_text.value_or(true) ? p.text + generated : generated;
          }
          list.push_back(std::move(item));
        }
        out[i] = std::move(list);
      }
    }
    return out;
  }

  std::unique_ptr<DecoderModel> decoder() const {
    if (with_past_) return std::make_unique<DecoderModel>(model_, *with_past_, settings_);
    return std::make_unique<DecoderModel>(model_, settings_);
  }

  std::optional<AutoModel> with_past_;
  std::string config_json_, generation_json_;
  DecoderModel::Settings settings_;
  bool model_sets_length_ = false;
};

}  // namespace

std::unique_ptr<Pipeline> make_text_generation(AutoModel model, AutoProcessor processor) {
  return std::make_unique<TextGeneration>(std::move(model), std::move(processor));
}

std::unique_ptr<Pipeline> make_text_generation(AutoModel model, AutoModel with_past, AutoProcessor processor) {
  return std::make_unique<TextGeneration>(std::move(model), std::move(processor), std::move(with_past));
}

}  // namespace modelexport::runtime
