// Audio pipelines (CTC speech recognition, audio classification) on generated random-weight models
// (fixture audio_models) against transformers.js 4.3.1 given the same decoded samples
// (scripts/golden/audio_pipelines.mjs), and the AutoProcessor's audio checks.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "modelexport/common/error.h"
#include "modelexport/processors/audio.h"
#include "modelexport/runtime/pipeline.h"
#include "support/test_support.h"

namespace modelexport::runtime {
namespace {

namespace fs = std::filesystem;

fs::path models() {
  const char* dir = std::getenv("AUDIO_MODELS");
  return dir ? fs::path(dir) : fs::path();
}

#define REQUIRE_AUDIO_MODELS()                                                                            \
  do {                                                                                                    \
    if (models().empty() || !fs::exists(models() / "ctc.onnx")) GTEST_SKIP() << "AUDIO_MODELS not built"; \
  } while (0)

nlohmann::json transformers_js(const std::string& task, const std::string& model, const std::vector<float>& samples,
                               const test::ScratchDir& scratch, const std::string& options = "") {
  std::string raw(reinterpret_cast<const char*>(samples.data()), samples.size() * sizeof(float));
  test::write_bytes(scratch / "samples.f32", raw);
  std::string cmd = "node '" MODELEXPORT_SOURCE_DIR "/scripts/golden/audio_pipelines.mjs' " + task + " '" +
                    (models() / "tjs" / model).string() + "' '" + (scratch / "samples.f32").string() + "' " +
                    (options.empty() ? "" : "'" + options + "' ") + "> '" + (scratch / "js.json").string() + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return nlohmann::json::parse(test::read_bytes(scratch / "js.json"));
}

// Python transformers v4.57 Wav2Vec2CTCTokenizer.decode(ids, skip_special_tokens=True), written out:
// special tokens other than the pad are skipped, then itertools.groupby collapses repeats (the pad
// still separates them), the pad is removed, "|" becomes " ", and the text is stripped. With
// drop_pad_first, transformers.js 4.3.1's rule: skip_special_tokens removes the pad first, so two
// equal letters separated by a blank collapse into one.
std::string ctc_rule(const std::vector<int>& ids, bool drop_pad_first) {
  static const char* vocab[] = {"<pad>", "<s>", "</s>", "<unk>", "|", "E", "T", "A", "O", "N", "I",
                                "H",     "S",   "R",    "D",     "L", "U", "M", "W", "C", "F", "G",
                                "Y",     "P",   "B",    "V",     "K", "'", "X", "J", "Q", "Z"};
  std::vector<int> kept;
  for (int id : ids)
    if (id >= 4 || (id == 0 && !drop_pad_first)) kept.push_back(id);
  std::string text;
  for (size_t i = 0; i < kept.size(); ++i) {
    if (i > 0 && kept[i] == kept[i - 1]) continue;
    if (kept[i] == 0) continue;
    text += kept[i] == 4 ? std::string(" ") : std::string(vocab[kept[i]]);
  }
  size_t b = text.find_first_not_of(' '), e = text.find_last_not_of(' ');
  text = b == std::string::npos ? "" : text.substr(b, e - b + 1);
  // Then Python's clean_up_tokenization (tokenization_utils_base.py), which the fixture's
  // tokenizer_config leaves on: these replacements, in this order.
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{{" .", "."},
                                                                                 {" ?", "?"},
                                                                                 {" !", "!"},
                                                                                 {" ,", ","},
                                                                                 {" ' ", "'"},
                                                                                 {" n't", "n't"},
                                                                                 {" 'm", "'m"},
                                                                                 {" 's", "'s"},
                                                                                 {" 've", "'ve"},
                                                                                 {" 're", "'re"}})
    for (size_t at; (at = text.find(from)) != std::string::npos;) text.replace(at, from.size(), to);
  return text;
}

const char* const kRecordings[] = {"jfk.flac", "librispeech_1272-141231-0002.mp3", "common_voice_en_59751.mp3"};

TEST(AudioPipelines, CtcSpeechRecognitionMatchesTransformersJs) {
  REQUIRE_AUDIO_MODELS();
  REQUIRE_CORPUS();
  test::ScratchDir scratch;
  auto pipe = pipeline(models() / "ctc.onnx");
  EXPECT_EQ(pipe->task(), "automatic-speech-recognition");
  for (const char* name : kRecordings) {
    SCOPED_TRACE(name);
    fs::path file = test::corpus_dir() / "media" / "audio" / name;
    auto ours = nlohmann::json::parse(pipe->run({{.audio = file.string()}})[0]);
    auto samples = processors::decode_audio_file(file, 16000).samples;
    auto js = transformers_js("automatic-speech-recognition", "ctc", samples, scratch);
    std::vector<int> ids = js["ids"].get<std::vector<int>>();
    EXPECT_EQ(ours["text"], ctc_rule(ids, false));      // Python's rule, on transformers.js' argmax ids
    EXPECT_EQ(js["out"]["text"], ctc_rule(ids, true));  // transformers.js' own rule on the same ids
    EXPECT_FALSE(ours["text"].get<std::string>().empty());
    // Samples given directly (at another rate) go through the same resampling as a file.
    auto same = nlohmann::json::parse(pipe->run({{.samples = samples, .sampling_rate = 16000}})[0]);
    EXPECT_EQ(same, ours);
  }
}

// The CTC pipeline's text goes through clean_up_tokenization: an apostrophe the word delimiter put
// between spaces joins its words, as Python's Wav2Vec2CTCTokenizer gives them ("JOHN ' S" → "JOHN'S";
// the rules are case-sensitive, so " 'S" stays).
TEST(AudioPipelines, CtcCleanUpTokenization) {
  REQUIRE_AUDIO_MODELS();
  auto pipe = pipeline(models() / "ctc.onnx");
  EXPECT_EQ(pipe->processor().clean_up_tokenization("JOHN ' S DOG 'S BONE ."), "JOHN'S DOG 'S BONE.");
  EXPECT_EQ(ctc_rule({29, 8, 11, 9, 4, 27, 4, 12}, false), "JOHN'S");
}

TEST(AudioPipelines, AudioClassificationMatchesTransformersJs) {
  REQUIRE_AUDIO_MODELS();
  REQUIRE_CORPUS();
  test::ScratchDir scratch;
  for (const char* model : {"ast", "wav2vec2-cls"}) {
    auto pipe = pipeline(models() / (std::string(model) + ".onnx"));
    EXPECT_EQ(pipe->task(), "audio-classification");
    for (size_t top_k : {0, 2}) {
      for (const char* name : kRecordings) {
        SCOPED_TRACE(std::string(model) + " " + name + " top_k " + std::to_string(top_k));
        fs::path file = test::corpus_dir() / "media" / "audio" / name;
        PipelineOptions o;
        if (top_k) o.top_k = top_k;
        auto ours = nlohmann::json::parse(pipe->run({{.audio = file.string()}}, o)[0]);
        auto js = transformers_js("audio-classification", model, processors::decode_audio_file(file, 16000).samples,
                                  scratch, top_k ? "{\"top_k\": " + std::to_string(top_k) + "}" : "");
        js = js["out"];
        ASSERT_EQ(ours.size(), js.size());
        EXPECT_EQ(ours.size(), top_k ? top_k : std::min<size_t>(5, model == std::string("ast") ? 6 : 4));
        for (size_t i = 0; i < ours.size(); ++i) {
          EXPECT_EQ(ours[i]["label"], js[i]["label"]);
          EXPECT_NEAR(ours[i]["score"].get<double>(), js[i]["score"].get<double>(), 1e-5);
        }
      }
    }
  }
}

TEST(AudioPipelines, BadInput) {
  REQUIRE_AUDIO_MODELS();
  test::ScratchDir scratch;
  auto pipe = pipeline(models() / "ctc.onnx");
  test::write_bytes(scratch / "text.wav", "not audio");
  EXPECT_THROW(pipe->run({{.audio = (scratch / "text.wav").string()}}), AudioDecodeError);
  EXPECT_THROW(pipe->run({{.text = "hello"}}), UsageError);
  EXPECT_THROW(pipe->run({{.samples = {0.1f, 0.2f}}}), UsageError);  // no sampling rate
  // Text tasks on an audio model are refused by the processor kind.
  EXPECT_THROW(pipeline(models() / "ast.onnx", "automatic-speech-recognition"), ProcessorReconstructionError);
}

// AutoProcessor for audio models: the feature extractor must fit the model's input.
TEST(AudioProcessor, RefusesWhatDoesNotFit) {
  auto files = [](const std::string& config) {
    metadata::ModelFiles f;
    f.source = "test files";
    if (!config.empty()) f.files["preprocessor_config.json"] = config;
    return f;
  };
  const std::string whisper80 = R"({"feature_extractor_type": "WhisperFeatureExtractor", "feature_size": 80})";
  const std::string wav2vec2 = R"({"feature_extractor_type": "Wav2Vec2FeatureExtractor"})";
  const TensorDesc features128{"input_features", "float32", {-1, 128, 3000}, {"batch", "", ""}};
  const TensorDesc features80{"input_features", "float32", {-1, 80, 3000}, {"batch", "", ""}};
  const TensorDesc values{"input_values", "float32", {-1, -1}, {"batch", "samples"}};
  struct Case {
    std::string config;
    TensorDesc input;
    const char* expected;
  };
  const Case cases[] = {
      {whisper80, features128, "takes 128 mel bins but preprocessor_config.json gives 80"},
      {wav2vec2, features80, "does not fit the Wav2Vec2FeatureExtractor"},
      {whisper80, values, "does not fit the WhisperFeatureExtractor"},
      {"", values, "has no preprocessor_config.json"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.expected);
    try {
      AutoProcessor::from_files(files(c.config), {c.input});
      ADD_FAILURE() << "no error";
    } catch (const ProcessorReconstructionError& e) {
      EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos) << e.what();
    }
  }
  AutoProcessor ok = AutoProcessor::from_files(files(whisper80), {features80});
  EXPECT_EQ(ok.modality(), Modality::kAudio);
  std::vector<float> second(16000, 0.25f);
  auto inputs = ok.audio_inputs(ok.audio_features(second.data(), second.size()));
  ASSERT_EQ(inputs.count("input_features"), 1u);
  EXPECT_EQ(inputs["input_features"].shape, (std::vector<int64_t>{1, 80, 3000}));
}

TEST(AudioPipelines, CliRunsAudioModels) {
  REQUIRE_AUDIO_MODELS();
  REQUIRE_CORPUS();
  fs::path eight_k = test::corpus_dir() / "media" / "audio" / "librispeech_1272-128104-0004-8k.wav";
  auto r =
      test::run_cli({"run", (models() / "wav2vec2-cls.onnx").string(), eight_k.string(), "--top-k", "3", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).size(), 3u);
  EXPECT_NE(r.err.find("resampled from 8000 Hz to 16000 Hz"), std::string::npos) << r.err;
  auto bad = test::run_cli({"run", (models() / "ctc.onnx").string(), "/nonexistent.wav"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("/nonexistent.wav"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace modelexport::runtime
