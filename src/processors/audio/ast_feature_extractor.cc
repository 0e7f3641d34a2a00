// ASTFeatureExtractor (transformers v4.57 models/audio_spectrogram_transformer/
// feature_extraction_audio_spectrogram_transformer.py, its numpy path, which mirrors
// torchaudio.compliance.kaldi.fbank): spectrogram(window_function(400, "hann", periodic=False),
// frame 400, hop 160, fft 512, power 2, center=False, preemphasis 0.97, Kaldi mel filters
// (20 Hz .. sampling_rate // 2, triangularized in mel space), log with float32 eps floor,
// remove_dc_offset), transposed, zero-padded / truncated to max_length frames, (x - mean) / (2 std).
#include "modelexport/common/error.h"
#include "processors/audio/feature_extractors.h"
#include "processors/audio/spectrogram.h"

namespace modelexport::processors::audio {
namespace {

struct Ast final : AudioFeatureExtractor::Impl {
  size_t max_length = 1024;
  bool do_normalize = true, return_attention_mask = false;
  double mean = -4.2677393, std = 4.5689974;
  std::vector<double> window;
  MelFilters mel;

  AudioFeatures extract(const float* samples, size_t count) const override {
    SpectrogramOptions o;
    o.frame_length = 400;
    o.hop_length = 160;
    o.fft_length = 512;
    o.power = 2.0;
    o.center = false;
    o.preemphasis = 0.97;
    o.remove_dc_offset = true;
    o.mel_floor = 1.192092955078125e-07;
    o.log_mel = LogMel::kLog;
    std::vector<float> spec;
    size_t frames = mel_spectrogram(samples, count, window, mel, o, spec);
    AudioFeatures f;
    f.name = "input_values";
    f.shape = {1, int64_t(max_length), int64_t(feature_size)};
    f.values.assign(max_length * feature_size, 0.0f);
    size_t kept = std::min(frames, max_length);
    for (size_t t = 0; t < kept; ++t)
      for (size_t m = 0; m < feature_size; ++m) f.values[t * feature_size + m] = spec[m * frames + t];
    if (do_normalize) {
      // normalize(): (input_values - mean) / (std * 2) on the float32 features, padding included.
      const float m = float(mean), s2 = float(std * 2);
      for (float& v : f.values) v = (v - m) / s2;
    }
    if (return_attention_mask) {
      f.attention_mask.assign(max_length, 0);
      std::fill(f.attention_mask.begin(), f.attention_mask.begin() + long(kept), 1);
      f.attention_mask_shape = {1, int64_t(max_length)};
    }
    return f;
  }
};

}  // namespace

std::shared_ptr<const AudioFeatureExtractor::Impl> make_ast_feature_extractor(const JsonReader& config) {
  auto a = std::make_shared<Ast>();
  a->type = "ASTFeatureExtractor";
  a->feature_size = positive_size(config, "num_mel_bins", 128);
  a->sampling_rate = int(positive_size(config, "sampling_rate", 16000));
  a->max_length = positive_size(config, "max_length", 1024);
  a->do_normalize = config.boolean_or("do_normalize", true);
  a->return_attention_mask = config.boolean_or("return_attention_mask", false);
  a->mean = config.number("mean").value_or(-4.2677393);
  a->std = config.number("std").value_or(4.5689974);
  a->window = window_function(400, "hann", false);
  a->mel = mel_filter_bank(257, a->feature_size, 20.0, double(a->sampling_rate / 2), a->sampling_rate, false,
                           MelScale::kKaldi, true);
  return a;
}

}  // namespace modelexport::processors::audio
