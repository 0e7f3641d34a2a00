// The building blocks of transformers' audio_utils.py (transformers v4.57, the numpy path every
// audio feature extractor documents): window_function, mel_filter_bank, spectrogram. Each follows
// the Python function step by step, in double precision where numpy computes in float64, with the
// same float32 roundings (the STFT is stored as complex64, the log spectrogram returned as float32).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace modelexport::processors::audio {

enum class MelScale { kHtk, kSlaney, kKaldi };

// audio_utils.window_function(window_length, name, periodic): "hann", "hamming", "povey", "boxcar".
std::vector<double> window_function(size_t length, const std::string& name, bool periodic = true);

// audio_utils.hertz_to_mel / mel_to_hertz.
double hertz_to_mel(double hz, MelScale scale);
double mel_to_hertz(double mel, MelScale scale);

// A mel filter bank, stored sparsely: filter f covers frequency bins [first[f], first[f] + weights[f].size()).
struct MelFilters {
  size_t num_frequency_bins = 0;
  std::vector<size_t> first;
  std::vector<std::vector<double>> weights;
  size_t size() const { return first.size(); }
};
// audio_utils.mel_filter_bank(num_frequency_bins, num_mel_filters, min_frequency, max_frequency,
// sampling_rate, norm ("slaney" or none), mel_scale, triangularize_in_mel_space).
MelFilters mel_filter_bank(size_t num_frequency_bins, size_t num_mel_filters, double min_frequency,
                           double max_frequency, double sampling_rate, bool slaney_norm, MelScale scale,
                           bool triangularize_in_mel_space = false);

enum class LogMel { kNone, kLog, kLog10 };

struct SpectrogramOptions {
  size_t frame_length = 400;
  size_t hop_length = 160;
  size_t fft_length = 0;  // 0: frame_length
  double power = 2.0;
  bool center = true;  // reflect padding by frame_length / 2 on both sides (pad_mode "reflect")
  std::optional<double> preemphasis;
  bool remove_dc_offset = false;
  double mel_floor = 1e-10;
  LogMel log_mel = LogMel::kNone;
};

// audio_utils.spectrogram with mel filters: a (num_mel_filters × num_frames) float32 matrix, row-major.
// Returns the number of frames; `out` is resized.
size_t mel_spectrogram(const float* waveform, size_t length, const std::vector<double>& window, const MelFilters& mel,
                       const SpectrogramOptions& options, std::vector<float>& out);
// The number of frames mel_spectrogram gives for `length` samples.
size_t mel_spectrogram_frame_count(size_t length, const SpectrogramOptions& options);

// Part of a waveform of `length` samples: samples[i] is waveform[offset + i], i < count.
struct WaveformPart {
  const float* samples;
  size_t offset, count, length;
};
// Frames [first, first + count) of mel_spectrogram over the whole waveform, from the part of it those
// frames read (each frame reads its own frame_length samples, reflected at the waveform's edges):
// the same values, bit for bit. `out` is (num_mel_filters × count), row-major. A frame reading outside
// the part is a logic_error.
void mel_spectrogram_frames(const WaveformPart& wave, size_t first, size_t count, const std::vector<double>& window,
                            const MelFilters& mel, const SpectrogramOptions& options, std::vector<float>& out);

}  // namespace modelexport::processors::audio
