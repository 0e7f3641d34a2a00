// unpack / export write the folders Optimum and transformers.js load, atomically.
#include "modelexport/metadata/layout.h"

#include <gtest/gtest.h>

#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "modelexport/format/metadata_writer.h"
#include "modelexport/metadata/embed.h"
#include "modelexport/metadata/model_card.h"
#include "support/onnx_builder.h"
#include "support/test_support.h"

namespace modelexport::metadata {
namespace {

namespace fs = std::filesystem;

fs::path fixture_folder() { return test::fixtures_dir() / "tiny-text-classifier"; }

fs::path embedded(const test::ScratchDir& dir, const fs::path& source) {
  EmbedOptions o;
  o.output = dir / "self-contained.onnx";
  o.show_progress = false;
  embed_metadata(fixture_folder() / "model.onnx", source.string(), o);
  return o.output;
}

TEST(Unpack, ReproducesEveryCorpusFolderByteForByte) {
  REQUIRE_CORPUS();
  size_t checked = 0;
  for (const auto& e : fs::directory_iterator(test::corpus_dir() / "models")) {
    if (!fs::exists(e.path() / "config.json")) continue;
    if (e.path().filename() == "whisper-tiny.en") continue;  // truncated tokenizer.json: refused (embed_test)
    SCOPED_TRACE(e.path().string());
    test::ScratchDir dir;
    auto model = embedded(dir, e.path());
    for (auto layout : {Layout::kOptimum, Layout::kTransformersJs}) {
      auto out = dir / std::string(layout_name(layout));
      LayoutReport r = unpack_model(model, out, layout);
      std::string onnx_path = layout == Layout::kOptimum ? "model.onnx" : "onnx/model.onnx";
      EXPECT_EQ(test::read_bytes(out / onnx_path), test::read_bytes(model));
      format::OnnxFile self(model);
      for (const auto& f : test::list_files(out)) {
        if (f == onnx_path || f == "export_metadata.json") continue;
        // The model card is ours (model_card_test), not the source's README.md, which is not embedded.
        if (f == "README.md" && layout == Layout::kTransformersJs) {
          EXPECT_TRUE(has_model_card_marker(test::read_bytes(out / f)));
          continue;
        }
        EXPECT_EQ(test::read_bytes(out / f), test::read_bytes(e.path() / f)) << f;
        ++checked;
      }
      Json prov = parse_json_object(test::read_bytes(out / "export_metadata.json"), "export_metadata.json");
      EXPECT_EQ(prov["layout"], std::string(layout_name(layout)));
      EXPECT_EQ(prov["onnx"]["inputs"][0]["name"], "input_ids");
      EXPECT_EQ(prov["files"].size() + 1, r.files.size());
    }
  }
  EXPECT_GT(checked, 100u);
}

TEST(Unpack, RefusesAnExistingTarget) {
  test::ScratchDir dir;
  auto model = embedded(dir, fixture_folder());
  fs::create_directories(dir / "out");
  test::write_bytes(dir / "out" / "keep.txt", "mine");
  EXPECT_THROW(unpack_model(model, dir / "out", Layout::kOptimum), UsageError);
  EXPECT_EQ(test::list_files(dir / "out"), std::vector<std::string>{"keep.txt"});
}

TEST(Unpack, RefusesManifestNamesOutsideTheTarget) {
  test::ScratchDir dir;
  auto model = embedded(dir, fixture_folder());
  std::string sha_of_x = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881";
  std::string evil = R"({"schema":"2.0","files":[{"name":"../x","key":"hf_file:x","size":1,"sha256":")" + sha_of_x + "\"}]}";
  {
    format::OnnxFile in(model);
    format::write_with_metadata(in, dir / "evil.onnx", {{"hf_manifest", evil}, {"hf_file:x", "x"}},
                                [](std::string_view k) { return k == "hf_manifest"; }, false);
  }
  try {
    unpack_model(dir / "evil.onnx", dir / "out", Layout::kOptimum);
    FAIL();
  } catch (const MetadataValidationError& e) {
    EXPECT_NE(std::string(e.what()).find("../x"), std::string::npos);
  }
  EXPECT_FALSE(fs::exists(dir / "out"));
  // out/../x is the scratch folder's x (a check on /tmp/x would fail whenever anything else made one).
  EXPECT_FALSE(fs::exists(dir / "x"));
  for (const auto& f : test::list_files(dir.path())) EXPECT_EQ(f.find(".tmp."), std::string::npos) << f;
}

TEST(Unpack, ModelsWithoutMetadataAreRefused) {
  test::ScratchDir dir;
  EXPECT_THROW(unpack_model(fixture_folder() / "model.onnx", dir / "out", Layout::kOptimum), MetadataReadError);
  EXPECT_FALSE(fs::exists(dir / "out"));
}

// dir/model.onnx + dir/model.onnx_data, with the fixture's files embedded.
void embed_external_data_model(const fs::path& dir) {
  fs::create_directories(dir);
  test::write_external_data_model(dir / "model.onnx", "model.onnx_data");
  EmbedOptions o;
  o.show_progress = false;
  embed_metadata(dir / "model.onnx", fixture_folder().string(), o);
}

TEST(Unpack, ExternalDataTravelsWithTheModel) {
  test::ScratchDir dir;
  embed_external_data_model(dir / "m");
  unpack_model(dir / "m" / "model.onnx", dir / "js", Layout::kTransformersJs);
  EXPECT_EQ(test::read_bytes(dir / "js" / "onnx" / "model.onnx_data"), test::read_bytes(dir / "m" / "model.onnx_data"));
}

TEST(Unpack, RefusesTruncatedExternalData) {
  test::ScratchDir dir;
  embed_external_data_model(dir / "m");
  fs::resize_file(dir / "m" / "model.onnx_data", 10);
  for (auto layout : {Layout::kOptimum, Layout::kTransformersJs}) {
    try {
      unpack_model(dir / "m" / "model.onnx", dir / "out", layout);
      FAIL() << "unpacked a model whose external data is truncated";
    } catch (const FormatError& e) {
      EXPECT_NE(std::string(e.what()).find("'model.onnx_data' has 10 bytes"), std::string::npos) << e.what();
    }
    try {
      export_model(fixture_folder().string(), dir / "m" / "model.onnx", dir / "out", layout);
      FAIL() << "exported a model whose external data is truncated";
    } catch (const FormatError& e) {
      EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(dir / "out"));
  }
  EXPECT_EQ(test::list_files(dir.path()), (std::vector<std::string>{"m/model.onnx", "m/model.onnx_data"}));
}

TEST(Export, CopiesTheFolderBesideTheModel) {
  test::ScratchDir dir;
  LayoutReport r = export_model(fixture_folder().string(), fixture_folder() / "model.onnx", dir / "out", Layout::kTransformersJs);
  EXPECT_EQ(test::list_files(dir / "out"),
            (std::vector<std::string>{"README.md", "config.json", "export_metadata.json", "onnx/model.onnx",
                                      "tokenizer.json", "tokenizer_config.json"}));
  // The model card: the task detected from config.json, the folder's name in the snippets.
  const std::string card = test::read_bytes(dir / "out" / "README.md");
  EXPECT_NE(card.find("pipeline_tag: text-classification\n"), std::string::npos) << card;
  EXPECT_NE(card.find("pipeline(\"text-classification\", \"tiny-text-classifier\""), std::string::npos) << card;
  for (const char* f : {"config.json", "tokenizer.json", "tokenizer_config.json"})
    EXPECT_EQ(test::read_bytes(dir / "out" / f), test::read_bytes(fixture_folder() / f));
  Json prov = parse_json_object(test::read_bytes(dir / "out" / "export_metadata.json"), "export_metadata.json");
  EXPECT_EQ(prov["source"]["kind"], "folder");
  // Published folders carry no local path (issue 9, item 13): the folder's and the model's names only.
  EXPECT_EQ(prov["source"]["name"], "tiny-text-classifier");
  EXPECT_EQ(prov["onnx"]["source"], "model.onnx");
  EXPECT_EQ(test::read_bytes(dir / "out" / "export_metadata.json").find(fixture_folder().parent_path().string()),
            std::string::npos);
  EXPECT_EQ(prov["onnx"]["opsets"][0]["version"], 13);
  EXPECT_EQ(prov["onnx"]["outputs"][0]["name"], "logits");
  for (const auto& f : prov["files"])
    EXPECT_EQ(f["sha256"].get<std::string>(), test::file_sha256(dir / "out" / f["name"].get<std::string>()));
}

}  // namespace
}  // namespace modelexport::metadata
