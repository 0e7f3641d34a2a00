// WhisperFeatureExtractor (transformers v4.57 models/whisper/feature_extraction_whisper.py, the numpy
// path _np_extract_fbank_features): pad/truncate to n_samples, optional zero-mean unit-variance
// normalization, audio_utils.spectrogram(window_function(n_fft, "hann"), power 2, Slaney mel filters,
// log10), drop the last frame, max(x, max - 8), (x + 4) / 4.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "modelexport/common/error.h"
#include "processors/audio/feature_extractors.h"
#include "processors/audio/spectrogram.h"

namespace modelexport::processors::audio {
namespace {

WaveformPart part(const SlidingSamples& s, size_t length) { return {s.data(), s.base(), s.end() - s.base(), length}; }

struct Whisper final : AudioFeatureExtractor::Impl {
  size_t n_fft = 400, hop = 160;
  float padding_value = 0;
  bool return_attention_mask = false, do_normalize = false;
  std::vector<double> window;
  MelFilters mel;

  AudioFeatures extract(const float* samples, size_t count) const override { return compute(samples, count, true); }
  std::unique_ptr<WholeFeatureWindows::Impl> whole_windows(SampleSource& source) const override;

  SpectrogramOptions spectrogram_options() const {
    SpectrogramOptions o;
    o.frame_length = n_fft;
    o.hop_length = hop;
    o.power = 2.0;
    o.center = true;
    o.log_mel = LogMel::kLog10;
    return o;
  }
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
    const SpectrogramOptions o = spectrogram_options();
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

// extract_whole(), a window at a time: the statistics pass(es), then windows from a second reading.
struct WhisperWindows final : WholeFeatureWindows::Impl {
  const Whisper& fe;
  SampleSource& source;
  std::function<float(float)> normalize;
  float floor = 0;
  size_t kept = 0, last_seek = 0;
  std::unique_ptr<SlidingSamples> reader;

  WhisperWindows(const Whisper& w, SampleSource& s) : fe(w), source(s) {
    source.rewind();
    if (fe.do_normalize) normalization();
    statistics();
    source.rewind();
    reader = std::make_unique<SlidingSamples>(source, normalize);
  }

  // zero_mean_unit_var_norm over the whole recording, in the same order and precision.
  void normalization() {
    std::vector<float> block(1 << 14);
    double sum = 0;
    size_t count = 0;
    while (size_t n = source.read(block.data(), block.size())) {
      for (size_t i = 0; i < n; ++i) sum += block[i];
      count += n;
    }
    if (count == 0) throw UsageError(fe.type + ": the recording is empty (0 samples)");
    const float mean = float(sum / double(count));
    source.rewind();
    double sq = 0;
    while (size_t n = source.read(block.data(), block.size()))
      for (size_t i = 0; i < n; ++i) {
        float d = block[i] - mean;
        sq += double(d * d);
      }
    const float var = float(sq / double(count));
    const float scale = float(std::sqrt(double(var) + 1e-7));
    normalize = [mean, scale](float x) { return (x - mean) / scale; };
    source.rewind();
  }

  // The maximum of the log-mel frames that are kept (all but the last), block by block. Until the end
  // is read the length is unknown: the frames that end before the samples read so far do not depend
  // on it (only those touching the end reflect there), so they are computed with a stand-in length.
  void statistics() {
    SlidingSamples in(source, normalize);
    const SpectrogramOptions o = fe.spectrogram_options();
    const size_t pad = fe.n_fft / 2, block = 1000;
    constexpr size_t kUnknownLength = size_t(1) << 60;
    float max = -std::numeric_limits<float>::infinity();
    std::vector<float> spec;
    auto take_max = [&] {
      for (float v : spec) max = std::max(max, v);
    };
    size_t t = 0;
    for (;;) {
      // Frame t + block - 1 reads samples up to (t + block - 1)·hop + pad.
      const size_t need = (t + block - 1) * fe.hop + pad;
      in.fill_to(need);
      if (in.end() < need) break;  // the end is in this block
      mel_spectrogram_frames(part(in, kUnknownLength), t, block, fe.window, fe.mel, o, spec);
      take_max();
      t += block;
      if (t * fe.hop > pad) in.drop_before(t * fe.hop - pad);
    }
    samples = in.end();
    if (samples == 0) throw UsageError(fe.type + ": the recording is empty (0 samples)");
    kept = mel_spectrogram_frame_count(samples, o) - 1;  // log_spec[:, :-1]
    if (kept > t) {
      mel_spectrogram_frames(part(in, samples), t, kept - t, fe.window, fe.mel, o, spec);
      take_max();
    }
    frames = kept;
    floor = max - 8.0f;
  }

  std::vector<float> window(size_t seek, size_t width) override {
    if (seek < last_seek)
      throw UsageError("WhisperFeatureExtractor: windows must not go back (frame " + std::to_string(seek) + " after " +
                       std::to_string(last_seek) + ")");
    last_seek = seek;
    const size_t bins = fe.feature_size, pad = fe.n_fft / 2;
    std::vector<float> out(bins * width, 0.0f);
    const size_t m = seek < kept ? std::min(width, kept - seek) : 0;
    if (m == 0) return out;
    reader->drop_before(seek * fe.hop > pad ? seek * fe.hop - pad : 0);
    reader->fill_to(std::min(samples, (seek + m - 1) * fe.hop + pad));
    std::vector<float> spec;
    mel_spectrogram_frames(part(*reader, samples), seek, m, fe.window, fe.mel, fe.spectrogram_options(), spec);
    for (size_t b = 0; b < bins; ++b)
      for (size_t c = 0; c < m; ++c) out[b * width + c] = (std::max(spec[b * m + c], floor) + 4.0f) / 4.0f;
    return out;
  }
};

std::unique_ptr<WholeFeatureWindows::Impl> Whisper::whole_windows(SampleSource& source) const {
  return std::make_unique<WhisperWindows>(*this, source);
}

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
