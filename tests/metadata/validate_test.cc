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
  embed_into(fixture_folder() / "model.onnx", fixture_folder(), dir_ / "o.onnx", "feature-extraction");
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
  embed_into(dir_ / "tt.onnx", fixture_folder(), dir_ / "tt-meta.onnx");
  EXPECT_TRUE(has_finding(check(dir_ / "tt-meta.onnx"), "error", "processor", "token_type_ids"));
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
    embed_into(dir_ / "img.onnx", clip, dir_ / "img-meta.onnx");
    auto r = check(dir_ / "img-meta.onnx");
    EXPECT_EQ(has_finding(r, "error", "processor", "image processor produces 224x224"), !ok) << size << "\n" << dump(r);
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
  EXPECT_TRUE(has_finding(check(dir_ / "x" / "model.onnx"), "error", "format", "'model.onnx_data' (tensor 'w') is missing"));
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
