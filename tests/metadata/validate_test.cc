// validate_model finds what is wrong, lists every finding, and accepts what is right.
#include "modelexport/metadata/validate.h"

#include <gtest/gtest.h>

#include "modelexport/common/codec.h"
#include "modelexport/format/metadata_writer.h"
#include "modelexport/metadata/embed.h"
#include "support/onnx_builder.h"
#include "support/test_support.h"

namespace modelexport::metadata {
namespace {

namespace fs = std::filesystem;

fs::path fixture_folder() { return test::fixtures_dir() / "tiny-text-classifier"; }

void embed_into(const fs::path& model, const fs::path& source, const fs::path& out, const std::string& task = "",
                Level level = Level::kFull) {
  EmbedOptions o;
  o.output = out;
  o.task = task;
  o.level = level;
  o.show_progress = false;
  embed_metadata(model, source.string(), o);
}

// Rewrites one stored metadata value (tampering, as a user or a broken tool might).
void set_value(const fs::path& model, const std::string& key, const std::string& value, const std::string& drop = "") {
  fs::path tmp = model.string() + ".tmp.onnx";
  {
    format::OnnxFile in(model);
    std::string drop_key = drop.empty() ? key : drop;
    format::write_with_metadata(in, tmp, {{key, value}}, [&](std::string_view k) { return k == drop_key; }, false);
  }
  fs::rename(tmp, model);
}

ValidationReport check(const fs::path& p) {
  format::OnnxFile f(p);
  return validate_model(f, {});
}

bool has_finding(const ValidationReport& r, const std::string& severity, const std::string& check, const std::string& text) {
  for (const auto& f : r.findings)
    if (f.severity == severity && f.check == check && f.message.find(text) != std::string::npos) return true;
  return false;
}

std::string dump(const ValidationReport& r) {
  std::string s;
  for (const auto& f : r.findings) s += f.severity + " [" + f.check + "] " + f.message + "\n";
  return s;
}

class Validate : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = dir_ / "m.onnx";
    embed_into(fixture_folder() / "model.onnx", fixture_folder(), model_);
  }
  test::ScratchDir dir_;
  fs::path model_;
};

TEST_F(Validate, FreshEmbeddingIsValid) {
  auto r = check(model_);
  EXPECT_TRUE(r.valid()) << dump(r);
  EXPECT_TRUE(r.findings.empty()) << dump(r);
}

TEST_F(Validate, NoMetadataIsInvalid) {
  auto r = check(fixture_folder() / "model.onnx");
  EXPECT_FALSE(r.valid());
  EXPECT_TRUE(has_finding(r, "error", "schema", "embed-metadata")) << dump(r);
}

TEST_F(Validate, TamperedFileFailsItsManifestHash) {
  set_value(model_, "hf_tokenizer_config", "{\"model_max_length\": 7}");
  auto r = check(model_);
  EXPECT_FALSE(r.valid());
  EXPECT_TRUE(has_finding(r, "error", "manifest", "tokenizer_config.json: size")) << dump(r);
}

TEST_F(Validate, BadCompressedValuesAreReportedByKey) {
  set_value(model_, "hf_tokenizer_json:compressed", "@@not base64@@", "hf_tokenizer_json");
  auto r = check(model_);
  EXPECT_TRUE(has_finding(r, "error", "compression", "hf_tokenizer_json:compressed")) << dump(r);
  EXPECT_TRUE(has_finding(r, "error", "compression", "base64")) << dump(r);
  set_value(model_, "hf_tokenizer_json:compressed", base64_encode("plainly not gzip data here"));
  EXPECT_TRUE(has_finding(check(model_), "error", "compression", "gzip"));
}

