// ONNX Runtime opens the models we read and write, sees the same inputs/outputs as our scanner,
// and reads our metadata_props back through its own parser.
#include "modelexport/runtime/session_info.h"
#include "modelexport/runtime/auto_model.h"
#include "modelexport/runtime/logging.h"

#include <gtest/gtest.h>

#include "modelexport/common/error.h"
#include "modelexport/format/onnx_file.h"
#include "modelexport/metadata/embed.h"
#include "modelexport/metadata/reader.h"
#include "support/onnx_builder.h"
#include "support/test_support.h"

namespace modelexport::runtime {
namespace {

namespace fs = std::filesystem;

void expect_same_io(const fs::path& model) {
  SessionIo io = describe_session(model);
  format::OnnxFile f(model);
  ASSERT_EQ(io.inputs.size(), f.graph().inputs.size());
  for (size_t i = 0; i < io.inputs.size(); ++i) {
    EXPECT_EQ(io.inputs[i].name, f.graph().inputs[i].name);
    EXPECT_EQ(io.inputs[i].elem_type, f.graph().inputs[i].elem_type);
  }
  ASSERT_EQ(io.outputs.size(), f.graph().outputs.size());
  for (size_t i = 0; i < io.outputs.size(); ++i) EXPECT_EQ(io.outputs[i].name, f.graph().outputs[i].name);
}

TEST(Runtime, OpensASessionOnTheFixture) {
  std::cout << "ONNX Runtime " << onnxruntime_version() << "\n";
  expect_same_io(test::fixtures_dir() / "tiny-text-classifier" / "model.onnx");
}

// Parity with transformers.js means the same kernels: the library we load must be the one its
// onnxruntime-node ships (scripts/setup.sh links against that very file), not another ORT build.
TEST(Runtime, LoadsTheLibraryTransformersJsRunsOn) {
  auto pkg = fs::path(MODELEXPORT_SOURCE_DIR) / "node_modules" / "onnxruntime-node" / "package.json";
  if (!fs::exists(pkg) || std::getenv("ONNXRUNTIME_ROOT")) GTEST_SKIP() << "own ONNX Runtime build or no onnxruntime-node";
  std::string text = test::read_bytes(pkg);
  auto at = text.find("\"version\"");
  ASSERT_NE(at, std::string::npos);
  auto open = text.find('"', text.find(':', at)) + 1;
  std::string node_version = text.substr(open, text.find('"', open) - open);
  EXPECT_EQ(onnxruntime_version(), node_version);
}

TEST(Runtime, OpensTheCorpusOptimumExport) {
  REQUIRE_CORPUS();
  expect_same_io(test::corpus_dir() / "models" / "tiny-distilbert-classification" / "model.onnx");
  expect_same_io(test::corpus_dir() / "models" / "genai-tiny-random-gpt2-fp32" / "past.onnx");
}

TEST(Runtime, ReadsTheMetadataWeEmbed) {
  test::ScratchDir dir;
  metadata::EmbedOptions o;
  o.output = dir / "m.onnx";
  o.show_progress = false;
  o.compression.threshold_bytes = 1024;  // include a compressed value
  metadata::embed_metadata(test::fixtures_dir() / "tiny-text-classifier" / "model.onnx",
                           (test::fixtures_dir() / "tiny-text-classifier").string(), o);
  SessionIo io = describe_session(dir / "m.onnx");
  format::OnnxFile f(dir / "m.onnx");
  std::map<std::string, std::string> ours, theirs(io.custom_metadata.begin(), io.custom_metadata.end());
  for (const auto& p : f.header().metadata_props) ours[std::string(p.key)] = std::string(p.value);
  EXPECT_EQ(theirs, ours);
  EXPECT_TRUE(theirs.count("hf_tokenizer_json:compressed"));
}

TEST(Runtime, LoadsAnEmbeddedModelWithExternalDataInAnotherFolder) {
  test::ScratchDir dir;
  fs::create_directories(dir / "a");
  fs::create_directories(dir / "b");
  test::write_external_data_model(dir / "a" / "model.onnx", "model.onnx_data");
  metadata::EmbedOptions o;
  o.output = dir / "b" / "model.onnx";
  o.show_progress = false;
  metadata::embed_metadata(dir / "a" / "model.onnx", (test::fixtures_dir() / "tiny-text-classifier").string(), o);
  expect_same_io(dir / "b" / "model.onnx");
}

// The external data the format layer calls broken (format/bad_input_test's table) is what ONNX
// Runtime 1.30 refuses to load, and what it loads we accept.
TEST(Runtime, RefusesExactlyTheExternalDataWeCallBroken) {
  test::ScratchDir dir;
  fs::create_directories(dir / "sub");
  const std::string full(16, '\0');  // w: 4 float32
  struct Case {
    std::string name;
    std::vector<std::pair<std::string, std::string>> entries;
    std::string data;  // written where "location" points (none when "location" is "gone.bin")
  };
  const std::vector<Case> cases = {
      {"complete", {{"location", "d.bin"}, {"offset", "0"}, {"length", "16"}}, full},
      {"length from dims", {{"location", "d.bin"}}, full},
      {"at an offset", {{"location", "d.bin"}, {"offset", "4"}, {"length", "16"}}, full + "yyyy"},
      {"truncated", {{"location", "d.bin"}, {"offset", "0"}, {"length", "16"}}, full.substr(0, 10)},
      {"truncated, no length", {{"location", "d.bin"}}, full.substr(0, 15)},
      {"offset past the end", {{"location", "d.bin"}, {"offset", "8"}, {"length", "16"}}, full},
      {"empty file", {{"location", "d.bin"}, {"length", "16"}}, ""},
      {"missing", {{"location", "gone.bin"}, {"length", "16"}}, ""},
      {"length against dims", {{"location", "d.bin"}, {"length", "12"}}, full},
      {"parent folder", {{"location", "../d.bin"}, {"length", "16"}}, full},  // the file exists there
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::string location = c.entries.front().second;
    test::write_external_data_model(dir / "sub" / "m.onnx", c.entries, location == "gone.bin" ? "" : location, c.data);
    bool broken = !format::OnnxFile(dir / "sub" / "m.onnx").external_data_problems().empty();
    std::string ort_error;
    try {
      describe_session(dir / "sub" / "m.onnx");
    } catch (const RuntimeError& e) { ort_error = e.what(); }
    EXPECT_EQ(broken, !ort_error.empty()) << ort_error;
  }
}

TEST(Runtime, SessionFailureIsARuntimeError) {
  test::ScratchDir dir;
  test::write_external_data_model(dir / "model.onnx", "model.onnx_data");
  fs::remove(dir / "model.onnx_data");
  EXPECT_THROW(describe_session(dir / "model.onnx"), RuntimeError);
}

TEST(Runtime, AnExecutionProviderThisBuildLacksIsNamed) {
  SessionOptions o;
  o.execution_providers = {"NoSuchExecutionProvider"};
  try {
    AutoModel::from_model(test::fixtures_dir() / "tiny-text-classifier" / "model.onnx", o);
    FAIL() << "no error";
  } catch (const RuntimeError& e) {
    // The list is the library's own (onnxruntime-node 1.30 also lists CUDA/TensorRT/WebGPU, which it
    // was compiled with); CPU is in every build.
    const std::string what = e.what();
    EXPECT_NE(what.find("'NoSuchExecutionProvider' is not in this ONNX Runtime build; available: "), std::string::npos) << what;
    EXPECT_NE(what.find("CPUExecutionProvider"), std::string::npos) << what;
  }
  o.execution_providers = {"CPUExecutionProvider"};
  o.intra_op_threads = 1;
  test::ScratchDir dir;
  o.optimized_model_path = (dir / "optimized.onnx").string();
  EXPECT_NO_THROW(AutoModel::from_model(test::fixtures_dir() / "tiny-text-classifier" / "model.onnx", o));
  EXPECT_TRUE(fs::exists(dir / "optimized.onnx"));
}

}  // namespace
}  // namespace modelexport::runtime

