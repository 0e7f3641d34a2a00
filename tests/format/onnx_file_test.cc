// The scanner agrees with ONNX's own protobuf classes on every real model available here.
#include "modelexport/format/onnx_file.h"

#include <gtest/gtest.h>

#include <map>

#include "support/onnx_builder.h"
#include "support/test_support.h"

namespace modelexport::format {
namespace {

std::vector<std::filesystem::path> real_models() {
  auto models = test::onnx_testdata_models();
  auto corpus = test::corpus_dir();
  if (!corpus.empty())
    for (const char* m : {"models/tiny-distilbert-classification/model.onnx", "models/genai-tiny-random-gpt2-fp32/past.onnx",
                          "models/genai-tiny-qwen35-fp16/decoder.onnx", "models/genai-tiny-random-lfm2-fp32/decoder.onnx"})
      models.push_back(corpus / m);
  if (!corpus.empty())
    for (const auto& e : std::filesystem::recursive_directory_iterator(corpus / "models"))
      if (e.path().extension() == ".onnx" && e.path().string().find("graph-only") != std::string::npos) models.push_back(e.path());
  return models;
}

void expect_same_values(const std::vector<ValueInfo>& ours,
                        const std::vector<const onnx::ValueInfoProto*>& theirs, const std::string& what) {
  ASSERT_EQ(ours.size(), theirs.size()) << what;
  for (size_t i = 0; i < ours.size(); ++i) {
    const auto& t = *theirs[i];
    EXPECT_EQ(ours[i].name, t.name()) << what;
    if (t.type().has_tensor_type()) {
      EXPECT_EQ(ours[i].elem_type, elem_type_name(t.type().tensor_type().elem_type())) << what << " " << t.name();
      const auto& shape = t.type().tensor_type().shape();
      ASSERT_EQ(ours[i].shape.size(), static_cast<size_t>(shape.dim_size())) << what << " " << t.name();
      for (int d = 0; d < shape.dim_size(); ++d) {
        if (shape.dim(d).has_dim_value()) EXPECT_EQ(ours[i].shape[d].value, shape.dim(d).dim_value());
        else EXPECT_EQ(ours[i].shape[d].param, shape.dim(d).dim_param());
      }
    }
  }
}

TEST(OnnxFile, AgreesWithProtobufOnEveryRealModel) {
  auto models = real_models();
  if (models.empty()) GTEST_SKIP() << "no libonnx-testdata and no corpus";
  size_t checked = 0, external_checked = 0;
  for (const auto& path : models) {
    SCOPED_TRACE(path.string());
    onnx::ModelProto ref = test::load_model(path);
    OnnxFile f(path);
    const auto& h = f.header();
    EXPECT_EQ(h.ir_version, ref.ir_version());
    EXPECT_EQ(h.producer_name, ref.producer_name());
    EXPECT_EQ(h.producer_version, ref.producer_version());
    ASSERT_EQ(h.opset_imports.size(), static_cast<size_t>(ref.opset_import_size()));
    for (int i = 0; i < ref.opset_import_size(); ++i) {
      EXPECT_EQ(h.opset_imports[i].domain, ref.opset_import(i).domain());
      EXPECT_EQ(h.opset_imports[i].version, ref.opset_import(i).version());
    }
    ASSERT_EQ(h.metadata_props.size(), static_cast<size_t>(ref.metadata_props_size()));
    const auto& g = f.graph();
    EXPECT_EQ(g.name, ref.graph().name());
    EXPECT_EQ(g.node_count, static_cast<uint64_t>(ref.graph().node_size()));
    std::set<std::string> inits;
    for (const auto& t : ref.graph().initializer()) inits.insert(t.name());
    std::vector<const onnx::ValueInfoProto*> ins, outs;
    for (const auto& v : ref.graph().input())
      if (!inits.count(v.name())) ins.push_back(&v);
    for (const auto& v : ref.graph().output()) outs.push_back(&v);
    expect_same_values(g.inputs, ins, "inputs");
    expect_same_values(g.outputs, outs, "outputs");
    std::set<std::string> external;
    for (const auto& t : ref.graph().initializer())
      if (t.data_location() == onnx::TensorProto_DataLocation_EXTERNAL)
        for (const auto& e : t.external_data())
          if (e.key() == "location") external.insert(e.value());
    for (const auto& loc : external)
      EXPECT_NE(std::find(g.external_data_files.begin(), g.external_data_files.end(), loc), g.external_data_files.end()) << loc;
    // Every external initializer's location, offset and length, as protobuf reads them.
    std::map<std::string, const ExternalTensor*> ours;
    for (const auto& t : g.external_tensors) ours[t.tensor] = &t;
    for (const auto& t : ref.graph().initializer()) {
      if (t.data_location() != onnx::TensorProto_DataLocation_EXTERNAL) continue;
      ASSERT_TRUE(ours.count(t.name())) << t.name();
      const ExternalTensor& e = *ours[t.name()];
      for (const auto& kv : t.external_data()) {
        if (kv.key() == "location") EXPECT_EQ(e.location, kv.value());
        if (kv.key() == "offset") EXPECT_EQ(std::to_string(e.offset), kv.value());
        if (kv.key() == "length") EXPECT_EQ(e.length ? std::to_string(*e.length) : "", kv.value());
      }
      // The size dims and type need equals the length the exporter wrote (real q4/q8/fp16 exports).
      if (e.length && e.data_bytes) EXPECT_EQ(*e.data_bytes, *e.length) << t.name() << " type " << t.data_type();
      ++external_checked;
    }
    ++checked;
  }
  EXPECT_GT(checked, 1000u) << "expected the 1000+ libonnx-testdata models";
  if (!test::corpus_dir().empty()) EXPECT_GT(external_checked, 100u);
}

TEST(OnnxFile, FindsExternalDataAndMissingFiles) {
  test::ScratchDir dir;
  test::write_external_data_model(dir / "model.onnx", "model.onnx_data");
  OnnxFile f(dir / "model.onnx");
  EXPECT_EQ(f.graph().external_data_files, std::vector<std::string>{"model.onnx_data"});
  EXPECT_TRUE(f.missing_external_data().empty());
  std::filesystem::remove(dir / "model.onnx_data");
  EXPECT_EQ(f.missing_external_data(), std::vector<std::string>{"model.onnx_data"});
}

TEST(OnnxFile, ScansAModelOver2GB) {
  test::ScratchDir dir;
  uint64_t size = test::write_large_sparse_model(dir / "big.onnx", (2ull << 30) + (64 << 20));
  OnnxFile f(dir / "big.onnx");
  EXPECT_EQ(f.size(), size);
  EXPECT_GT(f.header().graph.size, 2ull << 30);
  EXPECT_EQ(f.graph().inputs.size(), 1u);
  EXPECT_EQ(f.graph().inputs[0].name, "x");
  EXPECT_EQ(f.graph().initializer_count, 1u);
}

}  // namespace
}  // namespace modelexport::format
