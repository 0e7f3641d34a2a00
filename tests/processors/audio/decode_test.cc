// Audio decoding against its reference, Debian's ffmpeg 5.1 CLI run as Python transformers runs it
// (`ffmpeg -i FILE -ac 1 -ar RATE -f f32le -`, transformers/pipelines/audio_utils.py ffmpeg_read):
// every corpus recording and generated files of each sample format, plus the bad-input table.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "modelexport/common/error.h"
#include "modelexport/processors/audio.h"
#include "support/test_support.h"

namespace modelexport::processors {
namespace {

namespace fs = std::filesystem;
using test::ScratchDir;

int shell(const std::string& command) { return std::system(command.c_str()); }

// The CLI's samples for `file` at `rate`.
std::vector<float> ffmpeg_reference(const fs::path& file, int rate, const ScratchDir& scratch) {
  fs::path out = scratch / (file.filename().string() + "." + std::to_string(rate) + ".f32");
  std::string cmd = "ffmpeg -nostdin -v error -y -i '" + file.string() + "' -ac 1 -ar " + std::to_string(rate) +
                    " -f f32le '" + out.string() + "'";
  EXPECT_EQ(shell(cmd), 0) << cmd;
  std::string bytes = test::read_bytes(out);
  std::vector<float> samples(bytes.size() / sizeof(float));
  std::memcpy(samples.data(), bytes.data(), samples.size() * sizeof(float));
  return samples;
}

// Generates a 2 s test file with the ffmpeg CLI (a chirp-like sum of sines, per channel).
fs::path generate(const ScratchDir& scratch, const std::string& name, const std::string& args) {
  fs::path out = scratch / name;
  std::string cmd =
      "ffmpeg -nostdin -v error -y -f lavfi -i 'aevalsrc=0.4*sin(2*PI*(220+300*t)*t)+0.2*sin(2*PI*3150*t)"
      "|0.3*sin(2*PI*440*t)+0.1*sin(2*PI*5000*t):s=44100:d=2' " +
      args + " '" + out.string() + "'";
  EXPECT_EQ(shell(cmd), 0) << cmd;
  return out;
}

float max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  float m = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

// Measured on Debian 12's FFmpeg 5.1: our libswresample pass gives the CLI's samples bit for bit.
constexpr float kTolerance = 0.0f;

TEST(AudioDecode, CorpusRecordingsMatchTheFfmpegCli) {
  REQUIRE_CORPUS();
  ScratchDir scratch;
  fs::path dir = test::corpus_dir() / "media" / "audio";
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    for (int rate : {16000, 48000}) {
      SCOPED_TRACE(entry.path().filename().string() + " @" + std::to_string(rate));
      Audio ours = decode_audio_file(entry.path(), rate);
      std::vector<float> ref = ffmpeg_reference(entry.path(), rate, scratch);
      EXPECT_EQ(ours.samples.size(), ref.size());
      EXPECT_LE(max_abs_diff(ours.samples, ref), kTolerance);
      EXPECT_EQ(ours.sampling_rate, rate);
    }
    ++files;
  }
  EXPECT_GE(files, 8u);
}

TEST(AudioDecode, EverySampleFormatMatchesTheFfmpegCli) {
  ScratchDir scratch;
  struct Case {
    const char* name;
    const char* args;
    const char* codec;
    int channels;
  };
  const Case cases[] = {
      {"u8.wav", "-c:a pcm_u8", "pcm_u8", 2},
      {"s16.wav", "-c:a pcm_s16le", "pcm_s16le", 2},
      {"s24.wav", "-c:a pcm_s24le", "pcm_s24le", 2},
      {"s32.wav", "-c:a pcm_s32le", "pcm_s32le", 2},
      {"f32.wav", "-c:a pcm_f32le", "pcm_f32le", 2},
      {"mono8k.wav", "-ac 1 -ar 8000 -c:a pcm_s16le", "pcm_s16le", 1},
      {"six.wav", "-af 'pan=5.1|FL=c0|FR=c1|FC=c0|LFE=c1|BL=c0|BR=c1' -c:a pcm_s16le", "pcm_s16le", 6},
      {"s24.flac", "-c:a flac -sample_fmt s32 -bits_per_raw_sample 24", "flac", 2},
      {"vorbis.ogg", "-c:a libvorbis", "libvorbis", 2},
      {"opus.ogg", "-c:a libopus -ar 48000", "libopus", 2},
      {"lame.mp3", "-c:a libmp3lame", "mp3float", 2},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    fs::path file = generate(scratch, c.name, c.args);
    Audio ours = decode_audio_file(file, 16000);
    std::vector<float> ref = ffmpeg_reference(file, 16000, scratch);
    EXPECT_EQ(ours.samples.size(), ref.size());
    EXPECT_LE(max_abs_diff(ours.samples, ref), kTolerance);
    EXPECT_EQ(ours.source.channels, c.channels);
    // From memory: the same samples as from the file.
    Audio from_bytes = decode_audio(test::read_bytes(file), 16000, c.name);
    EXPECT_EQ(from_bytes.samples, ours.samples);
  }
}

TEST(AudioDecode, NotesSayWhatWasConverted) {
  ScratchDir scratch;
  fs::path six = generate(scratch, "six.wav", "-af 'pan=5.1|FL=c0|FR=c1|FC=c0|LFE=c1|BL=c0|BR=c1' -ar 8000");
  Audio a = decode_audio_file(six, 16000);
  ASSERT_EQ(a.notes.size(), 2u);
  EXPECT_NE(a.notes[0].find("downmixed 5.1 (6 channels) to mono"), std::string::npos) << a.notes[0];
  EXPECT_NE(a.notes[1].find("resampled from 8000 Hz to 16000 Hz"), std::string::npos) << a.notes[1];
  EXPECT_EQ(a.source.sampling_rate, 8000);
  fs::path mono = generate(scratch, "mono.wav", "-ac 1 -ar 16000");
  EXPECT_TRUE(decode_audio_file(mono, 16000).notes.empty());
}

TEST(AudioDecode, StreamsInBlocks) {
  REQUIRE_CORPUS();
  fs::path file = test::corpus_dir() / "media" / "audio" / "tedlium_long_120s.flac";
  size_t blocks = 0, total = 0, largest = 0;
  decode_audio_stream(file, 16000, [&](const float*, size_t n) {
    ++blocks;
    total += n;
    largest = std::max(largest, n);
  });
  EXPECT_EQ(total, 120u * 16000u);
  EXPECT_GT(blocks, 100u);
  EXPECT_LE(largest, 16384u);  // a frame's worth, never the whole file
}

// AudioReader (pulled, a packet at a time) gives decode_audio_file's samples bit for bit, in reads of
// any size, again after rewind(), and from bytes; resampled MP3 included.
TEST(AudioDecode, ReaderPullsTheSameSamples) {
  REQUIRE_CORPUS();
  ScratchDir scratch;
  fs::path flac = test::corpus_dir() / "media" / "audio" / "tedlium_long_120s.flac";
  fs::path mp3 = generate(scratch, "stereo.mp3", "-c:a libmp3lame -b:a 64k");
  for (const fs::path& file : {flac, mp3}) {
    SCOPED_TRACE(file.filename().string());
    Audio whole = decode_audio_file(file, 16000);
    AudioReader reader(file, 16000);
    EXPECT_EQ(reader.notes(), whole.notes);
    EXPECT_EQ(reader.source().codec, whole.source.codec);
    // An estimate (for progress): MP3 counts its encoder delay and padding (32600 for 32000 here).
    EXPECT_NEAR(double(reader.expected_samples()), double(whole.samples.size()), 0.05 * double(whole.samples.size()));
    for (size_t read_size : {size_t(1) << 20, size_t(777), size_t(1)}) {
      if (read_size == 1 && whole.samples.size() > 100000) continue;  // one at a time: the short file only
      reader.rewind();
      std::vector<float> got, buf(read_size);
      while (size_t n = reader.read(buf.data(), buf.size())) got.insert(got.end(), buf.begin(), buf.begin() + long(n));
      EXPECT_EQ(got, whole.samples) << read_size;
    }
    EXPECT_EQ(reader.notes(), whole.notes);  // rewinding adds none
    std::string bytes = test::read_bytes(file);
    AudioReader from_bytes(bytes, 16000, "bytes");
    std::vector<float> got(whole.samples.size() + 10);
    size_t have = 0;
    while (size_t n = from_bytes.read(got.data() + have, std::min<size_t>(4096, got.size() - have))) have += n;
    got.resize(have);
    EXPECT_EQ(got, whole.samples);
  }
}

// Whole-file decoding stops past AudioDecodeOptions::max_seconds, naming the limit and the option.
TEST(AudioDecode, LengthLimit) {
  ScratchDir scratch;
  fs::path wav = generate(scratch, "two_seconds.wav", "");
  EXPECT_EQ(decode_audio_file(wav, 16000, {2.0}).samples.size(), 32000u);  // exactly at the limit
  EXPECT_EQ(decode_audio_file(wav, 16000, {0.0}).samples.size(), 32000u);  // 0: no limit
  // 1 s: the header's 2 s are more than 10 % over, refused before decoding; 1.999 s: stopped while decoding.
  for (auto [limit, detail] :
       {std::pair{1.0, "the file declares 2 s; not decoded"}, {1.999, "decoding stopped there"}}) {
    try {
      decode_audio_file(wav, 16000, {limit});
      ADD_FAILURE() << "no error at " << limit;
    } catch (const AudioDecodeError& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find(wav.string()), std::string::npos) << m;
      EXPECT_NE(m.find("longer than the limit of"), std::string::npos) << m;
      EXPECT_NE(m.find("--max-audio-seconds"), std::string::npos) << m;
      EXPECT_NE(m.find(detail), std::string::npos) << m;
    }
  }
  EXPECT_THROW(decode_audio(test::read_bytes(wav), 8000, "bytes", {1.0}), AudioDecodeError);
  EXPECT_THROW(decode_audio_file(wav, 16000, {-1.0}), UsageError);
}

