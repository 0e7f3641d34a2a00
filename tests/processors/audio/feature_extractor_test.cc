// Audio feature extractors against the numpy reference written out from Python transformers v4.57
// (scripts/golden/audio_features.py, run here at test time with Debian's numpy), torch.stft /
// torchaudio's Kaldi fbank as a second opinion, and the bad-config table.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "modelexport/common/error.h"
#include "modelexport/processors/audio.h"
#include "modelexport/processors/audio_features.h"
#include "support/test_support.h"

namespace modelexport::processors {
namespace {

namespace fs = std::filesystem;
using test::ScratchDir;

struct Reference {
  std::vector<float> values;
  nlohmann::json info;  // name, shape, attention_mask
};

// Runs the reference script on `samples` with `config`.
Reference reference(const std::string& config, const std::vector<float>& samples, const ScratchDir& scratch,
                    const std::string& backend = "numpy") {
  test::write_bytes(scratch / "config.json", config);
  std::string raw(reinterpret_cast<const char*>(samples.data()), samples.size() * sizeof(float));
  test::write_bytes(scratch / "samples.f32", raw);
  std::string cmd =
      "OMP_NUM_THREADS=1 /usr/bin/python3 '" MODELEXPORT_SOURCE_DIR "/scripts/golden/audio_features.py' '" +
      (scratch / "config.json").string() + "' '" + (scratch / "samples.f32").string() + "' '" +
      (scratch / "out.f32").string() + "' --backend " + backend + " > '" + (scratch / "info.json").string() + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  Reference r;
  std::string bytes = test::read_bytes(scratch / "out.f32");
  r.values.resize(bytes.size() / sizeof(float));
  std::memcpy(r.values.data(), bytes.data(), r.values.size() * sizeof(float));
  r.info = nlohmann::json::parse(test::read_bytes(scratch / "info.json"));
  return r;
}

float max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  float m = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

std::vector<float> corpus_samples(const std::string& name, size_t max = 0) {
  std::vector<float> s = decode_audio_file(test::corpus_dir() / "media" / "audio" / name, 16000).samples;
  if (max && s.size() > max) s.resize(max);
  return s;
}

const char* const kWhisper80 = R"({"feature_extractor_type": "WhisperFeatureExtractor", "feature_size": 80,
  "chunk_length": 30, "hop_length": 160, "n_fft": 400, "sampling_rate": 16000, "padding_value": 0.0,
  "return_attention_mask": false})";
const char* const kWhisper128 = R"({"feature_extractor_type": "WhisperFeatureExtractor", "feature_size": 128,
  "return_attention_mask": true})";
const char* const kWhisperNormalized = R"({"feature_extractor_type": "WhisperFeatureExtractor",
  "do_normalize": true, "return_attention_mask": true, "chunk_length": 10})";
const char* const kWav2Vec2 = R"({"feature_extractor_type": "Wav2Vec2FeatureExtractor", "feature_size": 1,
  "sampling_rate": 16000, "padding_value": 0.0, "do_normalize": true, "return_attention_mask": true})";
const char* const kWav2Vec2Raw = R"({"feature_extractor_type": "Wav2Vec2FeatureExtractor", "do_normalize": false})";
const char* const kAst = R"({"feature_extractor_type": "ASTFeatureExtractor", "feature_size": 1, "num_mel_bins": 128,
  "max_length": 1024, "do_normalize": true, "mean": -4.2677393, "std": 4.5689974, "sampling_rate": 16000})";
const char* const kAstShort = R"({"feature_extractor_type": "ASTFeatureExtractor", "num_mel_bins": 64,
  "max_length": 300, "return_attention_mask": true})";

// Within 1e-5 of the numpy reference (the issue's bar); measured: 0 on these inputs for Whisper.
constexpr float kTolerance = 1e-5f;

