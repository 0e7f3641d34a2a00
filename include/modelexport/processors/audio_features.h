// Audio feature extractors rebuilt from preprocessor_config.json: the tensors an audio model takes,
// computed as Python transformers' feature extractors compute them (v4.57, numpy path).
//
//   auto fe = AudioFeatureExtractor::from_json(preprocessor_config_bytes);
//   Audio a = decode_audio_file("speech.wav", fe.sampling_rate());
//   AudioFeatures f = fe.extract(a.samples.data(), a.samples.size());
//   // f.name == "input_features", f.shape == {1, 80, 3000} for Whisper
//
// Supported "feature_extractor_type"s (an unknown one is an error listing these):
//  - WhisperFeatureExtractor: pad/truncate to chunk_length·sampling_rate samples with padding_value,
//    (do_normalize: zero mean, unit variance), log10 mel spectrogram (periodic Hann window, n_fft,
//    hop_length, reflect center padding, Slaney mel filters over 0–8000 Hz with feature_size bins,
//    1e-10 floor), last frame dropped, max(x, max − 8), (x + 4) / 4 → input_features
//    [1, feature_size, frames]; return_attention_mask → attention_mask [1, frames] (samples[::hop]).
//  - Wav2Vec2FeatureExtractor: do_normalize: (x − mean) / sqrt(var + 1e-7) → input_values [1, n];
//    return_attention_mask → attention_mask [1, n] of ones.
//  - ASTFeatureExtractor: Kaldi-style fbank (400-sample symmetric Hann frames, hop 160, 512-point FFT,
//    DC removal, 0.97 pre-emphasis, num_mel_bins Kaldi mel filters from 20 Hz, natural log with
//    float32 eps floor), padded with zeros / truncated to max_length frames, then (x − mean)/(2·std)
//    when do_normalize → input_values [1, max_length, num_mel_bins].
//
// Thread-safety: immutable after construction; extract() may be called from many threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "modelexport/processors/audio.h"

namespace modelexport::processors {

struct AudioFeatures {
  std::string name;                     // the model input: "input_features" or "input_values"
  std::vector<int64_t> shape;           // with the batch dimension (1)
  std::vector<float> values;            // row-major
  std::vector<int64_t> attention_mask;  // empty unless return_attention_mask
  std::vector<int64_t> attention_mask_shape;
};

// Whisper's extract_whole() features of a recording of any length, computed a window at a time from
// a SampleSource (AudioFeatureExtractor::whole_windows): the same values, bit for bit, with memory
// bounded by one window of samples whatever the recording's length.
//
//   AudioReader file("ten_hours.opus", 16000);
//   WholeFeatureWindows w = fe.whole_windows(file);       // reads the file through for the statistics
//   for (size_t seek = 0; seek < w.frames(); seek += 3000) run(w.window(seek, 3000));
class WholeFeatureWindows {
 public:
  struct Impl;
  explicit WholeFeatureWindows(std::unique_ptr<Impl> impl);
  ~WholeFeatureWindows();
  WholeFeatureWindows(WholeFeatureWindows&&) noexcept;
  size_t frames() const;   // extract_whole(...).shape.back()
  size_t samples() const;  // the recording's length
  // extract_whole's features[:, seek : seek + width] as [feature_size, width], row-major, frames past
  // the end 0 (Python's _get_input_segment pads so). `seek` must not decrease from one call to the next
  // (the samples before it are dropped): a smaller one is a UsageError.
  std::vector<float> window(size_t seek, size_t width);

 private:
  std::unique_ptr<Impl> impl_;
};

class AudioFeatureExtractor {
 public:
  // Throws ProcessorReconstructionError naming `source` and the key for a missing or wrong value or an
  // unknown feature_extractor_type.
  static AudioFeatureExtractor from_json(std::string_view preprocessor_config_json,
                                         std::string_view source = "preprocessor_config.json");

  const std::string& type() const;  // "WhisperFeatureExtractor", ...
  int sampling_rate() const;
  // Mel bins of the features (Whisper feature_size, AST num_mel_bins); 1 for raw input_values.
  size_t feature_size() const;
  // Whisper: samples per chunk (chunk_length · sampling_rate); 0 for the others.
  size_t chunk_samples() const;
  // Features for one mono recording at sampling_rate(). An empty recording throws UsageError.
  AudioFeatures extract(const float* samples, size_t count) const;
  // Whisper: the features of the whole recording, not padded or truncated to chunk_length (Python's
  // truncation=False, padding="longest" for one input: what its ASR pipeline computes for audio
  // longer than chunk_length, so the max - 8 floor is taken over the whole recording). The other
  // extractors: extract().
  AudioFeatures extract_whole(const float* samples, size_t count) const;
  // Whisper: extract_whole() a window at a time (WholeFeatureWindows). Reads `source` from its start
  // once for the statistics (the maximum the max - 8 floor is taken from; twice more with
  // do_normalize, for the mean and variance), then again as the windows advance; `source` must
  // outlive the result. An empty recording throws UsageError; the other extractors throw UsageError.
  WholeFeatureWindows whole_windows(SampleSource& source) const;

  struct Impl;

 private:
  std::shared_ptr<const Impl> impl_;
};

}  // namespace modelexport::processors
