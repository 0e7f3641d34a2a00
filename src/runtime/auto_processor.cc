#include "modelexport/runtime/auto_processor.h"

#include <algorithm>

#include "modelexport/common/error.h"
#include "modelexport/processors/tokenizer_config.h"

namespace modelexport::runtime {

namespace {

using processors::Encoding;

// Exporter spellings of the text inputs (TF/Keras exports, TF Hub BERT, tf2onnx's ":0" suffix).
const std::vector<std::pair<std::string, std::vector<std::string>>>& text_roles() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> roles = {
      {"input_ids", {"input_ids", "input_ids:0", "input_word_ids", "input_word_ids:0"}},
      {"attention_mask", {"attention_mask", "attention_mask:0", "input_mask", "input_mask:0"}},
      {"token_type_ids", {"token_type_ids", "token_type_ids:0", "segment_ids", "segment_ids:0", "input_type_ids", "input_type_ids:0"}},
      {"position_ids", {"position_ids", "position_ids:0"}},
  };
  return roles;
}

std::string role_of(const std::string& input) {
  for (const auto& [role, names] : text_roles())
    if (std::find(names.begin(), names.end(), input) != names.end()) return role;
  return "";
}

std::string describe(const TensorDesc& d) {
  std::string s = d.name + " (" + d.elem_type + " [";
  for (size_t i = 0; i < d.shape.size(); ++i)
    s += (i ? ", " : "") + (d.shape[i] >= 0 ? std::to_string(d.shape[i]) : (d.symbolic[i].empty() ? "?" : d.symbolic[i]));
  return s + "])";
}

}  // namespace

AutoProcessor AutoProcessor::from_model(const std::filesystem::path& model, const std::vector<TensorDesc>& model_inputs) {
  return from_files(metadata::ModelFiles::from_model(model), model_inputs);
}

AutoProcessor AutoProcessor::from_files(metadata::ModelFiles files, const std::vector<TensorDesc>& model_inputs) {
  return from_files(std::move(files), model_inputs, false);
}

