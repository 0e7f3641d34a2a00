// The feature extractors behind processors::AudioFeatureExtractor, one file each; the factory in
// audio_feature_extractor.cc dispatches on preprocessor_config.json's "feature_extractor_type".
#pragma once

#include <memory>
#include <string>

#include "common/json_util.h"
#include "modelexport/processors/audio_features.h"

namespace modelexport::processors {

struct AudioFeatureExtractor::Impl {
  virtual ~Impl() = default;
  std::string type;
  int sampling_rate = 16000;
  size_t feature_size = 1;
  size_t chunk_samples = 0;
  virtual AudioFeatures extract(const float* samples, size_t count) const = 0;
  // Whisper overrides it (no padding or truncation to chunk_length); the others extract() as usual.
  virtual AudioFeatures extract_whole(const float* samples, size_t count) const { return extract(samples, count); }
  // Whisper overrides it; the others have no whole-recording features to window.
  virtual std::unique_ptr<WholeFeatureWindows::Impl> whole_windows(SampleSource& source) const;
};

struct WholeFeatureWindows::Impl {
  virtual ~Impl() = default;
  size_t frames = 0, samples = 0;
  virtual std::vector<float> window(size_t seek, size_t width) = 0;
};

namespace audio {
std::shared_ptr<const AudioFeatureExtractor::Impl> make_whisper_feature_extractor(const JsonReader& config);
std::shared_ptr<const AudioFeatureExtractor::Impl> make_wav2vec2_feature_extractor(const JsonReader& config);
std::shared_ptr<const AudioFeatureExtractor::Impl> make_ast_feature_extractor(const JsonReader& config);

// Wav2Vec2FeatureExtractor.zero_mean_unit_var_norm over values[0, length), padding after it set to
// padding_value (transformers v4.57 feature_extraction_wav2vec2.py).
void zero_mean_unit_var_norm(float* values, size_t length, size_t total, float padding_value);
// A positive integer config value (absent: fallback), checked.
size_t positive_size(const JsonReader& config, std::string_view key, int64_t fallback);
}  // namespace audio

}  // namespace modelexport::processors
