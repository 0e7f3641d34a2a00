#include <cmath>
#include <string>

#include "modelexport/common/error.h"
#include "processors/audio/feature_extractors.h"

namespace modelexport::processors {

namespace audio {

void zero_mean_unit_var_norm(float* values, size_t length, size_t total, float padding_value) {
  if (length == 0) return;
  // numpy on float32 arrays: mean and var are float32 (sums accumulated more precisely here), the
  // subtraction and division are float32 with the divisor np.sqrt(var + 1e-7) rounded to float32.
  double sum = 0;
  for (size_t i = 0; i < length; ++i) sum += values[i];
  const float mean = float(sum / double(length));
  double sq = 0;
  for (size_t i = 0; i < length; ++i) {
    float d = values[i] - mean;
    sq += double(d * d);
  }
  const float var = float(sq / double(length));
  const float scale = float(std::sqrt(double(var) + 1e-7));
  for (size_t i = 0; i < length; ++i) values[i] = (values[i] - mean) / scale;
  for (size_t i = length; i < total; ++i) values[i] = padding_value;
}

size_t positive_size(const JsonReader& config, std::string_view key, int64_t fallback) {
  int64_t v = config.integer_or(key, fallback);
  if (v <= 0 || v > (int64_t(1) << 40))
    throw ProcessorReconstructionError(config.file() + ": " + config.path_of(key) +
                                       ": expected a positive integer, found " + std::to_string(v));
  return size_t(v);
}

}  // namespace audio

AudioFeatureExtractor AudioFeatureExtractor::from_json(std::string_view json, std::string_view source) {
  Json j;
  try {
    j = parse_json_object(json, source);
  } catch (const MetadataReadError& e) { throw ProcessorReconstructionError(e.what()); }
  JsonReader config(j, std::string(source));
  AudioFeatureExtractor fe;
  try {
    std::string type = config.string_or("feature_extractor_type", "");
    if (type == "WhisperFeatureExtractor") fe.impl_ = audio::make_whisper_feature_extractor(config);
    else if (type == "Wav2Vec2FeatureExtractor") fe.impl_ = audio::make_wav2vec2_feature_extractor(config);
    else if (type == "ASTFeatureExtractor") fe.impl_ = audio::make_ast_feature_extractor(config);
    else
      throw ProcessorReconstructionError(std::string(source) + ": feature_extractor_type: " +
                                         (type.empty() ? std::string("missing") : "'" + type + "' is not supported") +
                                         "; expected one of WhisperFeatureExtractor, Wav2Vec2FeatureExtractor, "
                                         "ASTFeatureExtractor");
  } catch (const MetadataReadError& e) {
    throw ProcessorReconstructionError(e.what());  // a wrongly typed key
  }
  return fe;
}

const std::string& AudioFeatureExtractor::type() const { return impl_->type; }
int AudioFeatureExtractor::sampling_rate() const { return impl_->sampling_rate; }
size_t AudioFeatureExtractor::feature_size() const { return impl_->feature_size; }
size_t AudioFeatureExtractor::chunk_samples() const { return impl_->chunk_samples; }

AudioFeatures AudioFeatureExtractor::extract(const float* samples, size_t count) const {
  if (count == 0) throw UsageError(impl_->type + ": the recording is empty (0 samples)");
  return impl_->extract(samples, count);
}

AudioFeatures AudioFeatureExtractor::extract_whole(const float* samples, size_t count) const {
  if (count == 0) throw UsageError(impl_->type + ": the recording is empty (0 samples)");
  return impl_->extract_whole(samples, count);
}

std::unique_ptr<WholeFeatureWindows::Impl> AudioFeatureExtractor::Impl::whole_windows(SampleSource&) const {
  throw UsageError(type + ": features a window at a time are Whisper's long-form features only");
}

WholeFeatureWindows AudioFeatureExtractor::whole_windows(SampleSource& source) const {
  return WholeFeatureWindows(impl_->whole_windows(source));
}

WholeFeatureWindows::WholeFeatureWindows(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WholeFeatureWindows::~WholeFeatureWindows() = default;
WholeFeatureWindows::WholeFeatureWindows(WholeFeatureWindows&&) noexcept = default;
size_t WholeFeatureWindows::frames() const { return impl_->frames; }
size_t WholeFeatureWindows::samples() const { return impl_->samples; }
std::vector<float> WholeFeatureWindows::window(size_t seek, size_t width) { return impl_->window(seek, width); }

}  // namespace modelexport::processors
