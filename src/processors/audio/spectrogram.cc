// Follows transformers v4.57 src/transformers/audio_utils.py (window_function, hertz_to_mel,
// mel_to_hertz, mel_filter_bank, _create_triangular_filter_bank, spectrogram) and numpy 1.24's
// hanning/hamming/linspace/pad(mode="reflect") that they call.
#include "processors/audio/spectrogram.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <stdexcept>

#include "modelexport/common/error.h"
#include "processors/audio/fft.h"

namespace modelexport::processors::audio {

namespace {

// numpy.hanning / numpy.hamming: n = arange(1-M, M, 2); a + b·cos(π n / (M-1)).
std::vector<double> cosine_window(size_t m, double a, double b) {
  if (m == 1) return {1.0};
  std::vector<double> w(m);
  for (size_t i = 0; i < m; ++i) {
    double n = double(2 * i) + 1.0 - double(m);
    w[i] = a + b * std::cos(std::numbers::pi * n / double(m - 1));
  }
  return w;
}

// numpy.linspace(start, stop, num): start + i·step, the last element exactly stop.
std::vector<double> linspace(double start, double stop, size_t num) {
  std::vector<double> y(num);
  double step = num > 1 ? (stop - start) / double(num - 1) : 0.0;
  for (size_t i = 0; i < num; ++i) y[i] = double(i) * step + start;
  if (num > 1) y[num - 1] = stop;
  return y;
}

// numpy.pad(mode="reflect") index for position i of the padded signal (i may be < 0 or ≥ n).
size_t reflect_index(long long i, size_t n) {
  if (n == 1) return 0;
  long long period = 2 * (static_cast<long long>(n) - 1);
  long long r = i % period;
  if (r < 0) r += period;
  if (r >= static_cast<long long>(n)) r = period - r;
  return size_t(r);
}

}  // namespace

std::vector<double> window_function(size_t length, const std::string& name, bool periodic) {
  size_t m = periodic ? length + 1 : length;
  std::vector<double> w;
  if (name == "boxcar") w.assign(m, 1.0);
  else if (name == "hann" || name == "hann_window") w = cosine_window(m, 0.5, 0.5);
  else if (name == "hamming" || name == "hamming_window") w = cosine_window(m, 0.54, 0.46);
  else if (name == "povey") {
    w = cosine_window(m, 0.5, 0.5);
    for (double& x : w) x = std::pow(x, 0.85);
  } else
    throw ProcessorReconstructionError("window_function: unknown window '" + name +
                                       "', expected one of hann, hamming, povey, boxcar");
  if (periodic) w.pop_back();
  return w;
}

double hertz_to_mel(double hz, MelScale scale) {
  switch (scale) {
    case MelScale::kHtk: return 2595.0 * std::log10(1.0 + hz / 700.0);
    case MelScale::kKaldi: return 1127.0 * std::log(1.0 + hz / 700.0);
    case MelScale::kSlaney: break;
  }
  const double min_log_hertz = 1000.0, min_log_mel = 15.0, logstep = 27.0 / std::log(6.4);
  if (hz >= min_log_hertz) return min_log_mel + std::log(hz / min_log_hertz) * logstep;
  return 3.0 * hz / 200.0;
}

double mel_to_hertz(double mel, MelScale scale) {
  switch (scale) {
    case MelScale::kHtk: return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
    case MelScale::kKaldi: return 700.0 * (std::exp(mel / 1127.0) - 1.0);
    case MelScale::kSlaney: break;
  }
  const double min_log_hertz = 1000.0, min_log_mel = 15.0, logstep = std::log(6.4) / 27.0;
  if (mel >= min_log_mel) return min_log_hertz * std::exp(logstep * (mel - min_log_mel));
  return 200.0 * mel / 3.0;
}

MelFilters mel_filter_bank(size_t num_frequency_bins, size_t num_mel_filters, double min_frequency,
                           double max_frequency, double sampling_rate, bool slaney_norm, MelScale scale,
                           bool triangularize_in_mel_space) {
  if (num_frequency_bins < 2)
    throw ProcessorReconstructionError("mel_filter_bank: need at least 2 frequency bins, got " +
                                       std::to_string(num_frequency_bins));
  if (min_frequency > max_frequency)
    throw ProcessorReconstructionError("mel_filter_bank: min_frequency above max_frequency");
  std::vector<double> mel_freqs =
      linspace(hertz_to_mel(min_frequency, scale), hertz_to_mel(max_frequency, scale), num_mel_filters + 2);
  std::vector<double> filter_freqs(mel_freqs.size());
  for (size_t i = 0; i < mel_freqs.size(); ++i) filter_freqs[i] = mel_to_hertz(mel_freqs[i], scale);
  std::vector<double> fft_freqs;
  if (triangularize_in_mel_space) {
    double bin_width = sampling_rate / double((num_frequency_bins - 1) * 2);
    fft_freqs.resize(num_frequency_bins);
    for (size_t i = 0; i < num_frequency_bins; ++i) fft_freqs[i] = hertz_to_mel(bin_width * double(i), scale);
    filter_freqs = mel_freqs;
  } else {
    fft_freqs = linspace(0.0, std::floor(sampling_rate / 2.0), num_frequency_bins);  // sampling_rate // 2
  }
  MelFilters bank;
  bank.num_frequency_bins = num_frequency_bins;
  for (size_t f = 0; f < num_mel_filters; ++f) {
    // _create_triangular_filter_bank: max(0, min(down, up)) with the filter's two neighbours.
    double lo = filter_freqs[f], mid = filter_freqs[f + 1], hi = filter_freqs[f + 2];
    double enorm = slaney_norm ? 2.0 / (filter_freqs[f + 2] - filter_freqs[f]) : 1.0;
    std::vector<double> row(num_frequency_bins);
    size_t first = num_frequency_bins, last = 0;
    for (size_t i = 0; i < num_frequency_bins; ++i) {
      double down = -(lo - fft_freqs[i]) / (mid - lo);
      double up = (hi - fft_freqs[i]) / (hi - mid);
      double w = std::max(0.0, std::min(down, up)) * enorm;
      row[i] = w;
      if (w != 0.0) {
        first = std::min(first, i);
        last = i;
      }
    }
    if (first > last) first = last = 0;  // an all-zero filter (transformers warns; output is the floor)
    bank.first.push_back(first);
    bank.weights.emplace_back(row.begin() + long(first), row.begin() + long(last) + 1);
  }
  return bank;
}

size_t mel_spectrogram_frame_count(size_t length, const SpectrogramOptions& o) {
  const size_t pad = o.center ? o.frame_length / 2 : 0;
  const size_t padded = length + 2 * pad;
  return padded < o.frame_length || o.hop_length == 0 ? 0 : 1 + (padded - o.frame_length) / o.hop_length;
}

size_t mel_spectrogram(const float* waveform, size_t length, const std::vector<double>& window, const MelFilters& mel,
                       const SpectrogramOptions& o, std::vector<float>& out) {
  const size_t frames = mel_spectrogram_frame_count(length, o);
  mel_spectrogram_frames({waveform, 0, length, length}, 0, frames, window, mel, o, out);
  return frames;
}

void mel_spectrogram_frames(const WaveformPart& wave, size_t first, size_t count, const std::vector<double>& window,
                            const MelFilters& mel, const SpectrogramOptions& o, std::vector<float>& out) {
  const size_t frame_length = o.frame_length, fft_length = o.fft_length ? o.fft_length : o.frame_length;
  if (window.size() != frame_length || frame_length > fft_length || o.hop_length == 0)
    throw ProcessorReconstructionError("spectrogram: window, frame and FFT lengths do not fit");
  if (mel.num_frequency_bins != fft_length / 2 + 1)
    throw ProcessorReconstructionError("spectrogram: mel filters expect " + std::to_string(mel.num_frequency_bins) +
                                       " frequency bins, the FFT gives " + std::to_string(fft_length / 2 + 1));
  const size_t pad = o.center ? frame_length / 2 : 0;
  const size_t length = wave.length;
  const size_t bins = fft_length / 2 + 1;
  out.assign(mel.size() * count, 0.0f);
  if (count == 0) return;
  // sample(i): waveform[i], read from the part that holds it.
  auto sample = [&](size_t i) {
    if (i < wave.offset || i - wave.offset >= wave.count)
      throw std::logic_error("spectrogram: sample " + std::to_string(i) + " is outside the part given");
    return double(wave.samples[i - wave.offset]);
  };

  RealFft fft(fft_length);
  std::vector<double> buffer(fft_length, 0.0), power(bins);
  std::vector<std::complex<double>> spectrum(bins);
  for (size_t c = 0; c < count; ++c) {
    const size_t t = first + c;
    // The padded waveform, promoted to float64; only the frames near the edges reflect.
    long long start = static_cast<long long>(t * o.hop_length) - static_cast<long long>(pad);
    if (start >= 0 && size_t(start) + frame_length <= length) {
      for (size_t j = 0; j < frame_length; ++j) buffer[j] = sample(size_t(start) + j);
    } else {
      for (size_t j = 0; j < frame_length; ++j)
        buffer[j] = sample(reflect_index(start + static_cast<long long>(j), length));
    }
    if (o.remove_dc_offset) {
      double sum = 0;
      for (size_t j = 0; j < frame_length; ++j) sum += buffer[j];
      double mean = sum / double(frame_length);
      for (size_t j = 0; j < frame_length; ++j) buffer[j] -= mean;
    }
    if (o.preemphasis) {
      // buffer[1:] -= p·buffer[:-1] reads the values before the update: walk backwards.
      for (size_t j = frame_length - 1; j >= 1; --j) buffer[j] -= *o.preemphasis * buffer[j - 1];
      buffer[0] *= 1.0 - *o.preemphasis;
    }
    for (size_t j = 0; j < frame_length; ++j) buffer[j] *= window[j];
    fft.forward(buffer.data(), spectrum.data());
    for (size_t k = 0; k < bins; ++k) {
      // Stored as complex64, then np.abs(..., dtype=float64) ** power.
      double re = double(float(spectrum[k].real())), im = double(float(spectrum[k].imag()));
      double p2 = re * re + im * im;
      power[k] = o.power == 2.0 ? p2 : std::pow(std::sqrt(p2), o.power);
    }
    for (size_t f = 0; f < mel.size(); ++f) {
      const auto& w = mel.weights[f];
      const double* p = power.data() + mel.first[f];
      double sum = 0;
      for (size_t i = 0; i < w.size(); ++i) sum += w[i] * p[i];
      double v = std::max(o.mel_floor, sum);
      if (o.log_mel == LogMel::kLog10) v = std::log10(v);
      else if (o.log_mel == LogMel::kLog) v = std::log(v);
      out[f * count + c] = float(v);
    }
  }
}

}  // namespace modelexport::processors::audio