TEST(AudioFeatures, MatchTheNumpyReference) {
  REQUIRE_CORPUS();
  ScratchDir scratch;
  struct Case {
    const char* what;
    const char* config;
    std::vector<float> samples;
  };
  std::vector<float> tone(16000);
  for (size_t i = 0; i < tone.size(); ++i)
    tone[i] = float(0.5 * std::sin(2 * 3.14159265358979 * 440.0 * double(i) / 16000));
  const Case cases[] = {
      {"whisper-tiny.en config, jfk (11 s, padded)", nullptr, corpus_samples("jfk.flac")},
      {"80 bins, 35 s (truncated)", kWhisper80, corpus_samples("tedlium_long_120s.flac", 35 * 16000)},
      {"128 bins + attention mask", kWhisper128, corpus_samples("librispeech_1272-141231-0002.mp3")},
      {"do_normalize, chunk_length 10", kWhisperNormalized, corpus_samples("common_voice_en_59751.mp3")},
      {"1 s tone", kWhisper80, tone},
      {"wav2vec2, normalized + mask", kWav2Vec2, corpus_samples("librispeech_1272-141231-0002.wav")},
      {"wav2vec2, raw", kWav2Vec2Raw, corpus_samples("librispeech_1272-128104-0004-8k.wav")},
      {"AST, 13 s (padded to 1024 frames)", kAst, corpus_samples("librispeech_1272-141231-0002.flac")},
      {"AST, 64 bins, truncated to 300 frames", kAstShort, corpus_samples("jfk.wav")},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    std::string config =
        c.config ? c.config
                 : test::read_bytes(test::corpus_dir() / "models" / "whisper-tiny.en" / "preprocessor_config.json");
    auto fe = AudioFeatureExtractor::from_json(config);
    AudioFeatures ours = fe.extract(c.samples.data(), c.samples.size());
    Reference ref = reference(config, c.samples, scratch);
    EXPECT_EQ(ours.name, ref.info["name"].get<std::string>());
    EXPECT_EQ(ours.shape, ref.info["shape"].get<std::vector<int64_t>>());
    EXPECT_LE(max_abs_diff(ours.values, ref.values), kTolerance);
    if (ref.info.contains("attention_mask"))
      EXPECT_EQ(ours.attention_mask, ref.info["attention_mask"].get<std::vector<int64_t>>());
    else EXPECT_TRUE(ours.attention_mask.empty());
  }
}

// torch.stft (transformers' default Whisper path when torch is installed) and torchaudio's Kaldi fbank
// (AST's default with torchaudio) compute in float32: their differences from the float64 numpy
// path are what we measured, not zero.
TEST(AudioFeatures, AgreeWithTorchAsSecondOpinion) {
  REQUIRE_CORPUS();
  ScratchDir scratch;
  std::vector<float> speech = corpus_samples("librispeech_1272-141231-0002.flac");
  struct Case {
    const char* config;
    float tolerance;
  };
  for (const Case& c : {Case{kWhisper80, 1e-4f}, Case{kAst, 2e-3f}}) {
    SCOPED_TRACE(c.config);
    AudioFeatures ours = AudioFeatureExtractor::from_json(c.config).extract(speech.data(), speech.size());
    Reference torch = reference(c.config, speech, scratch, "torch");
    EXPECT_LE(max_abs_diff(ours.values, torch.values), c.tolerance);
  }
}

// transformers.js 4.3.1 (scripts/golden/audio_features.mjs) on the same samples: measured ≤ 5e-7 from
// the numpy reference on the corpus speech (it follows the same audio_utils steps in JavaScript).
TEST(AudioFeatures, AgreeWithTransformersJs) {
  REQUIRE_CORPUS();
  ScratchDir scratch;
  std::vector<float> speech = corpus_samples("jfk.flac");
  std::string raw(reinterpret_cast<const char*>(speech.data()), speech.size() * sizeof(float));
  test::write_bytes(scratch / "samples.f32", raw);
  for (const char* config : {kWhisper80, kWav2Vec2Raw, kAst}) {
    SCOPED_TRACE(config);
    test::write_bytes(scratch / "config.json", config);
    std::string cmd = "node '" MODELEXPORT_SOURCE_DIR "/scripts/golden/audio_features.mjs' '" +
                      (scratch / "config.json").string() + "' '" + (scratch / "samples.f32").string() + "' '" +
                      (scratch / "js.f32").string() + "' > /dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::string bytes = test::read_bytes(scratch / "js.f32");
    std::vector<float> js(bytes.size() / sizeof(float));
    std::memcpy(js.data(), bytes.data(), js.size() * sizeof(float));
    AudioFeatures ours = AudioFeatureExtractor::from_json(config).extract(speech.data(), speech.size());
    EXPECT_LE(max_abs_diff(ours.values, js), 1e-6f);
  }
}

// Whisper's long-form features a window at a time (whole_windows) equal extract_whole()'s, bit for
// bit, at every seek the long-form loop can take (a window start, odd offsets, past the end), with
// and without do_normalize; the other extractors refuse.
TEST(AudioFeatures, WhisperWindowsEqualTheWholeRecordingsFeatures) {
  REQUIRE_CORPUS();
  std::vector<float> s = corpus_samples("tedlium_long_120s.flac", 16000 * 75 + 123);
  for (const char* config : {kWhisper80, kWhisperNormalized}) {
    SCOPED_TRACE(config);
    auto fe = AudioFeatureExtractor::from_json(config);
    AudioFeatures whole = fe.extract_whole(s.data(), s.size());
    const size_t frames = size_t(whole.shape.back()), bins = fe.feature_size();
    MemorySamples source(s.data(), s.size());
    WholeFeatureWindows w = fe.whole_windows(source);
    EXPECT_EQ(w.frames(), frames);
    EXPECT_EQ(w.samples(), s.size());
    for (size_t seek :
         {size_t(0), size_t(0), size_t(1), size_t(2999), size_t(3000), size_t(4711), frames - 10, frames + 5}) {
      SCOPED_TRACE(seek);
      std::vector<float> got = w.window(seek, 3000);
      ASSERT_EQ(got.size(), bins * 3000);
      size_t mismatches = 0;
      for (size_t b = 0; b < bins; ++b)
        for (size_t c = 0; c < 3000; ++c) {
          const float expected = seek + c < frames ? whole.values[b * frames + seek + c] : 0.0f;
          mismatches += got[b * 3000 + c] != expected;
        }
      EXPECT_EQ(mismatches, 0u);
    }
    EXPECT_THROW(w.window(10, 3000), UsageError);  // windows do not go back
  }
  MemorySamples source(s.data(), s.size());
  EXPECT_THROW(AudioFeatureExtractor::from_json(kWav2Vec2).whole_windows(source), UsageError);
  MemorySamples empty(s.data(), 0);
  EXPECT_THROW(AudioFeatureExtractor::from_json(kWhisper80).whole_windows(empty), UsageError);
}

