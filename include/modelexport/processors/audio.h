// Audio decoding: any file FFmpeg's libavformat/libavcodec read (WAV PCM 8/16/24/32-bit and float,
// FLAC, Ogg Vorbis/Opus, MP3, ...) turned into mono float samples at the rate a model expects.
//
//   Audio a = decode_audio_file("speech.flac", 16000);     // a.samples: mono float32 at 16 kHz
//   for (const auto& note : a.notes) std::cerr << note << "\n";   // "resampled from 44100 Hz ..."
//
//   // Long files: blocks as they are decoded; memory stays flat whatever the file's length.
//   decode_audio_stream("long.flac", 16000, [&](const float* s, size_t n) { consume(s, n); });
//   AudioReader r("long.opus", 16000);                     // pulled: decodes a packet at a time as read() asks
//   while (size_t n = r.read(buf, 4096)) consume(buf, n);  // r.rewind() decodes it again from the start
//
//   // Whole-file decoding stops past AudioDecodeOptions::max_seconds (default 1 hour of samples): a
//   // small compressed file can expand to hours (Python's ffmpeg_read has no limit).
//
// The reference is what Python transformers' ASR pipeline feeds its model (ffmpeg_read in
// transformers/pipelines/audio_utils.py): `ffmpeg -i FILE -ac 1 -ar RATE -f f32le -` (FFmpeg 5.1).
// Downmixing and resampling use libswresample with the CLI's defaults (its auto-inserted aresample:
// the default channel matrix, a 32-tap windowed-sinc filter), in one pass as the CLI does. A file with
// no channel layout gets FFmpeg's default layout for its channel count (the CLI's "guessed" layout).
//
// Errors (AudioDecodeError, naming the file): not audio, no audio stream, no samples, corrupt data.
// Thread-safety: the functions are reentrant; the sink is called on the caller's thread.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace modelexport::processors {

// What the file held before conversion.
struct AudioSource {
  std::string container;  // libavformat's name: "wav", "flac", "mp3", "ogg", ...
  std::string codec;      // "pcm_s16le", "flac", "mp3float", "vorbis", "opus", ...
  int sampling_rate = 0;  // Hz
  int channels = 0;
  std::string channel_layout;  // "mono", "stereo", "5.1", ...
};

// Mono float samples at `sampling_rate`, with notes on what was converted (resampling, downmix).
struct Audio {
  std::vector<float> samples;
  int sampling_rate = 0;
  AudioSource source;
  std::vector<std::string> notes;
  double duration_s() const { return sampling_rate ? double(samples.size()) / sampling_rate : 0.0; }
};

// Whole-file decoding limits.
struct AudioDecodeOptions {
  // The most audio, in seconds at the output rate, that decode_audio_file / decode_audio hold; past it
  // they throw AudioDecodeError naming the limit. 0: no limit. Default 1 hour (57.6M samples, 230 MB
  // at 16 kHz).
  double max_seconds = 3600.0;
};

// A mono recording read in order from its start, again from the start after rewind(). What streaming
// consumers (Whisper's chunked and long-form decoding) read from.
class SampleSource {
 public:
  virtual ~SampleSource() = default;
  // Up to `max` samples into `out`; 0 at the end.
  virtual size_t read(float* out, size_t max) = 0;
  // Back to the first sample (a file is decoded again).
  virtual void rewind() = 0;
  // The number of samples when known before the end (a file's: the container's duration estimate),
  // else 0. For progress only.
  virtual size_t expected_samples() const = 0;
};

// Samples already in memory (not copied: they must outlive the source).
class MemorySamples final : public SampleSource {
 public:
  MemorySamples(const float* samples, size_t count) : samples_(samples), count_(count) {}
  size_t read(float* out, size_t max) override;
  void rewind() override { pos_ = 0; }
  size_t expected_samples() const override { return count_; }

 private:
  const float* samples_;
  size_t count_, pos_ = 0;
};

// The samples [base(), end()) of a SampleSource, read forward on demand and dropped from the front:
// what a consumer that moves through a recording in windows holds. `transform`, when set, maps each
// sample as it is read.
class SlidingSamples {
 public:
  explicit SlidingSamples(SampleSource& source, std::function<float(float)> transform = {});
  // Reads until samples [.., end) are held or the source ends.
  void fill_to(size_t end);
  // Drops the samples before `index` (nothing when index <= base()).
  void drop_before(size_t index);
  bool ended() const { return ended_; }  // the source has no more samples
  size_t base() const { return base_; }
  size_t end() const { return base_ + buf_.size(); }
  const float* data() const { return buf_.data(); }  // sample base()

 private:
  SampleSource& source_;
  std::function<float(float)> transform_;
  std::vector<float> buf_;
  size_t base_ = 0;
  bool ended_ = false;
};

// A file (or file bytes in memory, which must outlive the reader) decoded on demand as
// decode_audio_file decodes it, the same samples, a packet at a time: memory stays flat whatever the
// length. The constructor opens the file and decodes up to its first frame (source() and notes()
// are known then; errors as decode_audio_file's). Not thread-safe; movable.
class AudioReader final : public SampleSource {
 public:
  AudioReader(const std::filesystem::path& file, int sampling_rate);
  AudioReader(std::string_view bytes, int sampling_rate, std::string_view name);
  ~AudioReader() override;
  AudioReader(AudioReader&&) noexcept;
  AudioReader& operator=(AudioReader&&) noexcept;
  size_t read(float* out, size_t max) override;
  void rewind() override;
  size_t expected_samples() const override;
  const AudioSource& source() const;
  const std::vector<std::string>& notes() const;  // resampling, downmix (from the first opening)
  int sampling_rate() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Called with each decoded, converted block (mono, at the requested rate); the pointer is valid
// during the call only.
using AudioSink = std::function<void(const float* samples, size_t count)>;

// Decodes `file` block by block into `sink`. Returns what the file held; appends notes to `notes`
// when given. Throws AudioDecodeError (bad input) or IoError (cannot open).
AudioSource decode_audio_stream(const std::filesystem::path& file, int sampling_rate, const AudioSink& sink,
                                std::vector<std::string>* notes = nullptr);
// The whole file in memory (up to options.max_seconds).
Audio decode_audio_file(const std::filesystem::path& file, int sampling_rate, const AudioDecodeOptions& options = {});
// From bytes already in memory (an audio file's contents); `name` is used in messages.
Audio decode_audio(std::string_view bytes, int sampling_rate, std::string_view name = "<memory>",
                   const AudioDecodeOptions& options = {});

// Raw samples from the API: `interleaved` holds frames × channels floats at `from_rate`; they are
// downmixed and resampled exactly as a decoded file would be. Channels > 8 or rates ≤ 0 throw UsageError.
Audio convert_samples(const float* interleaved, size_t frames, int channels, int from_rate, int sampling_rate);

}  // namespace modelexport::processors