TEST_F(Validate, WrongTaskIsInconsistentUnlessOverridden) {
  set_value(model_, "hf_pipeline_task", "automatic-speech-recognition");
  auto r = check(model_);
  EXPECT_TRUE(has_finding(r, "error", "task", "inconsistent")) << dump(r);
  set_value(model_, "hf_pipeline_task", "make-coffee");
  EXPECT_TRUE(has_finding(check(model_), "error", "task", "unknown task"));
  embed_into(fixture_folder() / "model.onnx", fixture_folder(), dir_ / "o.onnx", "image-classification");
  auto o = check(dir_ / "o.onnx");
  EXPECT_TRUE(o.valid()) << dump(o);
  EXPECT_TRUE(has_finding(o, "warning", "task", "--task")) << dump(o);
}

TEST_F(Validate, MissingRequiredKeysAndBadJsonAreListed) {
  set_value(model_, "hf_pipeline_config", "{not json", "hf_pipeline_config");
  set_value(model_, "unused", "x", "feature_engineering");
  auto r = check(model_);
  EXPECT_TRUE(has_finding(r, "error", "schema", "feature_engineering")) << dump(r);
  EXPECT_TRUE(has_finding(r, "error", "schema", "hf_pipeline_config")) << dump(r);
  EXPECT_GE(r.findings.size(), 2u);
}

// The fixture is a [batch, 2] classifier: a task whose pipeline reads other outputs is an error, by
// the rule `run` applies (task_outputs.h; run's side: pipeline_behaviour_test RunAndValidate).
TEST_F(Validate, TaskMustFitTheGraphOutputs) {
  const std::pair<const char*, const char*> cases[] = {
      {"text-classification", ""},
      {"sentiment-analysis", ""},
      {"zero-shot-classification", ""},
      {"fill-mask",
       "the fill-mask pipeline needs 'logits' as [batch, sequence, vocabulary]; this model's is [batch, 2]"},
      {"token-classification", "needs 'logits' as [batch, sequence, labels]"},
      {"feature-extraction", "needs 'logits' as [batch, sequence, hidden]"},
      {"question-answering", "needs an output 'start_logits' [batch, sequence]; this model has logits [batch, 2]"},
      {"translation",
       "needs 'logits' as [batch, sequence, vocabulary] (decoder) or [batch, sequence, hidden] (encoder)"},
      {"summarization", "the summarization pipeline needs 'logits'"},
      {"text-generation", "needs 'logits' as [batch, sequence, vocabulary]"},
  };
  for (const auto& [task, expected] : cases) {
    embed_into(fixture_folder() / "model.onnx", fixture_folder(), dir_ / "t.onnx", task);
    auto r = check(dir_ / "t.onnx");
    bool mismatch = has_finding(r, "error", "task", "not made for this task");
    EXPECT_EQ(mismatch, *expected != '\0') << task << "\n" << dump(r);
    if (*expected) { EXPECT_TRUE(has_finding(r, "error", "task", expected)) << task << "\n" << dump(r); }
  }
}

TEST_F(Validate, TokenizerMustFitTheVocabulary) {
  test::ScratchDir src;
  for (const char* f : {"tokenizer.json", "tokenizer_config.json"}) fs::copy_file(fixture_folder() / f, src / f);
  test::write_bytes(src / "config.json", R"({"architectures":["DistilBertForSequenceClassification"],"vocab_size":50,
    "id2label":{"0":"NEGATIVE","1":"POSITIVE"}})");
  embed_into(fixture_folder() / "model.onnx", src.path(), dir_ / "v.onnx");
  EXPECT_TRUE(has_finding(check(dir_ / "v.onnx"), "error", "processor", "vocab_size is 50"));
}

TEST_F(Validate, TokenTypeIdsMustBeProducedByTheTokenizer) {
  onnx::ModelProto m = test::make_model({{"input_ids", onnx::TensorProto_DataType_INT64, {"batch", "seq"}},
                                         {"token_type_ids", onnx::TensorProto_DataType_INT64, {"batch", "seq"}}});
  test::save_model(m, dir_ / "tt.onnx");
  for (auto level : {Level::kFull, Level::kEssential, Level::kMinimal}) {  // minimal: from feature_engineering
    embed_into(dir_ / "tt.onnx", fixture_folder(), dir_ / "tt-meta.onnx", "", level);
    EXPECT_TRUE(has_finding(check(dir_ / "tt-meta.onnx"), "error", "processor", "token_type_ids")) << level_name(level);
  }
}

