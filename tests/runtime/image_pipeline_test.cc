// Image pipelines (image-classification, image-feature-extraction, zero-shot-image-classification) on
// generated random-weight models (fixture image_models, scripts/fixtures/make_image_models.py):
// the shared image-input machinery (batching, threads, --input lines), and bad input.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "modelexport/common/error.h"
#include "modelexport/runtime/pipeline.h"
#include "support/test_support.h"

namespace modelexport::runtime {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path models() {
  const char* dir = std::getenv("IMAGE_MODELS");
  return dir ? fs::path(dir) : fs::path();
}

#define REQUIRE_IMAGE_MODELS()                                                                                \
  do {                                                                                                        \
    REQUIRE_CORPUS();                                                                                         \
    if (models().empty() || !fs::exists(models() / "vit-cls.onnx")) GTEST_SKIP() << "IMAGE_MODELS not built"; \
  } while (0)

fs::path image(const std::string& name) { return test::corpus_dir() / "media" / "images" / name; }

const char* const kPhotos[] = {"cat_224x224.jpg", "tiger.jpg", "teapot.jpg", "pineapple.jpg", "bus.jpg"};

std::vector<PipelineInput> photo_inputs() {
  std::vector<PipelineInput> in;
  for (const char* p : kPhotos) in.push_back({.image = image(p).string()});
  return in;
}

// Results do not depend on the batch size or the number of decoding threads.
TEST(ImagePipeline, ResultsDoNotDependOnBatchingOrThreads) {
  REQUIRE_IMAGE_MODELS();
  for (const char* model : {"vit-cls", "convnext-cls"}) {
    SCOPED_TRACE(model);
    auto pipe = pipeline(models() / (std::string(model) + ".onnx"));
    PipelineOptions one;
    one.batch_size = 1;
    one.image_threads = 1;
    auto expected = pipe->run(photo_inputs(), one);
    for (auto [batch, threads] : {std::pair<size_t, size_t>{2, 3}, {32, 2}}) {
      PipelineOptions o;
      o.batch_size = batch;
      o.image_threads = threads;
      auto got = pipe->run(photo_inputs(), o);
      ASSERT_EQ(got.size(), expected.size());
      for (size_t i = 0; i < got.size(); ++i) {
        json a = json::parse(got[i]), b = json::parse(expected[i]);
        ASSERT_EQ(a.size(), b.size());
        for (size_t k = 0; k < a.size(); ++k) {
          EXPECT_EQ(a[k]["label"], b[k]["label"]) << kPhotos[i];
          // ONNX Runtime's convolution sums in a batch-dependent order: float32 rounding apart.
          EXPECT_NEAR(a[k]["score"].get<double>(), b[k]["score"].get<double>(), 1e-5) << kPhotos[i];
        }
      }
    }
  }
}

// An already decoded image gives what its file gives.
TEST(ImagePipeline, DecodedImageEqualsItsFile) {
  REQUIRE_IMAGE_MODELS();
  auto pipe = pipeline(models() / "vit-cls.onnx");
  auto from_file = pipe->run({{.image = image("teapot.jpg").string()}});
  auto from_pixels = pipe->run({{.decoded_image = processors::load_image(image("teapot.jpg"))}});
  EXPECT_EQ(from_file, from_pixels);
}

TEST(ImagePipeline, BadInput) {
  REQUIRE_IMAGE_MODELS();
  test::ScratchDir scratch;
  auto pipe = pipeline(models() / "vit-cls.onnx");
  test::write_bytes(scratch / "text.jpg", "not an image");
  // The failing input is named, whichever thread decoded it.
  std::vector<PipelineInput> in = photo_inputs();
  in.insert(in.begin() + 2, {.image = (scratch / "text.jpg").string()});
  try {
    pipe->run(in);
    ADD_FAILURE() << "no error";
  } catch (const ImageDecodeError& e) {
    EXPECT_NE(std::string(e.what()).find("text.jpg"), std::string::npos) << e.what();
  }
  EXPECT_THROW(pipe->run({{.text = "hello"}}), UsageError);  // no image
  PipelineOptions tiny;
  tiny.max_image_pixels = 1000;  // the decompression-bomb limit, lowered
  EXPECT_THROW(pipe->run({{.image = image("teapot.jpg").string()}}, tiny), ImageDecodeError);
  PipelineOptions zero;
  zero.top_k = 0;
  EXPECT_THROW(pipe->run(photo_inputs(), zero), UsageError);
  PipelineOptions fn;
  fn.function_to_apply = "relu";
  EXPECT_THROW(pipe->run(photo_inputs(), fn), UsageError);
  // A text task on an image model, an image task on a model without its outputs.
  EXPECT_THROW(pipeline(models() / "vit-cls.onnx", "text-classification"), UnsuitableModelError);
  EXPECT_THROW(pipeline(models() / "vit-features.onnx", "image-classification"), UnsuitableModelError);
}

TEST(ImagePipeline, CliRunsImageModels) {
  REQUIRE_IMAGE_MODELS();
  test::ScratchDir scratch;
  const std::string model = (models() / "vit-cls.onnx").string();
  auto r = test::run_cli({"run", model, image("tiger.jpg").string(), image("teapot.jpg").string(), "--top-k", "3",
                          "--json", "--threads", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = json::parse("[" + r.out.substr(0, r.out.find('\n')) + "]");
  EXPECT_EQ(lines[0].size(), 3u);
  // --input lines {"image": PATH} give the same results as arguments.
  test::write_bytes(scratch / "in.jsonl", json({{"image", image("tiger.jpg").string()}}).dump() + "\n" +
                                              json({{"image", image("teapot.jpg").string()}}).dump() + "\n");
  auto from_lines = test::run_cli({"run", model, "--input", (scratch / "in.jsonl").string(), "--top-k", "3", "--json"});
  ASSERT_EQ(from_lines.exit_code, 0) << from_lines.err;
  EXPECT_EQ(from_lines.out, r.out);
  struct Case {
    std::vector<std::string> args;
    const char* expected;
  };
  test::write_bytes(scratch / "text.jsonl", "{\"text\": \"hello\"}\n");
  test::write_bytes(scratch / "truncated.jpg", test::read_bytes(image("tiger.jpg")).substr(0, 5000));
  const Case cases[] = {
      {{"run", model, "/nonexistent.jpg"}, "/nonexistent.jpg"},
      {{"run", model, (scratch / "truncated.jpg").string()}, "truncated.jpg"},
      {{"run", model, "--input", (scratch / "text.jsonl").string()}, "takes {\"image\": PATH}"},
      {{"run", model, image("tiger.jpg").string(), "--max-image-pixels", "100"}, "tiger.jpg"},
      {{"run", model, image("tiger.jpg").string(), "--labels", "a"}, "--labels does not apply to image-classification"},
      {{"run", model, image("tiger.jpg").string(), "--pool"}, "--pool does not apply to image-classification"},
      {{"run", model, image("tiger.jpg").string(), "--top-k", "0"}, "--top-k must be at least 1"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.expected);
    auto bad = test::run_cli(c.args);
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.err.find(c.expected), std::string::npos) << bad.err;
    EXPECT_EQ(bad.out, "");
  }
}

}  // namespace
}  // namespace modelexport::runtime
