// Embedding every real model folder of the corpus, and reading it back byte for byte.
#include "modelexport/metadata/embed.h"

#include <gtest/gtest.h>

#include "modelexport/common/error.h"
#include "modelexport/format/onnx_file.h"
#include "modelexport/metadata/reader.h"
#include "support/onnx_builder.h"
#include "support/test_support.h"

namespace modelexport::metadata {
namespace {

namespace fs = std::filesystem;

fs::path fixture_model() { return test::fixtures_dir() / "tiny-text-classifier" / "model.onnx"; }
fs::path fixture_folder() { return test::fixtures_dir() / "tiny-text-classifier"; }

EmbedReport embed(const fs::path& model, const fs::path& source, const fs::path& out, Level level = Level::kFull,
                  CompressionOptions c = {}) {
  EmbedOptions o;
  o.level = level;
  o.output = out;
  o.compression = c;
  o.show_progress = false;
  return embed_metadata(model, source.string(), o);
}

std::vector<fs::path> corpus_model_folders() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(test::corpus_dir() / "models"))
    if (fs::exists(e.path() / "config.json")) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Embed, EveryCorpusFolderRoundTripsByteForByte) {
  REQUIRE_CORPUS();
  test::ScratchDir dir;
  size_t folders = 0, files = 0;
  for (const auto& folder : corpus_model_folders()) {
    SCOPED_TRACE(folder.string());
    auto out = dir / (folder.filename().string() + ".onnx");
    if (folder.filename() == "whisper-tiny.en") {
      // The corpus's negative sample: its tokenizer.json is truncated. Refused, by name and position.
      try {
        embed(fixture_model(), folder, out);
        ADD_FAILURE() << "a truncated tokenizer.json was embedded";
      } catch (const MetadataReadError& e) {
        EXPECT_NE(std::string(e.what()).find("whisper-tiny.en/tokenizer.json at line"), std::string::npos) << e.what();
      }
      EXPECT_FALSE(fs::exists(out));
      continue;
    }
    EmbedReport r = embed(fixture_model(), folder, out);
    format::OnnxFile model(out);
    ModelMetadata m = read_metadata(model);
    ASSERT_TRUE(m.has_schema());
    EXPECT_EQ(*m.get(keys::kVersion), "2.0");
    EXPECT_EQ(*m.get(keys::kPipelineTask), r.task.task);
    for (const auto& f : m.manifest()) {
      EXPECT_EQ(*m.get(f.key), test::read_bytes(folder / f.name)) << f.name;
      ++files;
    }
    // The graph is untouched.
    format::OnnxFile in(fixture_model());
    EXPECT_EQ(model.bytes().substr(model.header().graph.offset, model.header().graph.size),
              in.bytes().substr(in.header().graph.offset, in.header().graph.size));
    ++folders;
  }
  EXPECT_GE(folders, 15u);
  EXPECT_GE(files, 60u);
}

TEST(Embed, LevelsControlWhatIsEmbedded) {
  test::ScratchDir dir;
  auto has = [](const fs::path& p, std::string_view key) {
    format::OnnxFile f(p);
    return read_metadata(f).get(key).has_value();
  };
  embed(fixture_model(), fixture_folder(), dir / "min.onnx", Level::kMinimal);
  embed(fixture_model(), fixture_folder(), dir / "ess.onnx", Level::kEssential);
  embed(fixture_model(), fixture_folder(), dir / "full.onnx", Level::kFull);
  EXPECT_TRUE(has(dir / "min.onnx", keys::kModelConfig));
  EXPECT_FALSE(has(dir / "min.onnx", keys::kTokenizerConfig));
  EXPECT_TRUE(has(dir / "ess.onnx", keys::kTokenizerConfig));
  EXPECT_FALSE(has(dir / "ess.onnx", keys::kTokenizerJson));
  EXPECT_TRUE(has(dir / "full.onnx", keys::kTokenizerJson));
  format::OnnxFile min(dir / "min.onnx");
  std::string reduced = *read_metadata(min).get(keys::kModelConfig);
  EXPECT_NE(reduced.find("NEGATIVE"), std::string::npos);  // labels survive the reduction
  EXPECT_EQ(reduced.find("dim\""), std::string::npos);      // non-essential keys do not
}

TEST(Embed, CompressionFollowsTheThreshold) {
  test::ScratchDir dir;
  auto compressed_keys = [](const EmbedReport& r) {
    std::vector<std::string> k;
    for (const auto& e : r.entries)
      if (e.compressed) k.push_back(e.key);
    return k;
  };
  auto def = embed(fixture_model(), fixture_folder(), dir / "a.onnx");  // tokenizer.json ~5 KB < 10 KB
  EXPECT_TRUE(compressed_keys(def).empty());
  CompressionOptions low;
  low.threshold_bytes = 1024;
  auto small = embed(fixture_model(), fixture_folder(), dir / "b.onnx", Level::kFull, low);
  EXPECT_EQ(compressed_keys(small), std::vector<std::string>{"hf_tokenizer_json:compressed"});
  EXPECT_LT(small.stored_bytes, def.stored_bytes);
  format::OnnxFile b(dir / "b.onnx");
  EXPECT_EQ(*read_metadata(b).get(keys::kTokenizerJson), test::read_bytes(fixture_folder() / "tokenizer.json"));
  CompressionOptions off;
  off.compress = false;
  off.threshold_bytes = 0;
  EXPECT_TRUE(compressed_keys(embed(fixture_model(), fixture_folder(), dir / "c.onnx", Level::kFull, off)).empty());
}

