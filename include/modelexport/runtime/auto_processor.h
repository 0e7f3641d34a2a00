// AutoProcessor: the processor a model needs, rebuilt from its embedded metadata (or, when the model
// carries none, from the Hugging Face folder beside it), and turned into the model's input tensors.
//
//   AutoModel model = AutoModel::from_model("model.onnx", {});
//   AutoProcessor processor = AutoProcessor::from_model("model.onnx", model.inputs());
//   auto encodings = processor.encode({"I love this", "Hello"});
//   std::map<std::string, Tensor> inputs = processor.to_inputs(encodings);   // padded batch
//   auto outputs = model.run(inputs);
//
// Modality comes from the model's input names: input_ids/attention_mask/token_type_ids/position_ids
// (text), pixel_values (image), input_features / input_values (audio). Known exporter spellings
// (input_ids:0, input_word_ids, input_mask, segment_ids, input_type_ids) are mapped and listed in
// input_mapping(); any other input is reported by name, never guessed. Text, images and audio are
// built; an image model's preprocessor_config.json gives its ImageProcessor, and image_inputs() its
// pixel_values (and pixel_mask for DETR-style models). A model taking both input_ids and
// pixel_values (CLIP/SigLIP in one file) is an image model with a tokenizer too.
//
// Audio models (input_features / input_values) get the feature extractor of preprocessor_config.json
// and, when the model carries one, the tokenizer (CTC and Whisper decode with it):
//   auto features = processor.audio_features(samples.data(), samples.size());   // 16 kHz mono floats
//   auto outputs = model.run(processor.audio_inputs(features));
//
// The tokenizer is set up as transformers.js' pipelines call it: truncation to tokenizer_config's
// model_max_length, padding (done by to_inputs) to the batch's longest on tokenizer_config's
// padding_side with its pad_token. When the model's sequence dim is static, encodings are truncated
// to it and to_inputs pads to it; a static batch dim is reported by fixed_batch().
//
// Thread-safety: immutable after construction; every const method may be called from many threads.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "modelexport/metadata/model_files.h"
#include "modelexport/processors/audio_features.h"
#include "modelexport/processors/image_processor.h"
#include "modelexport/processors/tokenizer.h"
#include "modelexport/runtime/auto_model.h"

namespace modelexport::runtime {

enum class Modality { kText, kImage, kAudio };

class AutoProcessor {
 public:
  // Throws ProcessorReconstructionError saying what is missing (no tokenizer, an input it cannot
  // fill, a modality not built yet) and where it looked.
  static AutoProcessor from_model(const std::filesystem::path& model, const std::vector<TensorDesc>& model_inputs);
  // The same from files already at hand (tests, other containers).
  static AutoProcessor from_files(metadata::ModelFiles files, const std::vector<TensorDesc>& model_inputs);
  // With `tokenizer_optional` (text-generation from token ids), a text model whose files hold no
  // tokenizer gets a processor without one (has_tokenizer() false) instead of the error.
  static AutoProcessor from_files(metadata::ModelFiles files, const std::vector<TensorDesc>& model_inputs,
                                  bool tokenizer_optional);

