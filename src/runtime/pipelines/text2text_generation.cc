// text2text-generation, translation and summarization, as Python transformers' Text2TextGenerationPipeline
// family runs them (transformers v4.57 src/transformers/pipelines/text2text_generation.py and
// pipelines/__init__.py): "translation" on a model whose task_specific_params has translation_xx_to_yy
// keys takes the first of them; task_specific_params[task] supplies the prefix (T5's "translate English
// to French: ") and the generation settings (num_beams 4, ...), under the caller's options; results are
// [{"generated_text"}], [{"translation_text"}], [{"summary_text"}] with special tokens skipped,
// one entry per returned sequence.
#include <algorithm>

#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "modelexport/format/onnx_file.h"
#include "modelexport/metadata/encoder_decoder_set.h"
#include "modelexport/metadata/reader.h"
#include "modelexport/metadata/schema.h"
#include "modelexport/metadata/task.h"
#include "runtime/generation/encoder_decoder_model.h"
#include "runtime/generation/generate.h"
#include "runtime/pipelines/seq2seq_pipeline.h"
#include "runtime/pipelines/translation_languages.h"

namespace modelexport::runtime {

namespace {

using OJson = nlohmann::ordered_json;

std::string result_key(const std::string& task) {
  if (task == "summarization") return "summary_text";
  if (task.rfind("translation", 0) == 0) return "translation_text";
  return "generated_text";
}

class Seq2SeqPipeline final : public Pipeline {
 public:
  Seq2SeqPipeline(std::string task, std::string task_key, AutoModel encoder, AutoModel decoder,
                  std::optional<AutoModel> with_past, AutoProcessor processor)
      : Pipeline(std::move(task), std::move(encoder), std::move(processor)),
        task_key_(std::move(task_key)),
        decoder_(std::move(decoder)),
        with_past_(std::move(with_past)) {
    const auto& files = processor_.files();
    if (const std::string* c = files.get("config.json")) config_text_ = *c;
    if (const std::string* g = files.get("generation_config.json")) generation_text_ = *g;
    config_ = config_text_.empty() ? Json::object() : parse_json_object(config_text_, "config.json");
    settings_ = generation::EncoderDecoderModel::Settings::from_config(config_text_);
    if (task_ == "translation")
      if (const std::string* t = files.get("tokenizer.json"))
        languages_ = TranslationLanguages::from_tokenizer_json(*t);
    // The graphs are checked now, not on the first input.
    generation::EncoderDecoderModel check(model_, decoder_, with_past_ ? &*with_past_ : nullptr, settings_);
  }

  std::vector<std::string> run(const std::vector<PipelineInput>& inputs,
                               const PipelineOptions& options) const override {
    if (options.batch_size == 0) throw UsageError("batch_size must be at least 1");
    generation::GenerationConfig config =
        generation::GenerationConfig::resolve(generation_text_, config_text_, task_key_, options.generation);
    std::optional<int32_t> src_token;
    if (task_ == "translation") src_token = apply_languages(options, config);
    // Python: config.prefix after config.update(task_specific_params[task]).
    std::string prefix = config.prefix;
    if (prefix.empty() && config_.contains("prefix") && config_["prefix"].is_string()) prefix = config_["prefix"];
    std::vector<std::string> texts;
    for (const auto& in : inputs) texts.push_back(prefix + in.text);
    std::vector<processors::Encoding> encodings = processor_.encode(texts);
    if (src_token) languages_.set_source(encodings, *src_token);
    const int64_t start = config.decoder_start_token_id ? *config.decoder_start_token_id
                          : config.bos_token_id         ? *config.bos_token_id
                                                        : throw MetadataReadError(
                                                              "generation_config.json / config.json give no "
                                                                      "decoder_start_token_id (nor bos_token_id)");
    size_t batch_size = model_.batch_dependent() || decoder_.batch_dependent() ? 1 : options.batch_size;
    std::vector<std::string> out(inputs.size());
    const std::string key = result_key(task_);
    generation::EncoderDecoderModel model(model_, decoder_, with_past_ ? &*with_past_ : nullptr, settings_);
    for (size_t first = 0; first < encodings.size(); first += batch_size) {
      const size_t end = std::min(encodings.size(), first + batch_size);
      std::vector<const processors::Encoding*> batch;
      generation::GenerationHooks hooks;
      for (size_t i = first; i < end; ++i) {
        batch.push_back(&encodings[i]);
        hooks.encoder_input_ids.emplace_back(encodings[i].ids.begin(), encodings[i].ids.end());
      }
      hooks.detokenize = [this](std::span<const int64_t> ids) {
        return processor_.decode(std::vector<int32_t>(ids.begin(), ids.end()), true);
      };
      model.encode(processor_.to_inputs(batch));
      std::vector<std::vector<int64_t>> prompts(batch.size(), std::vector<int64_t>{start});
      generation::GenerationResult r = generation::generate(model, prompts, config, nullptr, nullptr, std::move(hooks));
      for (size_t i = 0; i < r.sequences.size(); ++i) {
        OJson list = OJson::array();
        for (const auto& s : r.sequences[i])
          list.push_back({{key, processor_.decode(std::vector<int32_t>(s.tokens.begin(), s.tokens.end()), true)}});
        out[first + i] = list.dump(-1, ' ', false, OJson::error_handler_t::replace);
      }
    }
    return out;
  }