// Each level embeds what it promises, and a file is valid at its level: validate says which it found.
TEST_F(Validate, EveryLevelGivesAValidFile) {
  for (auto level : {Level::kFull, Level::kEssential, Level::kMinimal}) {
    embed_into(fixture_folder() / "model.onnx", fixture_folder(), dir_ / "l.onnx", "", level);
    auto r = check(dir_ / "l.onnx");
    EXPECT_TRUE(r.valid()) << level_name(level) << "\n" << dump(r);
    EXPECT_EQ(r.level, level_name(level));
  }
  EXPECT_TRUE(
      has_finding(check(dir_ / "l.onnx"), "warning", "processor", "the minimal level embeds no processor files"));
  EXPECT_EQ(check(fixture_folder() / "model.onnx").level, "");  // no metadata, no level
  set_value(model_, "export_config", R"({"tool":"modelexport","level":"tiny"})");
  auto r = check(model_);
  EXPECT_EQ(r.level, "full");
  EXPECT_TRUE(has_finding(r, "warning", "schema", "export_config.level is \"tiny\"")) << dump(r);
}

TEST_F(Validate, MissingVocabularyIsAWarningAtTheEssentialLevel) {
  embed_into(fixture_folder() / "model.onnx", fixture_folder(), dir_ / "e.onnx", "", Level::kEssential);
  auto r = check(dir_ / "e.onnx");
  EXPECT_TRUE(r.valid()) << dump(r);
  EXPECT_TRUE(has_finding(r, "warning", "processor", "--level full")) << dump(r);
}

TEST_F(Validate, ImageSizeAndChannelsMustMatchPixelValues) {
  REQUIRE_CORPUS();
  auto clip = test::corpus_dir() / "models" / "clip-vit-large-patch14";  // crops to 224
  for (auto [size, ok] : {std::pair{"224", true}, {"384", false}}) {
    onnx::ModelProto m = test::make_model({{"pixel_values", onnx::TensorProto_DataType_FLOAT, {"batch", "3", size, size}},
                                           {"input_ids", onnx::TensorProto_DataType_INT64, {"batch", "seq"}}});
    test::save_model(m, dir_ / "img.onnx");
    for (auto level : {Level::kFull, Level::kMinimal}) {  // minimal: the size from feature_engineering
      embed_into(dir_ / "img.onnx", clip, dir_ / "img-meta.onnx", "", level);
      auto r = check(dir_ / "img-meta.onnx");
      EXPECT_EQ(has_finding(r, "error", "processor", "image processor produces 224x224"), !ok) << size << "\n"
                                                                                               << dump(r);
    }
  }
}

