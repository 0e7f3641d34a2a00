// Image pipelines (image-classification, image-feature-extraction, zero-shot-image-classification) on
// generated random-weight models (fixture image_models, scripts/fixtures/make_image_models.py):
// post-processing against Python transformers' rules written out (scripts/golden/image_pipelines.py,
// on the same model outputs) and against transformers.js 4.3.1 (scripts/golden/image_pipelines.mjs,
// on the same decoded pixels), the shared image-input machinery (batching, threads, --input lines),
// the two-file CLIP layout, and bad input.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "modelexport/common/error.h"
#include "modelexport/common/files.h"
#include "modelexport/runtime/pipeline.h"
#include "support/image_pipeline_support.h"
#include "support/test_support.h"

namespace modelexport::runtime {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path models() { return test::models_dir("IMAGE_MODELS"); }
#define REQUIRE_IMAGE_MODELS() REQUIRE_GENERATED_MODELS(models(), "vit-cls.onnx", "IMAGE_MODELS")
using test::kPhotos;
using test::photo_inputs;
fs::path image(const std::string& name) { return test::corpus_image(name); }

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

// The model's raw outputs for one image (pixel_values from the AutoProcessor, as the pipeline feeds
// them) plus `text` inputs, as JSON lists by output name.
json raw_outputs(const AutoModel& model, const AutoProcessor& processor, const fs::path& file,
                 std::map<std::string, Tensor> text = {}) {
  std::vector<processors::Image> images;
  images.push_back(processors::load_image(file));
  auto inputs = processor.image_inputs(images);
  for (auto& [name, t] : text) inputs[name] = std::move(t);
  json out = json::object();
  for (const auto& [name, t] : model.run(inputs)) {
    // Nested as the tensor's dims (Python's tolist()).
    std::function<json(size_t, size_t)> nest = [&](size_t d, size_t at) {
      json list = json::array();
      size_t stride = 1;
      for (size_t k = d + 1; k < t.shape.size(); ++k) stride *= size_t(t.shape[k]);
      for (int64_t i = 0; i < t.shape[d]; ++i)
        list.push_back(d + 1 == t.shape.size() ? json(t.f32[at + size_t(i)]) : nest(d + 1, at + size_t(i) * stride));
      return list;
    };
    out[name] = nest(0, 0);
  }
  return out;
}

json run_python_rules(const json& cases, const test::ScratchDir& scratch) {
  test::write_bytes(scratch / "cases.json", cases.dump());
  std::string cmd = "/usr/bin/python3 '" MODELEXPORT_SOURCE_DIR "/scripts/golden/image_pipelines.py' '" +
                    (scratch / "cases.json").string() + "' > '" + (scratch / "python.json").string() + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return json::parse(test::read_bytes(scratch / "python.json"));
}

// [{"label","score"}] / [{"score","label"}] lists: labels in the same order, scores within `tol`.
void expect_same_ranking(const json& ours, const json& ref, double tol, const std::string& what) {
  SCOPED_TRACE(what);
  ASSERT_EQ(ours.size(), ref.size()) << ours.dump() << "\n" << ref.dump();
  for (size_t k = 0; k < ours.size(); ++k) {
    EXPECT_EQ(ours[k].begin().key(), ref[k].begin().key());  // key order: Python's dicts
    EXPECT_EQ(ours[k]["label"], ref[k]["label"]) << ours.dump() << "\n" << ref.dump();
    EXPECT_NEAR(ours[k]["score"].get<double>(), ref[k]["score"].get<double>(), tol);
  }
}

json config_of(const fs::path& model) {
  return json::parse(*metadata::ModelFiles::from_model(model).get("config.json"));
}

// The model's text inputs for the hypotheses, as Python's pipeline tokenizes them: padding=True, or
// for SigLIP padding="max_length", max_length=64 with the pad token.
std::map<std::string, Tensor> hypothesis_inputs(const AutoProcessor& processor, const std::vector<std::string>& labels,
                                                bool siglip) {
  std::vector<std::string> texts;
  for (const auto& l : labels) texts.push_back("This is a photo of " + l + ".");
  auto enc = processor.encode(texts);
  std::vector<const processors::Encoding*> ptrs;
  for (const auto& e : enc) ptrs.push_back(&e);
  auto in = processor.to_inputs(ptrs);
  std::map<std::string, Tensor> text;
  for (auto& [name, t] : in) {
    if (name == "pixel_values") continue;
    if (siglip) {
      std::vector<int64_t> wide(t.shape[0] * 64, name == "input_ids" ? *processor.special_token_id("pad_token") : 0);
      for (int64_t r = 0; r < t.shape[0]; ++r)
        for (int64_t j = 0; j < t.shape[1]; ++j) wide[size_t(r * 64 + j)] = t.i64[size_t(r * t.shape[1] + j)];
      t = Tensor::int64({t.shape[0], 64}, std::move(wide));
    }
    text[name] = std::move(t);
  }
  return text;
}

TEST(ImagePipelines, ClassificationMatchesPythonRules) {
  REQUIRE_IMAGE_MODELS();
  test::ScratchDir scratch;
  json cases = json::array();
  std::vector<json> ours;
  for (const char* name : {"vit-cls", "convnext-cls"}) {
    fs::path file = models() / (std::string(name) + ".onnx");
    auto pipe = pipeline(file);
    for (const char* photo : kPhotos) {
      json outputs = raw_outputs(pipe->model(), pipe->processor(), image(photo));
      for (const json& options :
           {json::object(), json{{"top_k", 2}}, json{{"top_k", 50}, {"function_to_apply", "none"}},
            json{{"function_to_apply", "softmax"}}}) {
        PipelineOptions o;
        if (options.contains("top_k")) o.top_k = options["top_k"].get<size_t>();
        if (options.contains("function_to_apply")) o.function_to_apply = options["function_to_apply"];
        ours.push_back(json::parse(pipe->run({{.image = image(photo).string()}}, o)[0]));
        cases.push_back({{"task", "image-classification"},
                         {"outputs", outputs},
                         {"config", config_of(file)},
                         {"options", options},
                         {"what", std::string(name) + " " + photo + " " + options.dump()}});
      }
    }
  }
  json python = run_python_rules(cases, scratch);
  ASSERT_EQ(python.size(), ours.size());
  for (size_t i = 0; i < ours.size(); ++i) expect_same_ranking(ours[i], python[i], 1e-6, cases[i]["what"]);
  // The multi-label model gets sigmoid scores (they need not sum to 1), the others softmax.
  double sum = 0;
  for (const auto& r : ours[ours.size() - 3]) sum += r["score"].get<double>();  // convnext-cls, all 4 labels
  EXPECT_GT(std::abs(sum - 1.0), 1e-3);
}

TEST(ImagePipelines, FeatureExtractionMatchesPythonRules) {
  REQUIRE_IMAGE_MODELS();
  test::ScratchDir scratch;
  json cases = json::array();
  std::vector<json> ours;
  for (const char* name : {"vit-features.onnx", "clip-split/vision_model.onnx"}) {
    auto pipe = pipeline(models() / name, "image-feature-extraction");
    for (bool pool : {false, true}) {
      if (pool && std::string(name) != "vit-features.onnx") continue;
      for (const char* photo : {"cat_224x224.jpg", "tiger.jpg"}) {
        PipelineOptions o;
        o.pool = pool;
        ours.push_back(json::parse(pipe->run({{.image = image(photo).string()}}, o)[0]));
        cases.push_back({{"task", "image-feature-extraction"},
                         {"outputs", raw_outputs(pipe->model(), pipe->processor(), image(photo))},
                         {"first_output", pipe->model().outputs().front().name},
                         {"options", {{"pool", pool}}},
                         {"what", std::string(name) + " " + photo}});
      }
    }
  }
  json python = run_python_rules(cases, scratch);
  for (size_t i = 0; i < ours.size(); ++i) EXPECT_EQ(ours[i], python[i]) << cases[i]["what"];
  EXPECT_EQ(ours[0][0].size(), 196u);    // last_hidden_state [1, 196, 16]
  EXPECT_EQ(ours[2][0].size(), 16u);     // pooler_output [1, 16]
  EXPECT_EQ(ours.back()[0].size(), 8u);  // CLIPVisionModelWithProjection: image_embeds first
}

TEST(ImagePipelines, ZeroShotMatchesPythonRules) {
  REQUIRE_IMAGE_MODELS();
  test::ScratchDir scratch;
  const std::vector<std::string> labels = {"cat", "dog", "a school bus", "teapot", "two cats on a sofa"};
  json cases = json::array();
  std::vector<json> ours;
  for (const char* name : {"clip", "siglip"}) {
    fs::path file = models() / (std::string(name) + ".onnx");
    auto pipe = pipeline(file);
    EXPECT_EQ(pipe->task(), "zero-shot-image-classification");
    auto text = hypothesis_inputs(pipe->processor(), labels, std::string(name) == "siglip");
    for (const char* photo : kPhotos) {
      for (size_t top_k : {0, 2}) {
        PipelineOptions o;
        if (top_k) o.top_k = top_k;
        ours.push_back(json::parse(pipe->run({{.labels = labels, .image = image(photo).string()}}, o)[0]));
        cases.push_back({{"task", "zero-shot-image-classification"},
                         {"outputs", raw_outputs(pipe->model(), pipe->processor(), image(photo), text)},
                         {"config", config_of(file)},
                         {"labels", labels},
                         {"options", top_k ? json{{"top_k", top_k}} : json::object()},
                         {"what", std::string(name) + " " + photo}});
      }
    }
  }
  json python = run_python_rules(cases, scratch);
  for (size_t i = 0; i < ours.size(); ++i) expect_same_ranking(ours[i], python[i], 1e-6, cases[i]["what"]);
}

// transformers.js 4.3.1 on the same ONNX files and the same decoded pixels. On a 224x224 photo every
// processor here keeps the size (Pillow and sharp both leave it as it is), so pixel_values and results
// agree; on other photos sharp's resize (no antialiasing) differs from Pillow's, and the test records
// by how much. Its post-processing differs from Python's where named: image-classification always
// applies softmax (the multi-label model is left out), the default template has no period.
TEST(ImagePipelines, MatchTransformersJs) {
  REQUIRE_IMAGE_MODELS();
  test::ScratchDir scratch;
  struct Job {
    std::string task, model;
    json options;
    std::string photo;
  };
  const std::vector<std::string> labels = {"cat", "dog", "a school bus", "teapot"};
  const json zero_shot = {{"candidate_labels", labels}, {"hypothesis_template", "This is a photo of {}."}};
  std::vector<Job> jobs;
  for (const char* photo : {"cat_224x224.jpg", "tiger.jpg", "bus.jpg"}) {
    jobs.push_back({"image-classification", "vit-cls", {{"top_k", 10}}, photo});
    jobs.push_back({"zero-shot-image-classification", "clip", zero_shot, photo});
    jobs.push_back({"zero-shot-image-classification", "siglip", zero_shot, photo});
    jobs.push_back({"image-feature-extraction", "vit-features", json::object(), photo});
  }
  json list = json::array();
  for (size_t i = 0; i < jobs.size(); ++i) {
    processors::Image im = processors::load_image(image(jobs[i].photo));
    fs::path raw = scratch / (std::to_string(i) + ".rgb");
    test::write_bytes(raw, std::string(im.pixels.begin(), im.pixels.end()));
    list.push_back({{"task", jobs[i].task},
                    {"model_dir", (models() / "tjs" / jobs[i].model).string()},
                    {"pixels", raw.string()},
                    {"width", im.width},
                    {"height", im.height},
                    {"options", jobs[i].options}});
  }
  test::write_bytes(scratch / "jobs.json", list.dump());
  std::string cmd = "node '" MODELEXPORT_SOURCE_DIR "/scripts/golden/image_pipelines.mjs' '" +
                    (scratch / "jobs.json").string() + "' > '" + (scratch / "js.json").string() + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  json js = json::parse(test::read_bytes(scratch / "js.json"));
  ASSERT_EQ(js.size(), jobs.size());
  for (size_t i = 0; i < jobs.size(); ++i) {
    const Job& job = jobs[i];
    const std::string what = job.model + " " + job.photo;
    SCOPED_TRACE(what);
    auto pipe = pipeline(models() / (job.model + ".onnx"));
    PipelineOptions o;
    o.top_k = 10;
    PipelineInput in{.image = image(job.photo).string()};
    if (job.options.contains("candidate_labels")) in.labels = labels, o.top_k.reset();
    json ours = json::parse(pipe->run({in}, o)[0]);
    // How far sharp's pixel_values are from Pillow's (ours).
    std::vector<processors::Image> images;
    images.push_back(processors::load_image(image(job.photo)));
    const std::vector<float> pv = pipe->processor().image_inputs(images).at("pixel_values").f32;
    ASSERT_EQ(js[i]["pixel_values"].size(), pv.size());
    double pixel_diff = 0, score_diff = 0;
    for (size_t k = 0; k < pv.size(); ++k)
      pixel_diff = std::max(pixel_diff, std::abs(js[i]["pixel_values"][k].get<double>() - pv[k]));
    const json& out = js[i]["out"];
    if (job.task == "image-feature-extraction") {
      // transformers.js returns the Tensor [1, 196, 16]; Python (ours) the nested list.
      ASSERT_EQ(out["data"].size(), 196u * 16u);
      for (size_t k = 0; k < out["data"].size(); ++k)
        score_diff =
            std::max(score_diff, std::abs(out["data"][k].get<double>() - ours[0][k / 16][k % 16].get<double>()));
    } else {
      ASSERT_EQ(out.size(), ours.size());
      for (size_t k = 0; k < ours.size(); ++k) {
        // Compare by label: the order may swap where sharp's pixels move close scores.
        for (const auto& r : out)
          if (r["label"] == ours[k]["label"])
            score_diff = std::max(score_diff, std::abs(r["score"].get<double>() - ours[k]["score"].get<double>()));
      }
    }
    std::cout << "  transformers.js vs ours, " << what << ": pixel_values max |diff| " << pixel_diff
              << ", result max |diff| " << score_diff << "\n";
    if (job.photo == std::string("cat_224x224.jpg")) {
      EXPECT_LT(pixel_diff, 1e-6);  // float32 rounding of rescale/normalize
      if (job.task != "image-feature-extraction") expect_same_ranking(ours, out, 1e-6, "same pixels");
      EXPECT_LT(score_diff, 1e-6);
    } else {
      EXPECT_GT(pixel_diff, 0.0);  // sharp is not Pillow: if this fails, the comparison above can be exact
    }
  }
}

// The two-file layout (text_model.onnx + vision_model.onnx) gives the one-file model's results: the
// generated pair has the same weights and the one file's logit_scale is config.json's init value.
TEST(ImagePipelines, TwoFileClipEqualsOneFile) {
  REQUIRE_IMAGE_MODELS();
  const std::vector<std::string> labels = {"cat", "dog", "a school bus"};
  auto one = pipeline(models() / "clip.onnx");
  std::vector<std::string> notes;
  PipelineOptions o;
  o.on_note = [&](std::string_view n) { notes.emplace_back(n); };
  for (const fs::path& p : {models() / "clip-split", models() / "clip-split" / "vision_model.onnx",
                            models() / "clip-split" / "text_model.onnx"}) {
    SCOPED_TRACE(p.string());
    auto two = pipeline(p);
    EXPECT_EQ(two->task(), "zero-shot-image-classification");
    for (const char* photo : kPhotos) {
      json a = json::parse(one->run({{.labels = labels, .image = image(photo).string()}})[0]);
      json b = json::parse(two->run({{.labels = labels, .image = image(photo).string()}}, o)[0]);
      expect_same_ranking(b, a, 1e-6, photo);
    }
  }
  ASSERT_FALSE(notes.empty());
  EXPECT_NE(notes[0].find("logit_scale_init_value"), std::string::npos) << notes[0];
  // Either file alone serves its own task.
  EXPECT_EQ(pipeline(models() / "clip-split" / "vision_model.onnx", "image-feature-extraction")->task(),
            "image-feature-extraction");
}

TEST(ImagePipelines, ZeroShotBadInput) {
  REQUIRE_IMAGE_MODELS();
  auto pipe = pipeline(models() / "clip.onnx");
  EXPECT_THROW(pipe->run({{.image = image("tiger.jpg").string()}}), UsageError);  // no labels
  PipelineOptions o;
  o.image_hypothesis_template = "no placeholder";
  EXPECT_THROW(pipe->run({{.labels = {"a"}, .image = image("tiger.jpg").string()}}, o), UsageError);
  // A classifier has no logits_per_image; a text model no pixel_values.
  EXPECT_THROW(pipeline(models() / "vit-cls.onnx", "zero-shot-image-classification"), UnsuitableModelError);
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
