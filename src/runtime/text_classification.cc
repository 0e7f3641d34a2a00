// transformers.js TextClassificationPipeline: tokenize with padding to the longest and truncation to
// model_max_length, run, softmax (sigmoid for multi_label_classification or one logit), top k.
#include "modelexport/runtime/text_classification.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "modelexport/format/onnx_file.h"
#include "modelexport/metadata/reader.h"
#include "modelexport/metadata/schema.h"
#include "modelexport/processors/tokenizer.h"

namespace modelexport::runtime {

struct TextClassificationPipeline::Impl {
  AutoModel model;
  processors::Tokenizer tokenizer;
  std::map<int64_t, std::string> id2label;
  bool sigmoid = false;
};

TextClassificationPipeline::TextClassificationPipeline(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TextClassificationPipeline::~TextClassificationPipeline() = default;
TextClassificationPipeline::TextClassificationPipeline(TextClassificationPipeline&&) noexcept = default;

TextClassificationPipeline TextClassificationPipeline::from_model(const std::filesystem::path& path, const SessionOptions& options) {
  format::OnnxFile file(path);
  metadata::ModelMetadata m = metadata::read_metadata(file);
  if (!m.has(metadata::keys::kTokenizerJson))
    throw MetadataReadError("'" + path.string() + "' carries no tokenizer.json (hf_tokenizer_json); embed its metadata with --level full");
  if (!m.has(metadata::keys::kModelConfig))
    throw MetadataReadError("'" + path.string() + "' carries no config.json (hf_model_config); embed its metadata first");
  processors::Tokenizer tok = processors::Tokenizer::from_json(m.value(metadata::keys::kTokenizerJson));
  Json config = parse_json_object(m.value(metadata::keys::kModelConfig), "hf_model_config");
  Json tok_config = m.has(metadata::keys::kTokenizerConfig)
                        ? parse_json_object(m.value(metadata::keys::kTokenizerConfig), "hf_tokenizer_config")
                        : Json::object();
  // transformers.js pads to the longest text and truncates to model_max_length, whatever
  // tokenizer.json's own padding/truncation sections say.
  std::optional<processors::TruncationParams> truncation;
  if (tok_config.contains("model_max_length") && tok_config["model_max_length"].is_number_unsigned() &&
      tok_config["model_max_length"].get<uint64_t>() < 1'000'000) {
    processors::TruncationParams t;
    t.max_length = tok_config["model_max_length"].get<size_t>();
    truncation = t;
  }
  tok.set_truncation(truncation);
  processors::PaddingParams pad = tok.padding().value_or(processors::PaddingParams{});
  pad.length.reset();
  if (auto pad_token = tok_config.value("pad_token", std::string()); !pad_token.empty())
    if (auto id = tok.token_to_id(pad_token)) pad.pad_id = *id, pad.pad_token = pad_token;
  tok.set_padding(pad);

  auto impl = std::make_unique<Impl>(Impl{AutoModel::from_model(path, options), std::move(tok), {}, false});
  if (config.contains("id2label") && config["id2label"].is_object())
    for (const auto& [id, label] : config["id2label"].items()) impl->id2label[std::stoll(id)] = label.get<std::string>();
  impl->sigmoid = config.value("problem_type", "") == "multi_label_classification";
  bool has_logits = false;
  for (const auto& o : impl->model.outputs()) has_logits |= o.name == "logits";
  if (!has_logits) throw RuntimeError("'" + path.string() + "' has no 'logits' output; a text-classification model has one");
  return TextClassificationPipeline(std::move(impl));
}

std::vector<std::vector<LabelScore>> TextClassificationPipeline::operator()(const std::vector<std::string>& texts, size_t top_k) const {
  if (texts.empty()) return {};
  auto enc = impl_->tokenizer.encode_batch(texts, true);
  int64_t batch = static_cast<int64_t>(enc.size()), len = static_cast<int64_t>(enc[0].ids.size());
  std::vector<int64_t> ids, mask, types;
  for (const auto& e : enc) {
    ids.insert(ids.end(), e.ids.begin(), e.ids.end());
    mask.insert(mask.end(), e.attention_mask.begin(), e.attention_mask.end());
    types.insert(types.end(), e.type_ids.begin(), e.type_ids.end());
  }
  std::map<std::string, Tensor> inputs = {{"input_ids", Tensor::int64({batch, len}, ids)}};
  if (impl_->model.has_input("attention_mask")) inputs["attention_mask"] = Tensor::int64({batch, len}, mask);
  if (impl_->model.has_input("token_type_ids")) inputs["token_type_ids"] = Tensor::int64({batch, len}, types);
  Tensor logits = impl_->model.run(inputs).at("logits");
  size_t labels = logits.shape.size() == 2 ? static_cast<size_t>(logits.shape[1]) : 0;
  if (labels == 0 || logits.f32.size() != labels * enc.size())
    throw RuntimeError("logits have shape of rank " + std::to_string(logits.shape.size()) + "; expected [batch, labels]");
  bool sigmoid = impl_->sigmoid || labels == 1;
  std::vector<std::vector<LabelScore>> out;
  for (size_t b = 0; b < enc.size(); ++b) {
    const float* row = logits.f32.data() + b * labels;
    std::vector<double> p(labels);
    if (sigmoid) {
      for (size_t k = 0; k < labels; ++k) p[k] = 1.0 / (1.0 + std::exp(-static_cast<double>(row[k])));
    } else {
      double mx = *std::max_element(row, row + labels), sum = 0;
      for (size_t k = 0; k < labels; ++k) sum += p[k] = std::exp(static_cast<double>(row[k]) - mx);
      for (auto& v : p) v /= sum;
    }
    std::vector<size_t> order(labels);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t c) { return p[a] > p[c]; });
    std::vector<LabelScore> top;
    for (size_t k = 0; k < std::min(top_k, labels); ++k) {
      auto it = impl_->id2label.find(static_cast<int64_t>(order[k]));
      top.push_back({it != impl_->id2label.end() ? it->second : "LABEL_" + std::to_string(order[k]), p[order[k]]});
    }
    out.push_back(std::move(top));
  }
  return out;
}

}  // namespace modelexport::runtime
