// The streaming writer's output, re-read by ONNX's protobuf classes: same graph bytes, foreign
// metadata kept, our entries replaced.
#include "modelexport/format/metadata_writer.h"

#include <gtest/gtest.h>

#include "modelexport/common/error.h"
#include "support/onnx_builder.h"
#include "support/test_support.h"

namespace modelexport::format {
namespace {

std::vector<std::pair<std::string, std::string>> props_of(const onnx::ModelProto& m) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& p : m.metadata_props()) out.emplace_back(p.key(), p.value());
  return out;
}

TEST(MetadataWriter, KeepsGraphBytesOnEveryTestdataModel) {
  auto models = test::onnx_testdata_models();
  if (models.empty()) GTEST_SKIP() << "libonnx-testdata not installed";
  test::ScratchDir dir;
  std::string big_value(70000, 'v');
  big_value += std::string("\xC3\xA9\xE2\x82\xAC", 5);  // UTF-8 survives
  for (size_t i = 0; i < models.size(); ++i) {
    SCOPED_TRACE(models[i].string());
    OnnxFile in(models[i]);
    auto out = dir / "out.onnx";
    write_with_metadata(in, out, {{"hf_pipeline_task", "text-classification"}, {"big", big_value}}, nullptr, false);
    onnx::ModelProto before = test::load_model(models[i]), after = test::load_model(out);
    EXPECT_EQ(after.graph().SerializeAsString(), before.graph().SerializeAsString());
    auto props = props_of(after);
    ASSERT_GE(props.size(), 2u);
    EXPECT_EQ(props[props.size() - 2], std::make_pair(std::string("hf_pipeline_task"), std::string("text-classification")));
    EXPECT_EQ(props.back().second, big_value);
    // The graph field is byte-identical in the file too.
    OnnxFile reread(out);
    EXPECT_EQ(reread.bytes().substr(reread.header().graph.offset, reread.header().graph.size),
              in.bytes().substr(in.header().graph.offset, in.header().graph.size));
  }
}

TEST(MetadataWriter, ReplacesOnlyDroppedKeysAndPreservesForeignOnes) {
  test::ScratchDir dir;
  onnx::ModelProto m = test::make_model({{"x", onnx::TensorProto_DataType_FLOAT, {"1"}}});
  for (auto [k, v] : {std::pair{"author", "someone"}, {"hf_pipeline_task", "old"}, {"onnx.quantized", "1"}}) {
    auto* p = m.add_metadata_props();
    p->set_key(k);
    p->set_value(v);
  }
  test::save_model(m, dir / "in.onnx");
  OnnxFile in(dir / "in.onnx");
  auto drop = [](std::string_view k) { return k == "hf_pipeline_task"; };
  write_with_metadata(in, dir / "once.onnx", {{"hf_pipeline_task", "new"}}, drop, false);
  OnnxFile once(dir / "once.onnx");
  write_with_metadata(once, dir / "twice.onnx", {{"hf_pipeline_task", "newer"}}, drop, false);
  auto props = props_of(test::load_model(dir / "twice.onnx"));
  std::vector<std::pair<std::string, std::string>> expected = {
      {"author", "someone"}, {"onnx.quantized", "1"}, {"hf_pipeline_task", "newer"}};
  EXPECT_EQ(props, expected);
}

TEST(MetadataWriter, RewritesInPlaceAtomically) {
  test::ScratchDir dir;
  test::save_model(test::make_model({{"x", onnx::TensorProto_DataType_FLOAT, {"1"}}}), dir / "m.onnx");
  OnnxFile in(dir / "m.onnx");
  write_with_metadata(in, dir / "m.onnx", {{"k", "v"}}, nullptr, false);
  EXPECT_EQ(props_of(test::load_model(dir / "m.onnx")).size(), 1u);
  EXPECT_EQ(test::list_files(dir.path()), std::vector<std::string>{"m.onnx"});
}

TEST(MetadataWriter, CopiesAModelOver2GB) {
  test::ScratchDir dir;
  uint64_t size = test::write_large_sparse_model(dir / "big.onnx", (2ull << 30) + (1 << 20));
  OnnxFile in(dir / "big.onnx");
  write_with_metadata(in, dir / "big-meta.onnx", {{"hf_pipeline_task", "feature-extraction"}}, nullptr, false);
  OnnxFile out(dir / "big-meta.onnx");
  EXPECT_EQ(out.size(), size + serialize_metadata_entries({{"hf_pipeline_task", "feature-extraction"}}).size());
  ASSERT_TRUE(out.metadata("hf_pipeline_task"));
  EXPECT_EQ(*out.metadata("hf_pipeline_task"), "feature-extraction");
  EXPECT_EQ(out.graph().inputs.at(0).name, "x");
}

}  // namespace
}  // namespace modelexport::format