 private:
  // Translation's languages (Python TranslationPipeline._sanitize_parameters / preprocess): --src-lang
  // and --tgt-lang, else the task name's translation_XX_to_YY. A multilingual model needs a target
  // language (Python raises "Translation requires a `src_lang` and a `tgt_lang`"; without a source
  // language the tokenizer's own default stays, as transformers.js allows); its token becomes
  // forced_bos_token_id. Returns the source language's token when one is given.
  std::optional<int32_t> apply_languages(const PipelineOptions& options, generation::GenerationConfig& config) const {
    std::string src = options.src_lang, tgt = options.tgt_lang;
    const bool given = !src.empty() || !tgt.empty();
    if (!given && task_key_.rfind("translation_", 0) == 0) {
      const size_t to = task_key_.find("_to_");
      if (to != std::string::npos) {
        src = task_key_.substr(12, to - 12);
        tgt = task_key_.substr(to + 4);
      }
    }
    if (!languages_.multilingual()) {
      // Python ignores the languages of a model whose tokenizer has none; an explicit option is refused.
      if (given)
        throw UsageError(std::string(options.tgt_lang.empty() ? "--src-lang " + options.src_lang
                                                              : "--tgt-lang " + options.tgt_lang) +
                         ": this model is not multilingual (its tokenizer has no language tokens such as __fr__, "
                         "fr_XX or fra_Latn); its language pair is fixed");
      return std::nullopt;
    }
    if (tgt.empty())
      throw UsageError(
          "translation with this multilingual model needs --tgt-lang (its languages: " + languages_.known() + ")");
    config.forced_bos_token_id = languages_.token(tgt, "--tgt-lang");
    if (src.empty()) return std::nullopt;
    return languages_.token(src, "--src-lang");
  }

  std::string task_key_;
  AutoModel decoder_;
  std::optional<AutoModel> with_past_;
  std::string config_text_, generation_text_;
  Json config_;
  generation::EncoderDecoderModel::Settings settings_;
  TranslationLanguages languages_;
};

}  // namespace

bool is_seq2seq_task(const std::string& task) {
  return task == "text2text-generation" || task == "summarization" || task.rfind("translation", 0) == 0;
}

std::unique_ptr<Pipeline> make_seq2seq_pipeline(const std::filesystem::path& model_or_folder,
                                                const std::string& task_name, const SessionOptions& session) {
  metadata::EncoderDecoderSet set = metadata::find_encoder_decoder_set(model_or_folder);
  metadata::ModelFiles files = metadata::ModelFiles::from_model(set.encoder);
  std::string task = task_name;
  if (task.empty() && files.embedded) {
    format::OnnxFile file(set.encoder);
    task = metadata::read_metadata(file).get(metadata::keys::kPipelineTask).value_or("");
  }
  if (task.empty()) task = "text2text-generation";
  const bool xx_to_yy = task.rfind("translation_", 0) == 0;
  if (!xx_to_yy) task = metadata::canonical_task(task);
  if (!is_seq2seq_task(task))
    throw UsageError(
        "an encoder-decoder set runs text2text-generation, translation (or translation_xx_to_yy) and "
        "summarization, not " +
        task);
  // The task_specific_params key: "translation" takes the model's first translation_xx_to_yy (Python's pipeline()).
  std::string key = task;
  if (task == "translation")
    if (const std::string* c = files.get("config.json")) {
      Json config = parse_json_object(*c, "config.json");
      if (config.contains("task_specific_params") && config["task_specific_params"].is_object())
        for (const auto& [k, v] : config["task_specific_params"].items())
          if (k.rfind("translation", 0) == 0) {
            key = k;
            break;
          }
    }
  AutoModel encoder = AutoModel::from_model(set.encoder, session);
  AutoModel decoder = AutoModel::from_model(set.decoder, session);
  std::optional<AutoModel> with_past;
  if (!set.merged()) with_past = AutoModel::from_model(set.decoder_with_past, session);
  AutoProcessor processor = AutoProcessor::from_files(std::move(files), encoder.inputs());
  return std::make_unique<Seq2SeqPipeline>(xx_to_yy ? "translation" : task, key, std::move(encoder), std::move(decoder),
                                           std::move(with_past), std::move(processor));
}

}  // namespace modelexport::runtime
