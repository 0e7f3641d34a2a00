// AutoProcessor without a session: model inputs are described by hand (TensorDesc), files come from
// the committed fixture folder.
#include "modelexport/runtime/auto_processor.h"

#include <gtest/gtest.h>

#include "modelexport/common/error.h"
#include "modelexport/processors/image.h"
#include "support/test_support.h"

namespace modelexport::runtime {
namespace {

TensorDesc int_input(const std::string& name, std::vector<int64_t> shape = {-1, -1}) {
  return {name, "int64", shape, std::vector<std::string>(shape.size())};
}

metadata::ModelFiles fixture_files() { return metadata::ModelFiles::from_folder(test::fixtures_dir() / "tiny-text-classifier"); }

TEST(AutoProcessor, MapsExporterSpellingsOfTextInputs) {
  auto p = AutoProcessor::from_files(fixture_files(), {int_input("input_word_ids"), int_input("input_mask"), int_input("segment_ids")});
  std::vector<std::pair<std::string, std::string>> expected = {
      {"input_word_ids", "input_ids"}, {"input_mask", "attention_mask"}, {"segment_ids", "token_type_ids"}};
  EXPECT_EQ(p.input_mapping(), expected);
  auto enc = p.encode({"i love this movie", "a"});
  auto inputs = p.to_inputs({&enc[0], &enc[1]});
  ASSERT_EQ(inputs.size(), 3u);
  EXPECT_EQ(inputs["input_word_ids"].shape, (std::vector<int64_t>{2, 6}));
  // Row 2 ("a": [CLS] a [SEP]) is padded on the right with [PAD] (id 0) and mask 0.
  EXPECT_EQ(std::vector<int64_t>(inputs["input_mask"].i64.begin() + 6, inputs["input_mask"].i64.end()),
            (std::vector<int64_t>{1, 1, 1, 0, 0, 0}));
  EXPECT_EQ(inputs["input_word_ids"].i64[9], 0);
}

TEST(AutoProcessor, ReportsInputsItCannotFillByName) {
  try {
    AutoProcessor::from_files(fixture_files(), {int_input("input_ids"), int_input("past_key_values.0.key", {-1, 4, -1, 8})});
    FAIL() << "no error";
  } catch (const ProcessorReconstructionError& e) {
    EXPECT_NE(std::string(e.what()).find("past_key_values.0.key (int64 [?, 4, ?, 8])"), std::string::npos) << e.what();
  }
}

// Image and audio models both need preprocessor_config.json (the text fixture has none): the error says so.
TEST(AutoProcessor, ImageAndAudioModelsNeedAPreprocessorConfig) {
  for (const TensorDesc& in : {TensorDesc{"pixel_values", "float32", {-1, 3, 224, 224}, {"", "", "", ""}},
                               TensorDesc{"input_features", "float32", {-1, 80, 3000}, {"", "", ""}}}) {
    SCOPED_TRACE(in.name);
    try {
      AutoProcessor::from_files(fixture_files(), {in});
      ADD_FAILURE() << "no error";
    } catch (const ProcessorReconstructionError& e) {
      EXPECT_NE(std::string(e.what()).find("preprocessor_config.json"), std::string::npos) << e.what();
    }
  }
}

TEST(AutoProcessor, SaysWhatIsMissingWithoutATokenizer) {
  metadata::ModelFiles files;
  files.source = "folder /nowhere";
  try {
    AutoProcessor::from_files(files, {int_input("input_ids")});
    FAIL() << "no error";
  } catch (const ProcessorReconstructionError& e) {
    EXPECT_NE(std::string(e.what()).find("folder /nowhere has no tokenizer"), std::string::npos) << e.what();
  }
}

TEST(AutoProcessor, PadsAndTruncatesToAStaticSequenceLength) {
  auto p = AutoProcessor::from_files(fixture_files(), {int_input("input_ids", {1, 8}), int_input("attention_mask", {1, 8})});
  EXPECT_EQ(p.fixed_length(), 8u);
  EXPECT_EQ(p.fixed_batch(), 1u);
  auto enc = p.encode({"i love this movie this film was terrible what a wonderful day"});
  EXPECT_EQ(enc[0].ids.size(), 8u);  // truncated to the static length, [SEP] kept
  enc = p.encode({"a"});
  auto inputs = p.to_inputs({&enc[0]});
  EXPECT_EQ(inputs["input_ids"].shape, (std::vector<int64_t>{1, 8}));
}

TEST(AutoProcessor, FallsBackToTheFolderBesideTheModel) {
  // The fixture's model.onnx carries no metadata; its folder holds tokenizer.json and config.json.
  auto files = metadata::ModelFiles::from_model(test::fixtures_dir() / "tiny-text-classifier" / "model.onnx");
  EXPECT_FALSE(files.embedded);
  EXPECT_TRUE(files.has("tokenizer.json"));
  EXPECT_NE(files.source.find("tiny-text-classifier"), std::string::npos);
}

// A model whose only input is a rank-4 float tensor under another name (briaai/RMBG-1.4's export:
// `input`) takes pixel_values under that name, as transformers.js 4.3.1 maps it; anything else
// without pixel_values stays an error naming the input.
TEST(AutoProcessor, MapsTheOnlyImageShapedInputToPixelValues) {
  REQUIRE_CORPUS();
  const auto files = [] { return metadata::ModelFiles::from_folder(test::corpus_dir() / "models" / "RMBG-1.4"); };
  auto p = AutoProcessor::from_files(files(), {{"input", "float32", {-1, 3, 1024, 1024}, {"batch", "", "", ""}}});
  EXPECT_EQ(p.modality(), Modality::kImage);
  EXPECT_EQ(p.pixel_values_input(), "input");
  EXPECT_EQ(p.input_mapping(), (std::vector<std::pair<std::string, std::string>>{{"input", "pixel_values"}}));
  processors::Image image;
  image.width = 3, image.height = 2, image.pixels.assign(18, 128);
  const auto inputs = p.image_inputs(std::vector<processors::Image>{image});
  ASSERT_EQ(inputs.size(), 1u);
  EXPECT_EQ(inputs.begin()->first, "input");
  EXPECT_EQ(inputs.begin()->second.shape, (std::vector<int64_t>{1, 3, 1024, 1024}));
  // Named pixel_values, the name stays.
  EXPECT_EQ(AutoProcessor::from_files(files(), {{"pixel_values", "float32", {-1, 3, -1, -1}, {"", "", "", ""}}})
                .pixel_values_input(),
            "pixel_values");
  struct Bad {
    std::vector<TensorDesc> inputs;
    std::string named;
  };
  const Bad bad[] = {
      {{{"input", "float32", {-1, 3, 1024}, {"", "", ""}}}, "input (float32 [?, 3, 1024])"},  // not rank 4
      {{{"input", "int64", {-1, 3, 8, 8}, {"", "", "", ""}}}, "input (int64 [?, 3, 8, 8])"},  // not float
      {{{"input", "float32", {-1, 3, 8, 8}, {"", "", "", ""}}, {"scale", "float32", {1}, {""}}},
       "input (float32 [?, 3, 8, 8]), scale (float32 [1])"},  // not the only input
  };
  for (const Bad& b : bad) {
    SCOPED_TRACE(b.named);
    try {
      AutoProcessor::from_files(files(), b.inputs);
      ADD_FAILURE() << "no error";
    } catch (const ProcessorReconstructionError& e) {
      EXPECT_NE(std::string(e.what()).find(b.named), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace modelexport::runtime