TEST(AudioDecode, RawSamplesFromTheApi) {
  // Stereo 44.1 kHz floats through convert_samples give what the CLI gives for the same floats.
  ScratchDir scratch;
  fs::path file = generate(scratch, "f32.wav", "-c:a pcm_f32le");
  std::string bytes = test::read_bytes(file);
  // The WAV header that ffmpeg writes for pcm_f32le stereo is 80 bytes with its LIST chunk; find "data".
  size_t data = bytes.find("data");
  ASSERT_NE(data, std::string::npos);
  std::vector<float> interleaved((bytes.size() - data - 8) / sizeof(float));
  std::memcpy(interleaved.data(), bytes.data() + data + 8, interleaved.size() * sizeof(float));
  Audio ours = convert_samples(interleaved.data(), interleaved.size() / 2, 2, 44100, 16000);
  std::vector<float> ref = ffmpeg_reference(file, 16000, scratch);
  EXPECT_EQ(ours.samples.size(), ref.size());
  EXPECT_LE(max_abs_diff(ours.samples, ref), kTolerance);
  Audio same = convert_samples(ref.data(), ref.size(), 1, 16000, 16000);
  EXPECT_EQ(same.samples, ref);
  EXPECT_TRUE(same.notes.empty());
}

TEST(AudioDecode, BadInput) {
  ScratchDir scratch;
  fs::path flac = generate(scratch, "good.flac", "-c:a flac");
  std::string corrupt = test::read_bytes(flac);
  for (size_t i = corrupt.size() / 3; i < corrupt.size() / 3 + 4000; ++i) corrupt[i] = char(corrupt[i] ^ 0x5a);
  test::write_bytes(scratch / "corrupt.flac", corrupt);
  test::write_bytes(scratch / "empty.wav", "");
  test::write_bytes(scratch / "text.wav", "this is not audio at all, just some text in a file\n");
  fs::path zero = generate(scratch, "zero.wav", "-t 0");
  fs::path video = scratch / "video.mkv";
  ASSERT_EQ(shell("ffmpeg -nostdin -v error -y -f lavfi -i testsrc=d=1:s=32x32 -c:v ffv1 '" + video.string() + "'"), 0);
  struct Case {
    fs::path file;
    const char* expected;
  };
  const Case cases[] = {
      {scratch / "corrupt.flac", "corrupt flac data at"},
      {scratch / "empty.wav", "not an audio file"},
      {scratch / "text.wav", "not an audio file"},
      {zero, "holds no samples"},
      {video, "no audio stream"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file.filename().string());
    try {
      decode_audio_file(c.file, 16000);
      ADD_FAILURE() << "no error";
    } catch (const AudioDecodeError& e) {
      EXPECT_NE(std::string(e.what()).find(c.file.string()), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(decode_audio_file(scratch / "missing.wav", 16000), IoError);
  EXPECT_THROW(decode_audio("", 16000), AudioDecodeError);
  EXPECT_THROW(decode_audio_file(flac, 0), UsageError);
}

}  // namespace
}  // namespace modelexport::processors
