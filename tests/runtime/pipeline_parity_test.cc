// Pipelines against transformers.js (npm @huggingface/transformers, pinned): the same self-contained
// model, unpacked to the transformers.js layout, through scripts/golden/pipelines.mjs and through our
// pipeline (all inputs in one batched call, so padding is exercised too). Labels, order, tokens and
// words must be identical, numbers within 1e-4. Task models come from the task_models CTest fixture
// (tests/runtime/make_task_models.sh); the text classifiers are the committed fixture and the
// corpus's real Optimum export; quantized files come from `modelexport quantize --layout`.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "modelexport/metadata/embed.h"
#include "modelexport/metadata/layout.h"
#include "modelexport/runtime/pipeline.h"
#include "runtime/pipeline_support.h"
#include "support/test_support.h"

namespace modelexport::runtime {
namespace {

namespace fs = std::filesystem;
using namespace test_pipelines;

TEST(FeatureExtraction, MatchesTransformersJs) {
  REQUIRE_TASK_MODELS();
  auto pipe = task_pipeline("feature-extraction");
  auto in = text_inputs(texts(*pipe));
  PipelineOptions o;
  o.pooling = "none";
  expect_parity(*pipe, tjs("feature-extraction"), in, {{"pooling", "none"}}, o, "feature-extraction pooling none");
  o.pooling = "cls";
  o.normalize = false;
  expect_parity(*pipe, tjs("feature-extraction"), in, {{"pooling", "cls"}}, o, "feature-extraction pooling cls");
  // Defaults come from the sentence-transformers files: mean pooling, Normalize.
  expect_parity(*pipe, tjs("feature-extraction"), in, {{"pooling", "mean"}, {"normalize", true}}, {}, "feature-extraction sentence-transformers");
}

TEST(TextClassification, MatchesTransformersJsOnTheFixture) {
  if (!have_transformers_js()) GTEST_SKIP() << "node_modules/@huggingface/transformers missing (run scripts/setup.sh)";
  test::ScratchDir dir;
  auto f = test::fixtures_dir() / "tiny-text-classifier";
  metadata::EmbedOptions e;
  e.output = dir / "tc.onnx";
  e.show_progress = false;
  metadata::embed_metadata(f / "model.onnx", f.string(), e);
  fs::create_directories(dir / "tjs");
  metadata::unpack_model(dir / "tc.onnx", dir / "tjs" / "tc", metadata::Layout::kTransformersJs);
  auto pipe = pipeline(dir / "tc.onnx");
  EXPECT_EQ(pipe->task(), "text-classification");
  PipelineOptions o;
  o.top_k = 2;
  expect_parity(*pipe, dir / "tjs" / "tc", text_inputs(texts(*pipe, 128)), {{"top_k", 2}}, o, "text-classification fixture");
  expect_parity(*pipe, dir / "tjs" / "tc", text_inputs(texts(*pipe, 128)), Json::object(), {}, "text-classification fixture top 1");
}

TEST(TextClassification, MatchesTransformersJsOnTheCorpusOptimumExport) {
  REQUIRE_CORPUS();
  if (!have_transformers_js()) GTEST_SKIP() << "node_modules/@huggingface/transformers missing (run scripts/setup.sh)";
  test::ScratchDir src, dir;
  auto c = test::corpus_dir();
  fs::copy_file(c / "models/tiny-distilbert-classification/config.json", src / "config.json");
  for (const char* f : {"tokenizer.json", "tokenizer_config.json"}) fs::copy_file(c / "tokenizers/distilbert-base-uncased" / f, src / f);
  metadata::EmbedOptions e;
  e.output = dir / "tc.onnx";
  e.show_progress = false;
  metadata::embed_metadata(c / "models/tiny-distilbert-classification/model.onnx", src.path().string(), e);
  fs::create_directories(dir / "tjs");
  metadata::unpack_model(dir / "tc.onnx", dir / "tjs" / "tc", metadata::Layout::kTransformersJs);
  auto pipe = pipeline(dir / "tc.onnx");
  PipelineOptions o;
  o.top_k = 2;
  expect_parity(*pipe, dir / "tjs" / "tc", text_inputs(texts(*pipe)), {{"top_k", 2}}, o, "text-classification tiny-distilbert");
}

TEST(TokenClassification, MatchesTransformersJs) {
  REQUIRE_TASK_MODELS();
  auto pipe = task_pipeline("token-classification");
  auto in = text_inputs(texts(*pipe));
  expect_parity(*pipe, tjs("token-classification"), in, Json::object(), {}, "token-classification none");
  PipelineOptions o;
  o.aggregation_strategy = "simple";
  expect_parity(*pipe, tjs("token-classification"), in, {{"aggregation_strategy", "simple"}}, o, "token-classification simple");
}

TEST(FillMask, MatchesTransformersJs) {
  REQUIRE_TASK_MODELS();
  auto pipe = task_pipeline("fill-mask");
  // Each text with one word (the middle one) replaced by the mask token.
  std::vector<Json> in;
  for (const auto& t : texts(*pipe)) {
    std::vector<std::string> words;
    for (size_t a = 0, b; a < t.size(); a = b + 1) {
      b = t.find(' ', a);
      if (b == std::string::npos) b = t.size();
      if (b > a) words.push_back(t.substr(a, b - a));
    }
    if (words.size() < 2 || t.find("[MASK]") != std::string::npos) continue;  // transformers.js fills only the first mask
    words[words.size() / 2] = "[MASK]";
    std::string masked;
    for (const auto& w : words) masked += (masked.empty() ? "" : " ") + w;
    in.push_back({{"text", masked}});
  }
  expect_parity(*pipe, tjs("fill-mask"), in, Json::object(), {}, "fill-mask top 5");
  PipelineOptions o;
  o.top_k = 1;
  expect_parity(*pipe, tjs("fill-mask"), in, {{"top_k", 1}}, o, "fill-mask top 1");
}

TEST(QuestionAnswering, MatchesTransformersJs) {
  REQUIRE_TASK_MODELS();
  auto pipe = task_pipeline("question-answering");
  std::vector<Json> in;
  const char* questions[] = {"Where do I live?", "What is it?", "Who?"};
  size_t q = 0;
  for (const auto& t : texts(*pipe, 300))
    if (t.find_first_not_of(" \t\n") != std::string::npos) in.push_back({{"question", questions[q++ % 3]}, {"context", t}});
  // transformers.js has no answer-length limit; ours is set beyond any context here.
  PipelineOptions o;
  o.max_answer_len = 100000;
  o.top_k = 3;
  expect_parity(*pipe, tjs("question-answering"), in, {{"top_k", 3}}, o, "question-answering top 3");
  o.top_k = 1;
  expect_parity(*pipe, tjs("question-answering"), in, Json::object(), o, "question-answering top 1");
}

TEST(ZeroShotClassification, MatchesTransformersJs) {
  REQUIRE_TASK_MODELS();
  auto pipe = task_pipeline("zero-shot-classification");
  std::vector<Json> in;
  std::vector<std::vector<std::string>> label_sets = {{"urgent", "not urgent", "phone", "tablet"}, {"travel", "cooking", "dancing"}, {"positive"}};
  size_t k = 0;
  for (const auto& t : texts(*pipe, 400)) in.push_back({{"text", t}, {"labels", label_sets[k++ % 3]}});
  expect_parity(*pipe, tjs("zero-shot-classification"), in, Json::object(), {}, "zero-shot-classification");
  PipelineOptions o;
  o.multi_label = true;
  o.hypothesis_template = "The topic is {}.";
  expect_parity(*pipe, tjs("zero-shot-classification"), in, {{"multi_label", true}, {"hypothesis_template", "The topic is {}."}}, o,
                "zero-shot-classification multi-label");
}

// `quantize --layout transformers.js`: transformers.js loads the folder with the dtype's file
// (onnx/model_q4.onnx, model_quantized.onnx, model_int8.onnx, model_uint8.onnx, model_fp16.onnx,
// model_q4f16.onnx) and gives our
// runtime's outputs on the same file.
TEST(QuantizedLayout, TransformersJsLoadsItAndAgreesWithOurRuntime) {
  REQUIRE_TASK_MODELS();
  test::ScratchDir dir;
  struct Case { std::string task, dtype, file; };
  std::vector<Case> cases = {{"feature-extraction", "q4", "model_q4.onnx"}, {"token-classification", "q4", "model_q4.onnx"},
                             {"question-answering", "q4", "model_q4.onnx"}, {"feature-extraction", "q8", "model_quantized.onnx"},
                             {"token-classification", "int8", "model_int8.onnx"}, {"fill-mask", "uint8", "model_uint8.onnx"},
                             {"feature-extraction", "fp16", "model_fp16.onnx"}, {"token-classification", "q4f16", "model_q4f16.onnx"},
                             {"question-answering", "fp16", "model_fp16.onnx"}};
  for (const auto& [task_name, dtype, file] : cases) {
    const char* task = task_name.c_str();
    fs::path folder = dir / (task_name + "-" + dtype);
    auto r = test::run_cli({"quantize", (task_models() / (task_name + ".onnx")).string(), "--dtype", dtype, "--layout", "transformers.js",
                            folder.string(), "--no-accuracy", "-q"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(fs::exists(folder / "onnx" / file)) << file;
    ASSERT_TRUE(fs::exists(folder / "quantize_config.json"));
    auto pipe = pipeline(folder / "onnx" / file);
    std::vector<Json> in;
    if (std::string(task) == "question-answering") {
      for (const auto& t : texts(*pipe, 300))
        if (t.find_first_not_of(" \t\n") != std::string::npos) in.push_back({{"question", "What is it?"}, {"context", t}});
      PipelineOptions o;
      o.max_answer_len = 100000;
      o.batch_size = 1;  // as transformers.js calls the model: same shapes, same kernels (see Diff)
      expect_parity(*pipe, folder, in, Json::object(), o, task_name + " " + dtype, dtype, 1e-6);
    } else {
      in = text_inputs(texts(*pipe));
      // Ours pools as the model's sentence-transformers files say; transformers.js is told to.
      Json js = std::string(task) == "feature-extraction" ? Json{{"pooling", "mean"}, {"normalize", true}} : Json::object();
      if (task_name == "fill-mask") {
        in.clear();
        for (const auto& t : {"The capital of France is [MASK].", "I [MASK] this movie.", "[MASK] is a company based in New York City."})
          in.push_back({{"text", t}});
      }
      PipelineOptions one;
      one.batch_size = 1;  // as transformers.js calls the model: same shapes, same kernels (see Diff)
      expect_parity(*pipe, folder, in, js, one, task_name + " " + dtype, dtype, 1e-6);
    }
  }
}

}  // namespace
}  // namespace modelexport::runtime

namespace modelexport::runtime {
namespace {

using namespace test_pipelines;

// `modelexport run --json` prints, per input, what transformers.js returns for that input: the same
// nesting, keys, key order and types (compare() is strict about shapes), for every task and the
// options that change a result's shape (pooling, top_k, aggregation).
TEST(RunJson, EveryTaskPrintsTransformersJsShapes) {
  REQUIRE_TASK_MODELS();
  test::ScratchDir dir;
  // The committed text classifier, embedded and unpacked as transformers.js loads it.
  auto f = test::fixtures_dir() / "tiny-text-classifier";
  metadata::EmbedOptions e;
  e.output = dir / "text-classification.onnx";
  e.show_progress = false;
  metadata::embed_metadata(f / "model.onnx", f.string(), e);
  fs::create_directories(dir / "tjs");
  metadata::unpack_model(e.output, dir / "tjs" / "tc", metadata::Layout::kTransformersJs);
  const std::vector<Json> sentences =
      text_inputs({"My name is Wolfgang and I live in Berlin.", "I love this movie!", "a"});
  const std::vector<Json> masked = text_inputs({"The capital of France is [MASK].", "I [MASK] this movie."});
  std::vector<Json> qa, zero_shot;
  for (const auto& s : sentences) {
    qa.push_back({{"question", "Who lives where?"}, {"context", s["text"]}});
    zero_shot.push_back({{"text", s["text"]}, {"labels", {"travel", "cooking", "cinema"}}});
  }
  struct Case {
    std::string name;
    fs::path model, tjs_folder;
    std::vector<Json> inputs;
    std::vector<std::string> args;  // run options
    Json js_options;                // the same for transformers.js
  };
  auto m = [](const std::string& task) { return task_models() / (task + ".onnx"); };
  std::vector<Case> cases = {
      // The model's sentence-transformers files: mean pooling, normalised → dims [1, hidden].
      {"feature-extraction pooled",
       m("feature-extraction"),
       tjs("feature-extraction"),
       sentences,
       {},
       {{"pooling", "mean"}, {"normalize", true}}},
      {"feature-extraction cls",
       m("feature-extraction"),
       tjs("feature-extraction"),
       sentences,
       {"--pooling", "cls"},
       {{"pooling", "cls"}}},
      // Token vectors → dims [1, tokens, hidden].
      {"feature-extraction none",
       m("feature-extraction"),
       tjs("feature-extraction"),
       sentences,
       {"--pooling", "none"},
       {{"pooling", "none"}}},
      {"text-classification", e.output, dir / "tjs" / "tc", sentences, {}, Json::object()},
      {"text-classification top 2", e.output, dir / "tjs" / "tc", sentences, {"--top-k", "2"}, {{"top_k", 2}}},
      {"token-classification", m("token-classification"), tjs("token-classification"), sentences, {}, Json::object()},
      {"token-classification simple",
       m("token-classification"),
       tjs("token-classification"),
       sentences,
       {"--aggregation-strategy", "simple"},
       {{"aggregation_strategy", "simple"}}},
      {"fill-mask", m("fill-mask"), tjs("fill-mask"), masked, {}, Json::object()},
      {"fill-mask top 1", m("fill-mask"), tjs("fill-mask"), masked, {"--top-k", "1"}, {{"top_k", 1}}},
      {"question-answering",
       m("question-answering"),
       tjs("question-answering"),
       qa,
       {"--max-answer-len", "100000"},
       Json::object()},
      {"question-answering top 2",
       m("question-answering"),
       tjs("question-answering"),
       qa,
       {"--max-answer-len", "100000", "--top-k", "2"},
       {{"top_k", 2}}},
      {"zero-shot-classification",
       m("zero-shot-classification"),
       tjs("zero-shot-classification"),
       zero_shot,
       {},
       Json::object()},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    {
      std::ofstream in(dir / "in.jsonl");
      for (const auto& j : c.inputs) in << j.dump() << "\n";
    }
    std::vector<std::string> args = {"run", c.model.string(), "--input", (dir / "in.jsonl").string(), "--json"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = test::run_cli(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> lines;
    for (size_t a = 0, b; a < r.out.size(); a = b + 1) {
      b = r.out.find('\n', a);
      if (b == std::string::npos) b = r.out.size();
      if (b > a) lines.push_back(r.out.substr(a, b - a));
    }
    ASSERT_EQ(lines.size(), c.inputs.size()) << r.out;
    expect_parity_of(*pipeline(c.model), c.tjs_folder, c.inputs, c.js_options, lines, "run --json " + c.name);
  }
}

// The harness itself: shapes are compared strictly, values within the tolerance.
TEST(ParityHarness, ComparesShapesStrictly) {
  struct Case {
    const char* name;
    const char* ref;
    const char* ours;
    bool same;
  };
  const std::vector<Case> cases = {
      {"equal", R"([[0.5, 1]])", R"([[0.5, 1.00001]])", true},
      {"extra nesting in ref", R"([[0.5, 1]])", R"([0.5, 1])", false},
      {"extra nesting in ours", R"([0.5, 1])", R"([[0.5, 1]])", false},
      {"batch dim of a single list", R"([[1, 2, 3]])", R"([1, 2, 3])", false},
      {"object for a list", R"([{"label": "a", "score": 1}])", R"({"label": "a", "score": 1})", false},
      {"extra key", R"({"answer": "x", "score": 1})", R"({"answer": "x", "score": 1, "rank": 1})", false},
      {"allowed extra keys", R"({"answer": "x", "score": 1})", R"({"answer": "x", "score": 1, "start": 0, "end": 1})",
       true},
      {"missing key", R"({"answer": "x", "score": 1})", R"({"answer": "x"})", false},
      {"key order", R"({"answer": "x", "score": 1})", R"({"score": 1, "answer": "x"})", false},
      {"string for a number", R"([1])", R"(["1"])", false},
      {"null for a string", R"({"a": null})", R"({"a": ""})", false},
      {"number beyond tolerance", R"([1])", R"([1.001])", false},
  };
  for (const auto& c : cases) {
    Diff d;
    d.extra_keys = {"start", "end"};
    compare(OJson::parse(c.ref), OJson::parse(c.ours), "x", d);
    EXPECT_EQ(d.mismatches.empty(), c.same) << c.name << (d.mismatches.empty() ? "" : ": " + d.mismatches[0]);
  }
}

}  // namespace
}  // namespace modelexport::runtime