AutoProcessor AutoProcessor::from_files(metadata::ModelFiles files, const std::vector<TensorDesc>& model_inputs,
                                        bool tokenizer_optional) {
  AutoProcessor p;
  p.files_ = std::move(files);
  std::vector<std::string> unknown;
  bool text = false, image = false;
  // A model whose only input is an image-shaped float tensor under another name (briaai/RMBG-1.4's
  // export names it `input`) takes pixel_values under that name, as transformers.js 4.3.1's
  // image-segmentation / background-removal pipelines feed it (pipelines/image-segmentation.js: no
  // pixel_values and exactly one input → that input).
  if (model_inputs.size() == 1 && model_inputs[0].name != "pixel_values" && model_inputs[0].shape.size() == 4 &&
      model_inputs[0].elem_type.rfind("float", 0) == 0)
    p.pixel_input_ = model_inputs[0].name;
  for (const auto& in : model_inputs) {
    if (in.name == p.pixel_input_ || in.name == "pixel_mask") {
      if (in.name == p.pixel_input_) {
        if (in.shape.size() != 4)
          throw ProcessorReconstructionError("model input " + describe(in) +
                                             " should be [batch, channels, height, width]");
        if (in.shape[1] > 0 && in.shape[1] != 3)
          throw ProcessorReconstructionError("model input " + describe(in) + " takes " + std::to_string(in.shape[1]) +
                                             " channels; image processors give RGB (3 channels)");
        p.pixel_shape_ = in.shape;
        image = true;
      } else {
        p.takes_pixel_mask_ = true;
      }
      p.mapping_.emplace_back(in.name, in.name == p.pixel_input_ ? "pixel_values" : in.name);
      continue;
    }
    if (in.name == "input_features" || in.name == "input_values") return from_audio_files(std::move(p), model_inputs);
    std::string role = role_of(in.name);
    if (role.empty()) {
      unknown.push_back(describe(in));
      continue;
    }
    text |= role == "input_ids";
    p.mapping_.emplace_back(in.name, role);
    if (role == "input_ids") {
      if (in.shape.size() != 2) throw ProcessorReconstructionError("model input " + describe(in) + " should be [batch, sequence]");
      if (in.shape[1] > 0) p.fixed_length_ = static_cast<size_t>(in.shape[1]);
      if (in.shape[0] > 0) p.fixed_batch_ = static_cast<size_t>(in.shape[0]);
    }
  }
  if (!unknown.empty()) {
    std::string list;
    for (const auto& u : unknown) list += (list.empty() ? "" : ", ") + u;
    throw ProcessorReconstructionError("model input(s) " + list +
                                       " are not ones a processor fills; known: input_ids, attention_mask, token_type_ids, position_ids "
                                       "(also input_word_ids, input_mask, segment_ids, input_type_ids, ':0' forms), pixel_values, "
                                       "input_features, input_values");
  }
  if (image) {
    const std::string* config = p.files_.get("preprocessor_config.json");
    if (!config)
      throw ProcessorReconstructionError(
          "the model takes pixel_values (an image model) but has no preprocessor_config.json "
          "(embed it, or put it beside the model)");
    p.image_processor_ = processors::ImageProcessor::from_json(*config, "preprocessor_config.json");
    p.modality_ = Modality::kImage;
    if (!text) return p;
  }
  if (!text) throw ProcessorReconstructionError("the model has no input_ids input; cannot tell which processor it needs");
  if (!image) p.modality_ = Modality::kText;
  if (tokenizer_optional && !processors::Tokenizer::files_hold_tokenizer(p.files_)) return p;

  processors::Tokenizer tok = processors::Tokenizer::from_files(p.files_);
  // tokenizer_config.json / special_tokens_map.json: the same policy as the tokenize command.
  processors::TokenizerConfig config = processors::TokenizerConfig::from_files(p.files_);
  p.special_tokens_ = config.special_tokens;
  // transformers.js truncates to model_max_length and pads to the longest, whatever tokenizer.json's
  // own truncation/padding sections say.
  p.max_length_ = config.model_max_length;
  if (p.fixed_length_) p.max_length_ = std::min(p.max_length_.value_or(*p.fixed_length_), *p.fixed_length_);
  std::optional<processors::TruncationParams> truncation;
  if (p.max_length_) {
    processors::TruncationParams t;
    t.max_length = *p.max_length_;
    truncation = t;
  }
  tok.set_truncation(truncation);
  p.padding_ = config.padding(tok, tok.padding().value_or(processors::PaddingParams{}));
  tok.set_padding(std::nullopt);
  p.clean_up_spaces_ = config.clean_up_tokenization_spaces.value_or(p.clean_up_spaces_);
  p.tokenizer_ = std::move(tok);
  return p;
}

const processors::ImageProcessor& AutoProcessor::image_processor() const {
  if (!image_processor_)
    throw ProcessorReconstructionError("this processor has no image processor (the model takes no pixel_values)");
  return *image_processor_;
}

std::map<std::string, Tensor> AutoProcessor::image_inputs(const std::vector<processors::Image>& images) const {
  return image_inputs(image_processor().preprocess(images));
}

std::map<std::string, Tensor> AutoProcessor::image_inputs(processors::PixelTensors t) const {
  for (size_t d = 2; d < 4 && d < pixel_shape_.size(); ++d)
    if (pixel_shape_[d] > 0 && pixel_shape_[d] != t.shape[d])
      throw UsageError("the image processor gives pixel_values of " + std::to_string(t.shape[2]) + "x" +
                       std::to_string(t.shape[3]) + " but the model takes " + std::to_string(pixel_shape_[2]) + "x" +
                       std::to_string(pixel_shape_[3]));
  std::map<std::string, Tensor> out;
  out[pixel_input_] = Tensor::float32(t.shape, std::move(t.pixel_values));
  if (takes_pixel_mask_) {
    if (t.pixel_mask.empty()) {  // a model taking a mask from a processor that does not pad: all ones
      t.pixel_mask_shape = {t.shape[0], t.shape[2], t.shape[3]};
      t.pixel_mask.assign(size_t(t.shape[0] * t.shape[2] * t.shape[3]), 1);
    }
    out["pixel_mask"] = Tensor::int64(t.pixel_mask_shape, std::move(t.pixel_mask));
  }
  return out;
}

