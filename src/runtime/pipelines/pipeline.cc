#include <algorithm>
#include <charconv>
#include <optional>

#include "modelexport/common/error.h"
#include "modelexport/format/onnx_file.h"
#include "modelexport/metadata/encoder_decoder_set.h"
#include "modelexport/metadata/reader.h"
#include "modelexport/metadata/schema.h"
#include "modelexport/metadata/task.h"
#include "modelexport/metadata/task_outputs.h"
#include "runtime/pipelines/dense_image_pipelines.h"
#include "runtime/pipelines/image_pipeline.h"
#include "runtime/pipelines/seq2seq_pipeline.h"
#include "runtime/pipelines/text_pipeline.h"
#include "runtime/pipelines/whisper_speech_recognition.h"

namespace modelexport::runtime {

TextPipeline::TextPipeline(std::string task, AutoModel model, AutoProcessor processor)
    : Pipeline(std::move(task), std::move(model), std::move(processor)) {
  const std::string* config = processor_.files().get("config.json");
  config_ = config ? parse_json_object(*config, "config.json") : Json::object();
  if (config_.contains("id2label") && config_["id2label"].is_object())
    for (const auto& [id, name] : config_["id2label"].items())
      if (name.is_string()) {
        // transformers: int(key) for every id2label key; anything else is an error.
        size_t n = 0;
        auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), n);
        if (ec != std::errc() || end != id.data() + id.size())
          throw MetadataReadError("config.json: id2label: key '" + id +
                                  "' is not a label id (expected a non-negative integer)");
        id2label_[n] = name.get<std::string>();
      }
}

std::vector<OJson> TextPipeline::run_results(const std::vector<PipelineInput>& inputs,
                                             const PipelineOptions& options) const {
  // Zero would otherwise be raised to 1 (batch) or give empty results (top_k) without a word.
  if (options.batch_size == 0) throw UsageError("batch_size must be at least 1");
  if (options.top_k && *options.top_k == 0) throw UsageError("top_k must be at least 1 (" + task_ + ")");
  return results(inputs, options);
}

std::vector<std::string> TextPipeline::run(const std::vector<PipelineInput>& inputs,
                                           const PipelineOptions& options) const {
  std::vector<std::string> out;
  out.reserve(inputs.size());
  for (const auto& r : run_results(inputs, options))
    out.push_back(r.dump(-1, ' ', false, OJson::error_handler_t::replace));  // decoded text may hold broken UTF-8
  return out;
}

void TextPipeline::run_batches(const std::vector<const processors::Encoding*>& encodings, size_t batch_size, const BatchFn& each) const {
  if (model_.batch_dependent()) batch_size = 1;
  if (processor_.fixed_batch()) batch_size = processor_.fixed_batch();
  batch_size = std::max<size_t>(batch_size, 1);
  std::vector<size_t> order(encodings.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  // With a static sequence length every row costs the same: keep the input order.
  if (!processor_.fixed_length())
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return encodings[a]->ids.size() < encodings[b]->ids.size(); });
  for (size_t first = 0; first < order.size();) {
    // Grow the batch while the longest row stays within 25% (+8 tokens) of the shortest.
    size_t shortest = encodings[order[first]]->ids.size(), end = first + 1;
    while (end < order.size() && end - first < batch_size &&
           (processor_.fixed_length() || encodings[order[end]]->ids.size() <= shortest + shortest / 4 + 8))
      ++end;
    std::vector<size_t> rows(order.begin() + static_cast<std::ptrdiff_t>(first), order.begin() + static_cast<std::ptrdiff_t>(end));
    std::vector<const processors::Encoding*> batch;
    for (size_t r : rows) batch.push_back(encodings[r]);
    auto inputs = processor_.to_inputs(batch);
    size_t padded = static_cast<size_t>(inputs.begin()->second.shape[1]);
    each(rows, model_.run(inputs), padded);
    first = end;
  }
}

size_t TextPipeline::row_start(size_t n, size_t padded_length) const { return processor_.pads_left() ? padded_length - n : 0; }

const Tensor& TextPipeline::output(const std::map<std::string, Tensor>& outputs, const std::string& name, size_t rank) const {
  auto it = outputs.find(name);
  if (it == outputs.end()) throw RuntimeError("the model gave no '" + name + "' output, which the " + task_ + " pipeline reads");
  if (it->second.shape.size() != rank || it->second.f32.empty())
    throw RuntimeError("output '" + name + "' should be a float tensor of rank " + std::to_string(rank) + "; it has rank " +
                       std::to_string(it->second.shape.size()));
  return it->second;
}

