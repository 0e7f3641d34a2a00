// WhisperFeatureExtractor (transformers v4.57 models/whisper/feature_extraction_whisper.py, the numpy
// path _np_extract_fbank_features): pad/truncate to n_samples, optional zero-mean unit-variance
// normalization, audio_utils.spectrogram(window_function(n_fft, "hann"), power 2, Slaney mel filters,
// log10), drop the last frame, max(x, max - 8), (x + 4) / 4.
#include <algorithm>

#include "modelexport/common/error.h"
#include "processors/audio/feature_extractors.h"
#include "processors/audio/spectrogram.h"

namespace modelexport::processors::audio {
namespace {

struct Whisper final : AudioFeatureExtractor::Impl {
  size_t n_fft = 400, hop = 160;
  float padding_value = 0;
  bool return_attention_mask = false, do_normalize = false;
  std::vector<double> window;
  MelFilters mel;

  AudioFeatures extract(const float* samples, size_t count) const override { return compute(samples, count, true); }
  AudioFeatures extract_whole(const float* samples, size_t count) const override {
    return compute(samples, count, false);
  }

  // pad: self.pad(padding="max_length", max_length=n_samples, truncation=True); else one input with
  // padding="longest", truncation=False (the recording as it is).
  AudioFeatures compute(const float* samples, size_t count, bool pad) const {
    const size_t length = pad ? chunk_samples : count;
    std::vector<float> wave(length, padding_value);
    size_t real = std::min(count, length);
    std::copy(samples, samples + real, wave.begin());
    if (do_normalize) zero_mean_unit_var_norm(wave.data(), real, wave.size(), padding_value);
    SpectrogramOptions o;
    o.frame_length = n_fft;
    o.hop_length = hop;
    o.power = 2.0;
    o.center = true;
    o.log_mel = LogMel::kLog10;
    std::vector<float> spec;
    size_t frames = mel_spectrogram(wave.data(), wave.size(), window, mel, o, spec);
    size_t kept = frames - 1;  // log_spec[:, :-1]
    AudioFeatures f;
    f.name = "input_features";
    f.shape = {1, int64_t(feature_size), int64_t(kept)};
    f.values.resize(feature_size * kept);
    float max = -std::numeric_limits<float>::infinity();
    for (size_t m = 0; m < feature_size; ++m)
      for (size_t t = 0; t < kept; ++t) max = std::max(max, spec[m * frames + t]);
    const float floor = max - 8.0f;
    for (size_t m = 0; m < feature_size; ++m)
      for (size_t t = 0; t < kept; ++t) f.values[m * kept + t] = (std::max(spec[m * frames + t], floor) + 4.0f) / 4.0f;
    if (return_attention_mask) {
      // attention_mask[:, ::hop_length]: one entry per hop of the padded samples.
      size_t n = (length + hop - 1) / hop;
      f.attention_mask.resize(n);
      for (size_t i = 0; i < n; ++i) f.attention_mask[i] = i * hop < real ? 1 : 0;
      f.attention_mask_shape = {1, int64_t(n)};
    }
    return f;
  }
};

}  // namespace

std::shared_ptr<const AudioFeatureExtractor::Impl> make_whisper_feature_extractor(const JsonReader& config) {
  auto w = std::make_shared<Whisper>();
  w->type = "WhisperFeatureExtractor";
  w->feature_size = positive_size(config, "feature_size", 80);
  w->sampling_rate = int(positive_size(config, "sampling_rate", 16000));
  w->hop = positive_size(config, "hop_length", 160);
  w->n_fft = positive_size(config, "n_fft", 400);
  size_t chunk_length = positive_size(config, "chunk_length", 30);
  w->chunk_samples = chunk_length * size_t(w->sampling_rate);  // self.n_samples (config's n_samples is recomputed)
  w->padding_value = float(config.number("padding_value").value_or(0.0));
  w->return_attention_mask = config.boolean_or("return_attention_mask", false);
  w->do_normalize = config.boolean_or("do_normalize", false);
  if (config.number("dither").value_or(0.0) != 0.0)
    throw ProcessorReconstructionError(config.file() + ": dither: random dithering is not reproducible; expected 0.0");
  if (w->n_fft > w->chunk_samples)
    throw ProcessorReconstructionError(config.file() + ": n_fft: larger than chunk_length · sampling_rate");
  w->window = window_function(w->n_fft, "hann", true);
  w->mel = mel_filter_bank(1 + w->n_fft / 2, w->feature_size, 0.0, 8000.0, w->sampling_rate, true, MelScale::kSlaney);
  return w;
}

}  // namespace modelexport::processors::audio