// An audio model: preprocessor_config.json's feature extractor, checked against the model's input
// shape (mel bins, frames), and the tokenizer when the files hold one.
AutoProcessor AutoProcessor::from_audio_files(AutoProcessor p, const std::vector<TensorDesc>& model_inputs) {
  const std::string* config = p.files_.get("preprocessor_config.json");
  if (!config)
    throw ProcessorReconstructionError("the model takes audio features but " + p.files_.source +
                                       " has no preprocessor_config.json (its feature extractor)");
  p.feature_extractor_ = processors::AudioFeatureExtractor::from_json(*config, "preprocessor_config.json");
  p.modality_ = Modality::kAudio;
  p.mapping_.clear();  // text roles seen before the audio input
  for (const auto& in : model_inputs) {
    if (in.name == "input_features" || in.name == "input_values") {
      p.mapping_.emplace_back(in.name, in.name);
      // Features [batch, mel bins, frames] (Whisper) or [batch, frames, mel bins] (AST).
      const auto& fe = *p.feature_extractor_;
      bool whisper = fe.type() == "WhisperFeatureExtractor", ast = fe.type() == "ASTFeatureExtractor";
      size_t bins_dim = whisper ? 1 : 2;
      if ((whisper || ast) && in.shape.size() == 3 && in.shape[bins_dim] > 0 &&
          size_t(in.shape[bins_dim]) != fe.feature_size())
        throw ProcessorReconstructionError("model input " + describe(in) + " takes " +
                                           std::to_string(in.shape[bins_dim]) +
                                           " mel bins but preprocessor_config.json gives " +
                                           std::to_string(fe.feature_size()) + " (" + fe.type() + ")");
      if ((in.name == "input_features") != whisper && !ast)
        throw ProcessorReconstructionError("model input " + describe(in) + " does not fit the " + fe.type() +
                                           " of preprocessor_config.json (it gives " +
                                           (whisper ? "input_features" : "input_values") + ")");
    } else if (in.name == "attention_mask") {
      p.mapping_.emplace_back(in.name, "attention_mask");
    } else {
      throw ProcessorReconstructionError("model input " + describe(in) +
                                         " is not one an audio feature extractor fills (input_features, input_values, "
                                         "attention_mask)");
    }
  }
  if (p.files_.has("tokenizer.json")) {
    p.tokenizer_ = processors::Tokenizer::from_files(p.files_);
    processors::TokenizerConfig tc = processors::TokenizerConfig::from_files(p.files_);
    p.special_tokens_ = tc.special_tokens;
    p.clean_up_spaces_ = tc.clean_up_tokenization_spaces.value_or(p.clean_up_spaces_);
  }
  return p;
}

const processors::AudioFeatureExtractor& AutoProcessor::feature_extractor() const {
  if (!feature_extractor_)
    throw ProcessorReconstructionError("this processor has no feature extractor (not an audio model)");
  return *feature_extractor_;
}

processors::AudioFeatures AutoProcessor::audio_features(const float* samples, size_t count) const {
  return feature_extractor().extract(samples, count);
}

std::map<std::string, Tensor> AutoProcessor::audio_inputs(const processors::AudioFeatures& f) const {
  std::map<std::string, Tensor> inputs;
  for (const auto& [name, role] : mapping_) {
    if (role == "attention_mask") {
      if (!f.attention_mask.empty()) {
        inputs[name] = Tensor::int64(f.attention_mask_shape, f.attention_mask);
      } else {
        // One entry per feature frame: the last dim of input_values [1, n] / the frames of [1, bins, frames].
        int64_t n = f.name == "input_features" ? f.shape.back() : f.shape[1];
        inputs[name] = Tensor::int64({1, n}, std::vector<int64_t>(size_t(n), 1));
      }
    } else {
      inputs[name] = Tensor::float32(f.shape, f.values);
    }
  }
  return inputs;
}

const processors::Tokenizer& AutoProcessor::tokenizer() const {
  if (!tokenizer_) throw ProcessorReconstructionError("this processor has no tokenizer (not a text model)");
  return *tokenizer_;
}

std::optional<int32_t> AutoProcessor::special_token_id(std::string_view role) const {
  auto it = special_tokens_.find(std::string(role));
  if (it == special_tokens_.end()) return std::nullopt;
  return tokenizer().token_to_id(it->second);
}