TEST(Embed, BinaryFilesAreAlwaysCompressed) {
  REQUIRE_CORPUS();
  test::ScratchDir dir;
  auto folder = test::corpus_dir() / "models" / "t5-small-translation_en_to_fr";  // spiece.model
  CompressionOptions off;
  off.compress = false;
  auto r = embed(fixture_model(), folder, dir / "t5.onnx", Level::kFull, off);
  bool found = false;
  for (const auto& e : r.entries)
    if (e.key == "hf_file:spiece.model:compressed") found = true;
  EXPECT_TRUE(found);
  format::OnnxFile f(dir / "t5.onnx");
  EXPECT_EQ(*read_metadata(f).get("hf_file:spiece.model"), test::read_bytes(folder / "spiece.model"));
}

TEST(Embed, ReembeddingReplacesOurKeysAndKeepsForeignOnes) {
  test::ScratchDir dir;
  onnx::ModelProto m = test::load_model(fixture_model());
  auto* p = m.add_metadata_props();
  p->set_key("producer_note");
  p->set_value("keep me");
  test::save_model(m, dir / "in.onnx");
  embed(dir / "in.onnx", fixture_folder(), dir / "once.onnx");
  auto r = embed(dir / "once.onnx", fixture_folder(), dir / "twice.onnx");
  EXPECT_EQ(r.preserved_keys, std::vector<std::string>{"producer_note"});
  EXPECT_FALSE(r.replaced_keys.empty());
  onnx::ModelProto once = test::load_model(dir / "once.onnx"), twice = test::load_model(dir / "twice.onnx");
  EXPECT_EQ(once.metadata_props_size(), twice.metadata_props_size());
  EXPECT_EQ(twice.metadata_props(0).key(), "producer_note");
  EXPECT_EQ(twice.metadata_props(0).value(), "keep me");
  std::set<std::string> keys;
  for (const auto& kv : twice.metadata_props()) EXPECT_TRUE(keys.insert(kv.key()).second) << "duplicate " << kv.key();
}

TEST(Embed, InPlaceWhenNoOutputIsGiven) {
  test::ScratchDir dir;
  fs::copy_file(fixture_model(), dir / "m.onnx");
  EmbedOptions o;
  o.show_progress = false;
  embed_metadata(dir / "m.onnx", fixture_folder().string(), o);
  format::OnnxFile f(dir / "m.onnx");
  EXPECT_TRUE(read_metadata(f).has_schema());
  EXPECT_EQ(test::list_files(dir.path()), std::vector<std::string>{"m.onnx"});
}

TEST(Embed, ExternalDataIsUntouchedAndFollowsTheOutput) {
  test::ScratchDir dir;
  fs::create_directories(dir / "in");
  fs::create_directories(dir / "out");
  test::write_external_data_model(dir / "in" / "model.onnx", "model.onnx_data");
  std::string data_hash = test::file_sha256(dir / "in" / "model.onnx_data");
  // Same folder: the data file is shared, not copied or changed.
  embed(dir / "in" / "model.onnx", fixture_folder(), dir / "in" / "model.meta.onnx");
  EXPECT_EQ(test::list_files(dir / "in"), (std::vector<std::string>{"model.meta.onnx", "model.onnx", "model.onnx_data"}));
  // Another folder: copied beside the output.
  auto r = embed(dir / "in" / "model.onnx", fixture_folder(), dir / "out" / "model.onnx");
  EXPECT_EQ(r.copied_external_data, std::vector<std::string>{"model.onnx_data"});
  EXPECT_EQ(test::file_sha256(dir / "out" / "model.onnx_data"), data_hash);
  EXPECT_EQ(test::file_sha256(dir / "in" / "model.onnx_data"), data_hash);
}

TEST(Embed, TaskOverrideIsRecordedAndValidated) {
  test::ScratchDir dir;
  EmbedOptions o;
  o.output = dir / "o.onnx";
  o.task = "sentiment-analysis";
  o.show_progress = false;
  auto r = embed_metadata(fixture_model(), fixture_folder().string(), o);
  EXPECT_EQ(r.task.task, "text-classification");
  EXPECT_EQ(r.task.method, "override");
  o.task = "not-a-task";
  EXPECT_THROW(embed_metadata(fixture_model(), fixture_folder().string(), o), UsageError);
}

}  // namespace
}  // namespace modelexport::metadata