// Qwen2-VL-style processors flatten patches: pixel_values [num_patches, channels * temporal_patch_size
// * patch_size^2]. The real transformers.js export (routangseng, Qwen3.5-VL: 3 * 2 * 16^2 = 1536) is
// accepted; a graph expecting other patches is not.
TEST_F(Validate, FlattenedPatchInputsOfVisionLanguageModels) {
  REQUIRE_CORPUS();
  auto vlm = test::corpus_dir() / "models" / "routangseng-vlm-graph-only";
  fs::copy_file(vlm / "onnx" / "vision_encoder_quantized.onnx", dir_ / "vision_encoder.onnx");
  embed_into(dir_ / "vision_encoder.onnx", vlm, dir_ / "real.onnx");
  auto real = check(dir_ / "real.onnx");
  EXPECT_FALSE(has_finding(real, "error", "processor", "")) << dump(real);
  EXPECT_TRUE(has_finding(real, "error", "format", "is missing beside the model")) << dump(real);  // graph only
  const std::pair<const char*, const char*> cases[] = {
      {"1536", ""},
      {"num_features", ""},
      {"1176",
       "pixel_values has 1176 features per patch but the image processor produces 1536 (3 channels x "
       "temporal_patch_size 2 x patch_size 16^2)"},
  };
  for (const auto& [features, expected] : cases) {
    onnx::ModelProto m =
        test::make_model({{"pixel_values", onnx::TensorProto_DataType_FLOAT, {"num_patches", features}},
                          {"image_grid_thw", onnx::TensorProto_DataType_INT64, {"num_images", "3"}}});
    test::save_model(m, dir_ / "p.onnx");
    embed_into(dir_ / "p.onnx", vlm, dir_ / "p-meta.onnx");
    auto r = check(dir_ / "p-meta.onnx");
    EXPECT_EQ(r.valid(), *expected == '\0') << features << "\n" << dump(r);
    if (*expected) { EXPECT_TRUE(has_finding(r, "error", "processor", expected)) << dump(r); }
  }
}

TEST_F(Validate, MelBinsMustMatchInputFeatures) {
  REQUIRE_CORPUS();
  auto whisper = test::corpus_dir() / "models" / "whisper-tiny.en";  // 80 mel bins
  for (auto [bins, ok] : {std::pair{"80", true}, {"128", false}}) {
    onnx::ModelProto m = test::make_model({{"input_features", onnx::TensorProto_DataType_FLOAT, {"batch", bins, "3000"}}});
    test::save_model(m, dir_ / "a.onnx");
    embed_into(dir_ / "a.onnx", whisper, dir_ / "a-meta.onnx", "", Level::kEssential);  // its tokenizer.json is truncated
    auto r = check(dir_ / "a-meta.onnx");
    EXPECT_EQ(has_finding(r, "error", "processor", "mel bins"), !ok) << bins << "\n" << dump(r);
    if (ok) {
      EXPECT_TRUE(r.valid()) << dump(r);
    }
  }
}

TEST_F(Validate, ExternalDataMustBeCompleteBesideTheModel) {
  fs::create_directories(dir_ / "x");
  test::write_external_data_model(dir_ / "x" / "model.onnx", "model.onnx_data");
  EmbedOptions o;
  o.show_progress = false;
  embed_metadata(dir_ / "x" / "model.onnx", fixture_folder().string(), o);
  auto whole = check(dir_ / "x" / "model.onnx");
  EXPECT_FALSE(has_finding(whole, "error", "format", "external data")) << dump(whole);
  fs::resize_file(dir_ / "x" / "model.onnx_data", 10);  // a download cut short
  EXPECT_TRUE(has_finding(check(dir_ / "x" / "model.onnx"), "error", "format", "'model.onnx_data' has 10 bytes"));
  fs::remove(dir_ / "x" / "model.onnx_data");
  EXPECT_TRUE(
      has_finding(check(dir_ / "x" / "model.onnx"), "error", "format", "'model.onnx_data' (tensor 'w') is missing"));
}

TEST_F(Validate, ModelWithoutAnyProcessorForItsInputs) {
  test::ScratchDir src;
  test::write_bytes(src / "config.json", R"({"architectures":["ViTForImageClassification"],"model_type":"vit"})");
  onnx::ModelProto m = test::make_model({{"pixel_values", onnx::TensorProto_DataType_FLOAT, {"batch", "3", "224", "224"}}});
  test::save_model(m, dir_ / "vit.onnx");
  embed_into(dir_ / "vit.onnx", src.path(), dir_ / "vit-meta.onnx");
  EXPECT_TRUE(has_finding(check(dir_ / "vit-meta.onnx"), "error", "processor", "no image processor"));
}

}  // namespace
}  // namespace modelexport::metadata
