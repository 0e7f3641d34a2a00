// Dense image pipelines (object-detection on DETR and YOLOS, image-segmentation on SegFormer) on
// generated random-weight models (fixture dense_models, scripts/fixtures/make_dense_models.py),
// checked against Python transformers' post-processing written out in torch
// (scripts/golden/dense_postprocess.py, run here on the model outputs ONNX Runtime gave), and bad input.
#include <gtest/gtest.h>
#include <png.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "modelexport/common/error.h"
#include "modelexport/common/files.h"
#include "modelexport/common/sha256.h"
#include "modelexport/processors/image.h"
#include "modelexport/runtime/pipeline.h"
#include "support/image_pipeline_support.h"
#include "support/test_support.h"

namespace modelexport::runtime {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path models() { return test::models_dir("DENSE_MODELS"); }
#define REQUIRE_DENSE_MODELS() REQUIRE_GENERATED_MODELS(models(), "detr.onnx", "DENSE_MODELS")
using test::kPhotos;
using test::photo_inputs;
fs::path image(const std::string& name) { return test::corpus_image(name); }

// dense_postprocess.py's result per photo: the model run on each photo's processor inputs (as the
// pipeline feeds it), the outputs stacked and written as raw float32, then the script.
json reference(const Pipeline& pipe, const std::string& task, double threshold, const test::ScratchDir& scratch) {
  const json config = json::parse(*pipe.processor().files().get("config.json"));  // RMBG-1.4's has no id2label
  json manifest = {{"task", task}, {"threshold", threshold}, {"id2label", config.value("id2label", json::object())}};
  std::map<std::string, Tensor> stacked;
  for (const char* p : kPhotos) {
    std::vector<processors::Image> one;
    one.push_back(processors::load_image(image(p)));
    manifest["original_sizes"].push_back({one[0].height, one[0].width});
    manifest["images"].push_back(image(p).string());
    for (auto& [name, t] : pipe.model().run(pipe.processor().image_inputs(one))) {
      Tensor& s = stacked[name];
      if (s.shape.empty()) s.shape = t.shape, s.shape[0] = 0;
      s.shape[0] += 1;
      s.f32.insert(s.f32.end(), t.f32.begin(), t.f32.end());
    }
  }
  for (const auto& [name, t] : stacked) {
    const fs::path path = scratch / (name + ".f32");
    test::write_bytes(path, std::string(reinterpret_cast<const char*>(t.f32.data()), t.f32.size() * 4));
    manifest["outputs"][name] = {{"path", path.string()}, {"shape", t.shape}};
  }
  test::write_bytes(scratch / "manifest.json", manifest.dump());
  const std::string script =
      (test::fixtures_dir() / ".." / ".." / "scripts" / "golden" / "dense_postprocess.py").string();
  FILE* f = popen(("/usr/bin/python3 '" + script + "' '" + (scratch / "manifest.json").string() + "'").c_str(), "r");
  std::string out;
  char buf[4096];
  for (size_t n; f && (n = fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  EXPECT_EQ(f ? pclose(f) : -1, 0) << "dense_postprocess.py failed";
  return json::parse(out);
}

// Python's ObjectDetectionPipeline on the same outputs: the same boxes (ints), labels and order,
// scores within float32 rounding of torch's softmax.
TEST(ObjectDetection, MatchesPythonTransformersRules) {
  REQUIRE_DENSE_MODELS();
  for (const char* model : {"detr", "yolos"})
    for (double threshold : {0.5, 0.2, 0.9}) {
      SCOPED_TRACE(std::string(model) + " threshold " + std::to_string(threshold));
      test::ScratchDir scratch;
      auto pipe = pipeline(models() / (std::string(model) + ".onnx"));
      EXPECT_EQ(pipe->task(), "object-detection");
      PipelineOptions o;
      o.threshold = threshold;
      auto got = pipe->run(photo_inputs(), o);
      const json want = reference(*pipe, "object-detection", threshold, scratch);
      ASSERT_EQ(got.size(), want.size());
      size_t boxes = 0;
      for (size_t i = 0; i < got.size(); ++i) {
        const json g = json::parse(got[i]);
        const auto ordered = nlohmann::ordered_json::parse(got[i]);
        ASSERT_EQ(g.size(), want[i].size()) << kPhotos[i];
        for (size_t k = 0; k < g.size(); ++k) {
          EXPECT_EQ(ordered[k].begin().key(), "score");  // key order: score, label, box
          EXPECT_EQ(g[k]["label"], want[i][k]["label"]) << kPhotos[i];
          EXPECT_EQ(g[k]["box"], want[i][k]["box"]) << kPhotos[i];
          EXPECT_NEAR(g[k]["score"].get<double>(), want[i][k]["score"].get<double>(), 1e-6) << kPhotos[i];
          ++boxes;
        }
      }
      if (threshold < 0.9) EXPECT_GT(boxes, 0u) << "the test model must find something";
    }
}

// Python's semantic ImageSegmentationPipeline on the same logits: the labels present, in id order,
// and each mask's pixels (read back from its PNG) equal to torch's interpolate + argmax. Exact: on
// bus.jpg upsampled logits nearly tie, so any rounding away from torch's kernel shows here.
TEST(ImageSegmentation, MatchesPythonTransformersRules) {
  REQUIRE_DENSE_MODELS();
  test::ScratchDir scratch;
  auto pipe = pipeline(models() / "segformer.onnx");
  EXPECT_EQ(pipe->task(), "image-segmentation");
  PipelineOptions o;
  o.output_dir = scratch / "masks";
  auto got = pipe->run(photo_inputs(), o);
  const json want = reference(*pipe, "image-segmentation", 0, scratch);
  ASSERT_EQ(got.size(), want.size());
  size_t masks = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const json g = json::parse(got[i]);
    ASSERT_EQ(g.size(), want[i].size()) << kPhotos[i];
    for (size_t k = 0; k < g.size(); ++k) {
      EXPECT_TRUE(g[k]["score"].is_null());
      EXPECT_EQ(g[k]["label"], want[i][k]["label"]) << kPhotos[i];
      const std::string path = g[k]["mask"];
      EXPECT_EQ(fs::path(path).parent_path(), o.output_dir);
      processors::Image mask = processors::load_image(path);  // L replicated to RGB
      std::string l(mask.pixels.size() / 3, '\0');
      for (size_t p = 0; p < l.size(); ++p) l[p] = static_cast<char>(mask.pixels[p * 3]);
      EXPECT_EQ(sha256_hex(l), want[i][k]["mask_sha256"]) << path;
      ++masks;
    }
  }
  EXPECT_GT(masks, got.size()) << "the test model must find several labels";
}

// A PNG file's pixels in the given libpng format (PNG_FORMAT_GRAY, PNG_FORMAT_RGBA), libpng's reader.
std::string png_pixels(const fs::path& path, png_uint_32 format) {
  const std::string bytes = test::read_bytes(path);
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  EXPECT_TRUE(png_image_begin_read_from_memory(&png, bytes.data(), bytes.size())) << path;
  png.format = format;
  std::string pixels(PNG_IMAGE_SIZE(png), '\0');
  EXPECT_TRUE(png_image_finish_read(&png, nullptr, pixels.data(), 0, nullptr)) << path;
  return pixels;
}

// RMBG-1.4's model card on the same output: the min-max normalized mask and the RGBA cut-out that
// Pillow's paste gives, byte for byte (the uint8 truncation shows any rounding away from torch's
// one-channel kernel on every photo).
TEST(BackgroundRemoval, MatchesTheModelCardsPostprocessing) {
  REQUIRE_DENSE_MODELS();
  test::ScratchDir scratch;
  auto pipe = pipeline(models() / "rmbg.onnx");
  EXPECT_EQ(pipe->task(), "background-removal");
  PipelineOptions o;
  o.output_dir = scratch / "out";
  auto got = pipe->run(photo_inputs(), o);
  const json want = reference(*pipe, "background-removal", 0, scratch);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    const json g = json::parse(got[i]);
    EXPECT_EQ(sha256_hex(png_pixels(g["mask"].get<std::string>(), PNG_FORMAT_GRAY)), want[i]["mask_sha256"])
        << kPhotos[i];
    EXPECT_EQ(sha256_hex(png_pixels(g["image"].get<std::string>(), PNG_FORMAT_RGBA)), want[i]["image_sha256"])
        << kPhotos[i];
  }
}

TEST(DenseImagePipelines, BadInputWritesNothing) {
  REQUIRE_DENSE_MODELS();
  test::ScratchDir scratch;
  auto seg = pipeline(models() / "segformer.onnx");
  EXPECT_THROW(seg->run(photo_inputs()), UsageError);  // no output folder
  test::write_bytes(scratch / "text.jpg", "not an image");
  std::vector<PipelineInput> in = photo_inputs();
  in.push_back({.image = (scratch / "text.jpg").string()});
  PipelineOptions o;
  o.output_dir = scratch / "masks";
  EXPECT_THROW(seg->run(in, o), ImageDecodeError);
  EXPECT_FALSE(fs::exists(o.output_dir)) << "nothing written when an input fails";
  auto rmbg = pipeline(models() / "rmbg.onnx");
  EXPECT_THROW(rmbg->run(photo_inputs()), UsageError);  // no output folder
  EXPECT_THROW(rmbg->run(in, o), ImageDecodeError);
  EXPECT_FALSE(fs::exists(o.output_dir));
  // The set is all or none: with the last file's name taken by a folder, its rename fails after nine
  // files are in place; those are removed again and no staging folder is left.
  PipelineOptions taken;
  taken.output_dir = scratch / "taken";
  fs::create_directories(taken.output_dir / "5-bus-rgba.png");
  EXPECT_THROW(rmbg->run(photo_inputs(), taken), IoError);
  EXPECT_EQ(test::list_files(taken.output_dir), std::vector<std::string>{}) << "only the folder that was there";
  EXPECT_TRUE(fs::is_directory(taken.output_dir / "5-bus-rgba.png"));
  size_t entries = 0;
  for (const auto& e : fs::directory_iterator(taken.output_dir)) entries += e.exists();
  EXPECT_EQ(entries, 1u);
  // A new folder appears whole: its files, nothing else.
  PipelineOptions fresh;
  fresh.output_dir = scratch / "new" / "out";
  ASSERT_EQ(rmbg->run(photo_inputs(), fresh).size(), 5u);
  EXPECT_EQ(test::list_files(fresh.output_dir).size(), 10u);
  EXPECT_EQ(test::list_files(scratch / "new").size(), 10u) << "no staging folder left beside it";
  auto det = pipeline(models() / "detr.onnx");
  PipelineOptions bad;
  bad.threshold = 1.5;
  EXPECT_THROW(det->run(photo_inputs(), bad), UsageError);
  // The CLI: options of the task only, exit 2.
  const std::string photo = image(kPhotos[0]).string();
  auto r = test::run_cli({"run", (models() / "detr.onnx").string(), photo, "--output-dir", (scratch / "x").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--output-dir"), std::string::npos) << r.err;
  r = test::run_cli({"run", (models() / "segformer.onnx").string(), photo, "--threshold", "0.3"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--threshold"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(scratch / "x"));
}

TEST(DenseImagePipelines, RunCommandJson) {
  REQUIRE_DENSE_MODELS();
  test::ScratchDir scratch;
  const std::string photo = image("bus.jpg").string();
  auto r = test::run_cli({"run", (models() / "yolos.onnx").string(), photo, "--threshold", "0.2", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  for (const auto& d : j) EXPECT_TRUE(d["box"]["xmin"].is_number_integer());
  r = test::run_cli(
      {"run", (models() / "segformer.onnx").string(), photo, "--output-dir", (scratch / "m").string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& m : json::parse(r.out)) EXPECT_TRUE(fs::exists(m["mask"].get<std::string>()));
}

}  // namespace
}  // namespace modelexport::runtime