TEST(AudioFeatures, DescribeTheirModelInputs) {
  auto whisper = AudioFeatureExtractor::from_json(kWhisper128);
  EXPECT_EQ(whisper.type(), "WhisperFeatureExtractor");
  EXPECT_EQ(whisper.feature_size(), 128u);
  EXPECT_EQ(whisper.chunk_samples(), 480000u);
  EXPECT_EQ(whisper.sampling_rate(), 16000);
  auto ast = AudioFeatureExtractor::from_json(kAst);
  EXPECT_EQ(ast.feature_size(), 128u);
  EXPECT_EQ(ast.chunk_samples(), 0u);
}

TEST(AudioFeatures, BadConfigs) {
  struct Case {
    const char* config;
    const char* expected;
  };
  const Case cases[] = {
      {R"({"feature_size": 80})", "feature_extractor_type: missing"},
      {R"({"feature_extractor_type": "SpeechT5FeatureExtractor"})", "'SpeechT5FeatureExtractor' is not supported"},
      {R"({"feature_extractor_type": "WhisperFeatureExtractor", "feature_size": 0})",
       "feature_size: expected a positive integer"},
      {R"({"feature_extractor_type": "WhisperFeatureExtractor", "hop_length": "160"})",
       "hop_length: expected an integer"},
      {R"({"feature_extractor_type": "WhisperFeatureExtractor", "dither": 0.5})", "dither"},
      {R"({"feature_extractor_type": "Wav2Vec2FeatureExtractor", "feature_size": 2})", "feature_size: expected 1"},
      {R"({"feature_extractor_type": "ASTFeatureExtractor", "num_mel_bins": -1})",
       "num_mel_bins: expected a positive integer"},
      {R"([1, 2])", "preprocessor_config.json"},
      {R"({"feature_extractor_type": )", "preprocessor_config.json"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.config);
    try {
      AudioFeatureExtractor::from_json(c.config);
      ADD_FAILURE() << "no error";
    } catch (const ProcessorReconstructionError& e) {
      EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("preprocessor_config.json"), std::string::npos) << e.what();
    }
  }
  auto fe = AudioFeatureExtractor::from_json(kWhisper80);
  EXPECT_THROW(fe.extract(nullptr, 0), UsageError);
}

// `modelexport preprocess` on an audio model's folder gives the numpy reference's features (the
// folder's feature_extractor_type says audio); a file that is not audio is exit code 2, named, and
// nothing is written.
TEST(PreprocessCommand, PrintsTheReferenceAudioFeatures) {
  REQUIRE_CORPUS();
  ScratchDir scratch;
  const fs::path speech = test::corpus_dir() / "media" / "audio" / "librispeech_1272-141231-0002.flac";
  std::vector<float> samples = corpus_samples("librispeech_1272-141231-0002.flac");
  for (const char* config : {kWhisper128, kWav2Vec2, kAst}) {
    SCOPED_TRACE(config);
    ScratchDir folder;
    test::write_bytes(folder / "preprocessor_config.json", config);
    test::CommandResult r = test::run_cli({"preprocess", folder.path().string(), speech.string(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    Reference ref = reference(config, samples, scratch);
    const std::string name = ref.info["name"];
    const nlohmann::json out = nlohmann::json::parse(r.out);
    EXPECT_EQ(out[name]["dtype"], "float32");
    EXPECT_EQ(out[name]["shape"].get<std::vector<int64_t>>(), ref.info["shape"].get<std::vector<int64_t>>());
    EXPECT_LE(max_abs_diff(out[name]["data"].get<std::vector<float>>(), ref.values), kTolerance);
  }
  ScratchDir folder;
  test::write_bytes(folder / "preprocessor_config.json", kWav2Vec2);
  test::write_bytes(folder / "not_audio.flac", "plain text, not audio");
  test::CommandResult bad = test::run_cli(
      {"preprocess", folder.path().string(), (folder / "not_audio.flac").string(), "--npy", (folder / "npy").string()});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("not_audio.flac"), std::string::npos) << bad.err;
  EXPECT_FALSE(fs::exists(folder / "npy"));
}

}  // namespace
}  // namespace modelexport::processors
