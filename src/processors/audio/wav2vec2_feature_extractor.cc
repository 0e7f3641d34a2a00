// Wav2Vec2FeatureExtractor (transformers v4.57 models/wav2vec2/feature_extraction_wav2vec2.py): one
// recording, no padding (the pipeline's default), do_normalize → zero_mean_unit_var_norm.
#include "modelexport/common/error.h"
#include "processors/audio/feature_extractors.h"

namespace modelexport::processors::audio {
namespace {

struct Wav2Vec2 final : AudioFeatureExtractor::Impl {
  bool do_normalize = true, return_attention_mask = false;
  float padding_value = 0;

  AudioFeatures extract(const float* samples, size_t count) const override {
    AudioFeatures f;
    f.name = "input_values";
    f.shape = {1, int64_t(count)};
    f.values.assign(samples, samples + count);
    if (do_normalize) zero_mean_unit_var_norm(f.values.data(), count, count, padding_value);
    if (return_attention_mask) {
      f.attention_mask.assign(count, 1);
      f.attention_mask_shape = {1, int64_t(count)};
    }
    return f;
  }
};

}  // namespace

std::shared_ptr<const AudioFeatureExtractor::Impl> make_wav2vec2_feature_extractor(const JsonReader& config) {
  auto w = std::make_shared<Wav2Vec2>();
  w->type = "Wav2Vec2FeatureExtractor";
  w->feature_size = positive_size(config, "feature_size", 1);
  if (w->feature_size != 1)
    throw ProcessorReconstructionError(config.file() + ": feature_size: expected 1 (raw waveform), found " +
                                       std::to_string(w->feature_size));
  w->sampling_rate = int(positive_size(config, "sampling_rate", 16000));
  w->do_normalize = config.boolean_or("do_normalize", true);
  w->return_attention_mask = config.boolean_or("return_attention_mask", false);
  w->padding_value = float(config.number("padding_value").value_or(0.0));
  return w;
}

}  // namespace modelexport::processors::audio