std::vector<int32_t> AutoProcessor::all_special_ids() const {
  std::vector<int32_t> ids;
  for (const auto& [role, token] : special_tokens_)
    if (auto id = tokenizer().token_to_id(token)) ids.push_back(*id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

std::string AutoProcessor::decode(const std::vector<int32_t>& ids, bool skip_special_tokens) const {
  return clean_up_tokenization(tokenizer().decode(ids, skip_special_tokens));
}

std::string AutoProcessor::clean_up_tokenization(std::string text) const {
  if (!clean_up_spaces_) return text;
  // transformers' PreTrainedTokenizerBase.clean_up_tokenization, replacement by replacement.
  static const std::pair<std::string_view, std::string_view> kRules[] = {
      {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
  for (const auto& [from, to] : kRules) {
    std::string out;
    size_t at = 0;
    for (size_t hit; (hit = text.find(from, at)) != std::string::npos; at = hit + from.size()) out.append(text, at, hit - at).append(to);
    text = out.append(text, at);
  }
  return text;
}

std::vector<Encoding> AutoProcessor::encode(const std::vector<std::string>& texts) const {
  // Threads pay off only for larger batches; small ones stay on the calling thread.
  return tokenizer().encode_batch(texts, true, texts.size() >= 64 ? 0 : 1);
}

std::vector<Encoding> AutoProcessor::encode_pairs(const std::vector<std::pair<std::string, std::string>>& pairs,
                                                  const std::optional<processors::TruncationParams>& truncation) const {
  processors::Tokenizer tok = tokenizer();
  if (truncation) tok.set_truncation(truncation);
  std::vector<Encoding> out;
  out.reserve(pairs.size());
  for (const auto& [a, b] : pairs) out.push_back(tok.encode_pair(a, b, true));
  return out;
}

size_t AutoProcessor::untruncated_length(const std::string& text, const std::string& pair) const {
  processors::Tokenizer tok = tokenizer();
  tok.set_truncation(std::nullopt);
  return (pair.empty() ? tok.encode(text) : tok.encode_pair(text, pair)).ids.size();
}

std::map<std::string, Tensor> AutoProcessor::to_inputs(const std::vector<const Encoding*>& batch) const {
  size_t rows = batch.size(), len = 0;
  if (fixed_batch_ && rows > fixed_batch_)
    throw RuntimeError("the model takes a static batch of " + std::to_string(fixed_batch_) + "; got " + std::to_string(rows) + " rows");
  for (const Encoding* e : batch) len = std::max(len, e->ids.size());
  if (fixed_length_) {
    if (len > *fixed_length_) throw RuntimeError("an encoding of " + std::to_string(len) + " tokens exceeds the model's static length " +
                                                 std::to_string(*fixed_length_));
    len = *fixed_length_;
  }
  if (fixed_batch_) rows = fixed_batch_;  // extra rows stay all padding; callers ignore their outputs
  auto shape = std::vector<int64_t>{static_cast<int64_t>(rows), static_cast<int64_t>(len)};
  std::vector<int64_t> ids(rows * len, padding_.pad_id), mask(rows * len, 0), types(rows * len, padding_.pad_type_id), positions(rows * len, 1);
  for (size_t r = 0; r < batch.size(); ++r) {
    const Encoding& e = *batch[r];
    size_t n = e.ids.size(), start = r * len + (padding_.left ? len - n : 0);
    for (size_t j = 0; j < n; ++j) {
      ids[start + j] = e.ids[j];
      mask[start + j] = 1;
      types[start + j] = e.type_ids[j];
      positions[start + j] = static_cast<int64_t>(j);
    }
  }
  std::map<std::string, Tensor> inputs;
  for (const auto& [name, role] : mapping_) {
    if (role == "input_ids") inputs[name] = Tensor::int64(shape, ids);
    else if (role == "attention_mask") inputs[name] = Tensor::int64(shape, mask);
    else if (role == "token_type_ids") inputs[name] = Tensor::int64(shape, types);
    else if (role == "position_ids") inputs[name] = Tensor::int64(shape, positions);
  }
  return inputs;
}

}  // namespace modelexport::runtime
