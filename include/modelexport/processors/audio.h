// Audio decoding: any file FFmpeg's libavformat/libavcodec read (WAV PCM 8/16/24/32-bit and float,
// FLAC, Ogg Vorbis/Opus, MP3, ...) turned into mono float samples at the rate a model expects.
//
//   Audio a = decode_audio_file("speech.flac", 16000);     // a.samples: mono float32 at 16 kHz
//   for (const auto& note : a.notes) std::cerr << note << "\n";   // "resampled from 44100 Hz ..."
//
//   // Long files: blocks as they are decoded; memory stays flat whatever the file's length.
//   decode_audio_stream("long.flac", 16000, [&](const float* s, size_t n) { consume(s, n); });
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

// Called with each decoded, converted block (mono, at the requested rate); the pointer is valid
// during the call only.
using AudioSink = std::function<void(const float* samples, size_t count)>;

// Decodes `file` block by block into `sink`. Returns what the file held; appends notes to `notes`
// when given. Throws AudioDecodeError (bad input) or IoError (cannot open).
AudioSource decode_audio_stream(const std::filesystem::path& file, int sampling_rate, const AudioSink& sink,
                                std::vector<std::string>* notes = nullptr);
// The whole file in memory.
Audio decode_audio_file(const std::filesystem::path& file, int sampling_rate);
// From bytes already in memory (an audio file's contents); `name` is used in messages.
Audio decode_audio(std::string_view bytes, int sampling_rate, std::string_view name = "<memory>");

// Raw samples from the API: `interleaved` holds frames × channels floats at `from_rate`; they are
// downmixed and resampled exactly as a decoded file would be. Channels > 8 or rates ≤ 0 throw UsageError.
Audio convert_samples(const float* interleaved, size_t frames, int channels, int from_rate, int sampling_rate);

}  // namespace modelexport::processors