namespace modelexport::runtime {
namespace {

// Real exports from the corpus (Optimum, onnxruntime-genai), each given a real model folder's
// metadata: graph bytes unchanged, ORT still opens the file and reads the metadata back.
TEST(Runtime, EmbeddingIntoRealExportersOutput) {
  REQUIRE_CORPUS();
  auto c = test::corpus_dir() / "models";
  const std::pair<const char*, const char*> cases[] = {
      {"tiny-distilbert-classification/model.onnx", "distilbert-base-uncased"},  // Optimum
      {"genai-tiny-random-gpt2-fp32/past.onnx", "gpt2"},                          // onnxruntime-genai
      {"genai-tiny-qwen35-fp16/decoder.onnx", "SmolLM-360M-Instruct"},
      {"genai-tiny-random-lfm2-fp32/decoder.onnx", "SmolLM-360M-Instruct"},
  };
  for (const auto& [model, folder] : cases) {
    SCOPED_TRACE(model);
    test::ScratchDir dir;
    metadata::EmbedOptions o;
    o.output = dir / "out.onnx";
    o.show_progress = false;
    metadata::embed_metadata(c / model, (c / folder).string(), o);
    format::OnnxFile in(c / model), out(dir / "out.onnx");
    EXPECT_EQ(out.bytes().substr(out.header().graph.offset, out.header().graph.size),
              in.bytes().substr(in.header().graph.offset, in.header().graph.size));
    expect_same_io(dir / "out.onnx");
    SessionIo io = describe_session(dir / "out.onnx");
    size_t ours = 0;
    for (const auto& [k, v] : io.custom_metadata) ours += k.rfind("hf_", 0) == 0;
    EXPECT_GE(ours, 8u);
  }
}

}  // namespace
}  // namespace modelexport::runtime

namespace modelexport::runtime {
namespace {

// ORT's own log goes to our sink (never to stderr by itself): here its warning that the test
// model's initializer is unused, as plain text.
TEST(Runtime, OnnxRuntimeLogGoesToTheSink) {
  test::ScratchDir dir;
  test::save_model(test::make_model({{"x", onnx::TensorProto::FLOAT, {"2"}}}), dir / "m.onnx");
  std::vector<LogRecord> records;
  set_log_sink([&](const LogRecord& r) { records.push_back(r); });
  AutoModel::from_model(dir / "m.onnx", {});
  set_log_sink({});
  bool found = false;
  for (const auto& r : records) {
    EXPECT_EQ(r.source, "onnxruntime");
    EXPECT_EQ(r.message.find('\x1b'), std::string::npos) << r.message;
    if (r.message.find("unused_weight") != std::string::npos) {
      found = true;
      EXPECT_EQ(r.severity, LogSeverity::kWarning);
      EXPECT_FALSE(r.location.empty());
    }
  }
  EXPECT_TRUE(found) << records.size() << " records";
  // Dropped once the sink is cleared.
  records.clear();
  AutoModel::from_model(dir / "m.onnx", {});
  EXPECT_TRUE(records.empty());
}

}  // namespace
}  // namespace modelexport::runtime