std::vector<format::ValueInfo> graph_outputs(const AutoModel& model) {
  std::vector<format::ValueInfo> out;
  for (const auto& o : model.outputs()) {
    format::ValueInfo v{o.name, o.elem_type, true, {}};
    for (size_t i = 0; i < o.shape.size(); ++i)
      v.shape.push_back({o.shape[i], i < o.symbolic.size() ? o.symbolic[i] : ""});
    out.push_back(std::move(v));
  }
  return out;
}

std::string TextPipeline::label(size_t id) const {
  auto it = id2label_.find(id);
  return it != id2label_.end() ? it->second : "LABEL_" + std::to_string(id);
}

std::vector<double> softmax(const float* logits, size_t n) {
  std::vector<double> p(n);
  if (n == 0) return p;
  double mx = *std::max_element(logits, logits + n), sum = 0;
  for (size_t k = 0; k < n; ++k) sum += p[k] = std::exp(static_cast<double>(logits[k]) - mx);
  for (auto& v : p) v /= sum;
  return p;
}

const std::vector<std::string>& pipeline_tasks() {
  static const std::vector<std::string> tasks = {
      "feature-extraction",   "text-classification",      "token-classification",     "fill-mask",
      "question-answering",   "zero-shot-classification", "text-generation",          "automatic-speech-recognition",
      "audio-classification", "image-classification",     "image-feature-extraction", "zero-shot-image-classification",
      "object-detection",     "image-segmentation",       "background-removal"};
  return tasks;
}

namespace {

// The image tasks decode and preprocess on their own threads between model runs: unless the caller
// chose, ORT's intra-op workers sleep instead of spinning there (they would take those cores).
SessionOptions image_task_session(const std::string& task, SessionOptions session) {
  static const std::vector<std::string> image_tasks = {
      "image-classification", "image-feature-extraction", "zero-shot-image-classification",
      "object-detection",     "image-segmentation",       "background-removal"};
  const std::string canonical = task.empty() ? "" : metadata::canonical_task(task);
  if (!session.intra_op_spinning && std::find(image_tasks.begin(), image_tasks.end(), canonical) != image_tasks.end())
    session.intra_op_spinning = false;
  return session;
}

}  // namespace

std::unique_ptr<Pipeline> pipeline(const std::filesystem::path& given, const std::string& task_name,
                                   const SessionOptions& session) {
  // A Whisper set (config.json model_type "whisper"): automatic-speech-recognition.
  if (is_whisper_set(given)) return make_whisper_speech_recognition(given, task_name, session);
  // An encoder-decoder set (its folder or any file of it): text2text-generation, translation, summarization.
  if (metadata::is_encoder_decoder_set(given)) return make_seq2seq_pipeline(given, task_name, session);
  // transformers.js' text_model.onnx + vision_model.onnx (the folder or either file): zero-shot image
  // classification over both; either file alone serves its own tasks.
  if (auto pair = find_dual_encoder_files(given)) {
    const SessionOptions image_session = image_task_session("zero-shot-image-classification", session);
    std::string recorded = task_name.empty() ? "" : metadata::canonical_task(task_name);
    if (recorded.empty() && metadata::ModelFiles::from_model(pair->vision).embedded)
      recorded =
          metadata::read_metadata(format::OnnxFile(pair->vision)).get(metadata::keys::kPipelineTask).value_or("");
    if (recorded == "zero-shot-image-classification" || std::filesystem::is_directory(given))
      return make_dual_encoder_zero_shot(*pair, image_session);
  }
  // A decoder-only set: its folder (the merged decoder, or the two-file pair) or a file of the pair.
  std::filesystem::path path = given;
  std::optional<metadata::DecoderOnlySet> two_files;
  if (metadata::is_decoder_only_set(given)) {
    metadata::DecoderOnlySet set = metadata::find_decoder_only_set(given);
    path = set.decoder;
    if (!set.merged()) two_files = std::move(set);
  }
  metadata::ModelFiles files = metadata::ModelFiles::from_model(path);
  std::string task = task_name;
  if (task.empty() && files.embedded) {
    format::OnnxFile file(path);
    task = metadata::read_metadata(file).get(metadata::keys::kPipelineTask).value_or("");
  } else if (task.empty() && files.has("config.json")) {
    metadata::TaskHints hints;
    hints.sentence_transformers = files.has("modules.json");
    task = metadata::detect_task(*files.get("config.json"), hints).task;
  }
  if (task.empty())
    throw MetadataReadError("'" + path.string() + "' records no task (hf_pipeline_task) and " + files.source +
                            " has no config.json to detect it from; embed its metadata or name the task");
  AutoModel model = AutoModel::from_model(path, image_task_session(task, session));
  // A decoder's cache and generation-control inputs are fed by the generation runner, not the processor.
  std::vector<TensorDesc> text_inputs;
  for (const auto& in : model.inputs())
    if (in.name.rfind("past", 0) != 0 && in.name != "num_logits_to_keep" && in.name != "logits_to_keep" &&
        in.name != "use_cache_branch")
      text_inputs.push_back(in);
  // text-generation runs from token ids when the files hold no tokenizer (onnxruntime-genai folders).
  AutoProcessor processor =
      AutoProcessor::from_files(std::move(files), text_inputs, metadata::canonical_task(task) == "text-generation");
  if (two_files) {
    if (metadata::canonical_task(task) != "text-generation")
      throw UsageError("a two-file decoder (" + two_files->decoder.filename().string() + " + " +
                       two_files->decoder_with_past.filename().string() + ") runs text-generation, not " + task);
    if (auto why = metadata::task_outputs_mismatch("text-generation", graph_outputs(model)); !why.empty())
      throw UnsuitableModelError(two_files->decoder.filename().string() + ": " + why);
    // The pair's structure, by the rule validate applies.
    const std::string* config = processor.files().get("config.json");
    if (auto problems = metadata::check_decoder_pair(*two_files, config ? *config : std::string()); !problems.empty())
      throw UnsuitableModelError(
          "the two-file decoder's files do not belong together: " + problems.front().message +
          (problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) + " more problem(s); run validate)"
                               : std::string()));
    AutoModel with_past = AutoModel::from_model(two_files->decoder_with_past, session);
    return make_text_generation(std::move(model), std::move(with_past), std::move(processor));
  }
  return pipeline(std::move(model), std::move(processor), task);
}