  Modality modality() const { return modality_; }
  const metadata::ModelFiles& files() const { return files_; }
  // Throws ProcessorReconstructionError for a model that is not a text model.
  const processors::Tokenizer& tokenizer() const;
  bool has_tokenizer() const { return tokenizer_.has_value(); }
  // Throws ProcessorReconstructionError for a model that takes no pixel_values.
  const processors::ImageProcessor& image_processor() const;
  // pixel_values [batch, 3, H, W] (and pixel_mask [batch, H, W] when the model takes it) for these
  // images. UsageError when the processed size differs from a static size the model declares.
  std::map<std::string, Tensor> image_inputs(const std::vector<processors::Image>& images) const;
  // The same from tensors image_processor() made (e.g. from decode_and_resize's images).
  std::map<std::string, Tensor> image_inputs(processors::PixelTensors tensors) const;
  // Audio models: the feature extractor (throws ProcessorReconstructionError for other models).
  const processors::AudioFeatureExtractor& feature_extractor() const;
  // The feature extractor's tensors for one recording (mono floats at feature_extractor().sampling_rate()).
  processors::AudioFeatures audio_features(const float* samples, size_t count) const;
  // The model's inputs for those features: input_features / input_values, and attention_mask when the
  // model takes one (the extractor's mask, or ones when its config returns none).
  std::map<std::string, Tensor> audio_inputs(const processors::AudioFeatures& features) const;
  // The model input that takes pixel_values: "pixel_values", or the only input of a model whose one
  // input is a rank-4 float tensor under another name (briaai/RMBG-1.4's `input`), as transformers.js
  // maps it. image_inputs() puts the pixels under this name.
  const std::string& pixel_values_input() const { return pixel_input_; }
  // Model input name → what fills it ("input_ids", "attention_mask", "token_type_ids", "position_ids",
  // "pixel_values", "pixel_mask").
  const std::vector<std::pair<std::string, std::string>>& input_mapping() const { return mapping_; }
  // A special token's id by its tokenizer_config role ("mask_token", "sep_token", "cls_token",
  // "pad_token", ...), looked up in tokenizer_config.json, then special_tokens_map.json.
  std::optional<int32_t> special_token_id(std::string_view role) const;
  std::vector<int32_t> all_special_ids() const;  // ids of the special added tokens
  std::optional<size_t> max_length() const { return max_length_; }      // truncation length, if any
  std::optional<size_t> fixed_length() const { return fixed_length_; }  // static sequence dim
  size_t fixed_batch() const { return fixed_batch_; }                   // static batch dim, 0 if dynamic
  bool pads_left() const { return padding_.left; }                      // tokenizer_config padding_side

  // The tokenizer's decode followed, when tokenizer_config's clean_up_tokenization_spaces is true (or
  // unset, as transformers.js reads it), by transformers' clean_up_tokenization (" ." → ".", " 's" → "'s", ...).
  std::string decode(const std::vector<int32_t>& ids, bool skip_special_tokens) const;
  // That clean-up alone, on text a pipeline assembled itself (CTC: Wav2Vec2CTCTokenizer._decode
  // applies it after joining the characters). `text` unchanged when the config turns it off.
  std::string clean_up_tokenization(std::string text) const;

  // Unpadded encodings with the pipeline's truncation (or `truncation` when given).
  std::vector<processors::Encoding> encode(const std::vector<std::string>& texts) const;
  std::vector<processors::Encoding> encode_pairs(const std::vector<std::pair<std::string, std::string>>& pairs,
                                                 const std::optional<processors::TruncationParams>& truncation = std::nullopt) const;
  // Tokens the text (or pair) takes before truncation, special tokens included: callers compare it
  // with max_length() to say when an input was truncated.
  size_t untruncated_length(const std::string& text, const std::string& pair = "") const;
  // The model's inputs for these encodings: padded to the longest (or the static length), with an
  // attention mask, token type ids and position ids as the model takes them.
  std::map<std::string, Tensor> to_inputs(const std::vector<const processors::Encoding*>& batch) const;

 private:
  static AutoProcessor from_audio_files(AutoProcessor p, const std::vector<TensorDesc>& model_inputs);
  metadata::ModelFiles files_;
  Modality modality_ = Modality::kText;
  std::optional<processors::Tokenizer> tokenizer_;
  std::optional<processors::ImageProcessor> image_processor_;
  std::vector<int64_t> pixel_shape_;  // the model's pixel_values shape (-1 dynamic)
  std::string pixel_input_ = "pixel_values";
  bool takes_pixel_mask_ = false;
  std::optional<processors::AudioFeatureExtractor> feature_extractor_;
  std::vector<std::pair<std::string, std::string>> mapping_;
  std::optional<size_t> max_length_, fixed_length_;
  size_t fixed_batch_ = 0;
  processors::PaddingParams padding_;
  std::map<std::string, std::string> special_tokens_;  // role → token text
  bool clean_up_spaces_ = true;
};

}  // namespace modelexport::runtime