std::unique_ptr<Pipeline> pipeline(AutoModel model, AutoProcessor processor, const std::string& task_name) {
  std::string task = metadata::canonical_task(task_name);
  const auto& known = pipeline_tasks();
  if (std::find(known.begin(), known.end(), task) == known.end()) {
    std::string list;
    for (const auto& t : known) list += (list.empty() ? "" : ", ") + t;
    throw UsageError("no " + task + " pipeline yet; available: " + list);
  }
  // The task's outputs, checked by the rule validate uses too.
  if (auto why = metadata::task_outputs_mismatch(task, graph_outputs(model)); !why.empty())
    throw UnsuitableModelError(why);
  // The text tasks read a tokenizer's encodings; an image or audio model has none to give them.
  static const std::vector<std::string> text_tasks = {
      "feature-extraction", "text-classification",      "token-classification", "fill-mask",
      "question-answering", "zero-shot-classification", "text-generation"};
  if (processor.modality() != Modality::kText &&
      std::find(text_tasks.begin(), text_tasks.end(), task) != text_tasks.end())
    throw UnsuitableModelError(task + " needs a text model (input_ids); this model takes " +
                               (processor.modality() == Modality::kImage ? "images (pixel_values)" : "audio"));
  if (task == "feature-extraction") return make_feature_extraction(std::move(model), std::move(processor));
  if (task == "text-classification") return make_text_classification(std::move(model), std::move(processor));
  if (task == "token-classification") return make_token_classification(std::move(model), std::move(processor));
  if (task == "fill-mask") return make_fill_mask(std::move(model), std::move(processor));
  if (task == "question-answering") return make_question_answering(std::move(model), std::move(processor));
  if (task == "text-generation") return make_text_generation(std::move(model), std::move(processor));
  if (task == "automatic-speech-recognition")
    return make_ctc_speech_recognition(std::move(model), std::move(processor));
  if (task == "audio-classification") return make_audio_classification(std::move(model), std::move(processor));
  if (task == "image-classification") return make_image_classification(std::move(model), std::move(processor));
  if (task == "image-feature-extraction") return make_image_feature_extraction(std::move(model), std::move(processor));
  if (task == "zero-shot-image-classification")
    return make_zero_shot_image_classification(std::move(model), std::move(processor));
  if (task == "object-detection") return make_object_detection(std::move(model), std::move(processor));
  if (task == "image-segmentation") return make_image_segmentation(std::move(model), std::move(processor));
  if (task == "background-removal") return make_background_removal(std::move(model), std::move(processor));
  return make_zero_shot_classification(std::move(model), std::move(processor));
}

}  // namespace modelexport::runtime
