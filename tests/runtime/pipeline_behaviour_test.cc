// Pipeline behaviour beyond transformers.js: static shapes, threads, Python transformers' rules
// (word aggregation, QA windows, fill-mask targets) and `modelexport run` on single files.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "modelexport/format/onnx_file.h"
#include "modelexport/metadata/embed.h"
#include "modelexport/metadata/layout.h"
#include "modelexport/metadata/task_outputs.h"
#include "modelexport/runtime/pipeline.h"
#include "runtime/pipeline_support.h"
#include "support/test_support.h"

namespace modelexport::runtime {
namespace {

namespace fs = std::filesystem;
using namespace test_pipelines;

// A static [1, 128] copy of the feature-extraction model (same weights): the processor pads and
// truncates to 128 and runs one row at a time; results equal the dynamic model's.
TEST(FixedShapes, StaticModelGivesTheDynamicModelsResults) {
  REQUIRE_TASK_MODELS();
  auto dynamic = task_pipeline("feature-extraction");
  auto fixed = task_pipeline("feature-extraction-static");
  EXPECT_EQ(fixed->processor().fixed_length(), 128u);
  EXPECT_EQ(fixed->processor().fixed_batch(), 1u);
  std::vector<PipelineInput> in;
  for (const auto& t : texts(*dynamic, 128)) in.push_back({.text = t});
  auto a = dynamic->run(in), b = fixed->run(in);
  ASSERT_EQ(a.size(), b.size());
  Diff d;
  for (size_t i = 0; i < a.size(); ++i) compare(parse_json(a[i], "dynamic"), parse_json(b[i], "static"), "input " + std::to_string(i), d);
  EXPECT_TRUE(d.mismatches.empty()) << d.mismatches[0];
  EXPECT_LT(d.max_abs, 1e-5);
}

TEST(Threads, ConcurrentRunsGiveTheSingleThreadedResults) {
  REQUIRE_TASK_MODELS();
  auto pipe = task_pipeline("token-classification");
  std::vector<PipelineInput> in;
  for (const auto& t : texts(*pipe)) in.push_back({.text = t});
  PipelineOptions o;
  o.aggregation_strategy = "simple";
  auto expected = pipe->run(in, o);
  std::vector<std::vector<std::string>> got(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < got.size(); ++t) threads.emplace_back([&, t] { got[t] = pipe->run(in, o); });
  for (auto& t : threads) t.join();
  for (const auto& g : got) EXPECT_EQ(g, expected);
}

std::vector<double> probabilities(const float* logits, size_t n) {
  std::vector<double> p(logits, logits + n);
  double mx = *std::max_element(p.begin(), p.end()), sum = 0;
  for (auto& v : p) sum += v = std::exp(v - mx);
  for (auto& v : p) v /= sum;
  return p;
}

// first / average / max have no transformers.js counterpart: checked against Python transformers'
// rules written out here from the logits (TokenClassificationPipeline.aggregate_word +
// group_entities): word label from its first token / the mean of its tokens' probabilities / its
// most confident token; words grouped while the tag repeats without a B-; "O" groups dropped.
TEST(TokenClassification, WordAggregationFollowsPythonTransformers) {
  REQUIRE_TASK_MODELS();
  auto pipe = task_pipeline("token-classification");
  const auto& proc = pipe->processor();
  std::vector<std::string> in = {"My name is Wolfgang and I live in Berlin.", "Hugging Face Inc. is a company based in New York City.",
                                 "naïve café résumé coöperate façade jalapeño Ångström"};
  for (const char* strategy : {"first", "average", "max"}) {
    PipelineOptions o;
    o.aggregation_strategy = strategy;
    std::vector<PipelineInput> inputs;
    for (const auto& t : in) inputs.push_back({.text = t});
    auto ours = pipe->run(inputs, o);
    for (size_t i = 0; i < in.size(); ++i) {
      auto enc = proc.encode({in[i]});
      auto out = pipe->model().run(proc.to_inputs({&enc[0]})).at("logits");
      size_t labels = out.shape[2];
      auto name = [&](size_t id) { return parse_json_object(*proc.files().get("config.json"), "config")["id2label"][std::to_string(id)].get<std::string>(); };
      struct Word { std::string entity; double score; size_t start, end; };
      std::vector<Word> words;
      for (size_t j = 0; j < enc[0].ids.size();) {
        if (!enc[0].word_ids[j] || enc[0].special_tokens_mask[j]) { ++j; continue; }
        size_t e = j;
        std::vector<double> avg(labels, 0), best_p;
        double best_max = -1;
        std::vector<std::vector<double>> probs;
        while (e < enc[0].ids.size() && enc[0].word_ids[e] == enc[0].word_ids[j]) probs.push_back(probabilities(out.f32.data() + e * labels, labels)), ++e;
        for (const auto& p : probs) {
          for (size_t l = 0; l < labels; ++l) avg[l] += p[l] / probs.size();
          double m = *std::max_element(p.begin(), p.end());
          if (m > best_max) best_max = m, best_p = p;
        }
        const auto& use = std::string(strategy) == "first" ? probs[0] : std::string(strategy) == "max" ? best_p : avg;
        size_t arg = std::max_element(use.begin(), use.end()) - use.begin();
        words.push_back({name(arg), use[arg], enc[0].offsets[j].first, enc[0].offsets[e - 1].second});
        j = e;
      }
      Json expected = Json::array();
      for (size_t w = 0; w < words.size();) {
        std::string tag = words[w].entity.size() > 2 && words[w].entity[1] == '-' ? words[w].entity.substr(2) : words[w].entity;
        size_t e = w + 1;
        double sum = words[w].score;
        while (e < words.size() && words[e].entity.rfind("B-", 0) != 0 &&
               (words[e].entity.size() > 2 && words[e].entity[1] == '-' ? words[e].entity.substr(2) : words[e].entity) == tag)
          sum += words[e++].score;
        if (tag != "O") expected.push_back({{"entity_group", tag}, {"score", sum / (e - w)}, {"start", words[w].start}, {"end", words[e - 1].end}});
        w = e;
      }
      Json got = parse_json(ours[i], "ours");
      ASSERT_EQ(got.size(), expected.size()) << strategy << " " << in[i] << "\n" << got.dump() << "\n" << expected.dump();
      for (size_t g = 0; g < got.size(); ++g) {
        EXPECT_EQ(got[g]["entity_group"], expected[g]["entity_group"]) << strategy;
        EXPECT_EQ(got[g]["start"], expected[g]["start"]) << strategy;
        EXPECT_EQ(got[g]["end"], expected[g]["end"]) << strategy;
        // The pipeline's batch is padded, this single run is not: ORT's sums differ in the last bits.
        EXPECT_NEAR(got[g]["score"].get<double>(), expected[g]["score"].get<double>(), 1e-6) << strategy;
      }
    }
  }
}

// Contexts longer than max_seq_len are read in overlapping windows: every answer is the context's
// own text at its character span, windows beyond the first are used, and with the window made
// larger than the context the answers are the single-window ones.
TEST(QuestionAnswering, LongContextsAreReadInWindows) {
  REQUIRE_TASK_MODELS();
  auto pipe = task_pipeline("question-answering");
  std::string context;
  auto corpus = test::corpus_dir();
  std::ifstream multi(corpus / "text" / "multilingual.jsonl");
  for (std::string line; std::getline(multi, line) && context.size() < 6000;) {
    Json j = parse_json_object(line, "multilingual");
    if (j["lang"] == "en") context += j["text"].get<std::string>() + ". ";
  }
  PipelineOptions o;
  o.top_k = 20;
  o.max_seq_len = 64;
  o.doc_stride = 16;
  auto r = parse_json(pipe->run({{.question = "What is it?", .context = context}}, o)[0], "qa");
  ASSERT_EQ(r.size(), 20u);
  size_t beyond_first_window = 0;
  std::u32string cps;
  for (auto& a : r) {
    size_t s = a["start"], e = a["end"];
    ASSERT_LT(s, e);
    beyond_first_window += s > 200;
    EXPECT_LE(a["answer"].get<std::string>().size(), context.size());
    EXPECT_NE(context.find(a["answer"].get<std::string>()), std::string::npos);
  }
  EXPECT_GT(beyond_first_window, 0u);
  // Impossible answers: the empty answer joins the ranking with the smallest first-token score.
  o.handle_impossible_answer = true;
  o.top_k = 1000;
  auto with_null = parse_json(pipe->run({{.question = "What is it?", .context = context.substr(0, 300)}}, o)[0], "qa");
  bool has_null = false;
  for (const auto& a : with_null) has_null |= a["answer"] == "" && a["start"] == 0 && a["end"] == 0;
  EXPECT_TRUE(has_null);
  // max_answer_len bounds the span in tokens.
  o = {};
  o.max_answer_len = 1;
  o.top_k = 10;
  for (const auto& a : parse_json(pipe->run({{.question = "Who?", .context = "My name is Wolfgang and I live in Berlin"}}, o)[0], "qa"))
    EXPECT_EQ(pipe->processor().tokenizer().encode(a["answer"].get<std::string>(), false).ids.size(), 1u) << a.dump();
}

// targets: the scores of the named tokens in the full distribution.
TEST(FillMask, TargetsScoreOnlyTheNamedTokens) {
  REQUIRE_TASK_MODELS();
  auto pipe = task_pipeline("fill-mask");
  PipelineOptions all;
  all.top_k = 100000;
  auto full = parse_json(pipe->run({{.text = "The capital of France is [MASK]."}}, all)[0], "all");
  std::map<std::string, double> score;
  for (const auto& c : full) score[c["token_str"]] = c["score"];
  PipelineOptions o;
  o.targets = {"paris", "London", "berlin"};  // "London" is not in the uncased vocabulary: its first token is used
  o.top_k = 2;
  auto got = parse_json(pipe->run({{.text = "The capital of France is [MASK]."}}, o)[0], "targets");
  ASSERT_EQ(got.size(), 2u);
  std::vector<std::pair<double, std::string>> expected = {{score["paris"], "paris"}, {score["london"], "london"}, {score["berlin"], "berlin"}};
  std::sort(expected.rbegin(), expected.rend());
  for (size_t k = 0; k < 2; ++k) {
    EXPECT_EQ(got[k]["token_str"], expected[k].second);
    EXPECT_DOUBLE_EQ(got[k]["score"].get<double>(), expected[k].first);
  }
}

// `modelexport run` on each task's single self-contained file, nothing else beside it: the same
// results as the library; inputs of the wrong kind are refused by name.
TEST(RunCommand, EveryTaskFromTheSingleFile) {
  REQUIRE_TASK_MODELS();
  test::ScratchDir dir;
  struct Case { std::string task; Json input; std::vector<std::string> args; };
  std::vector<Case> cases = {
      {"feature-extraction", {{"text", "Hello world"}}, {}},
      {"token-classification", {{"text", "My name is Wolfgang and I live in Berlin"}}, {"--aggregation-strategy", "simple"}},
      {"fill-mask", {{"text", "The capital of France is [MASK]."}}, {"--top-k", "3"}},
      {"question-answering", {{"question", "Where do I live?"}, {"context", "My name is Wolfgang and I live in Berlin"}}, {}},
      {"zero-shot-classification", {{"text", "I have a problem with my iphone"}, {"labels", {"urgent", "phone"}}}, {"--multi-label"}},
  };
  for (const auto& c : cases) {
    fs::create_directories(dir / c.task);
    fs::copy_file(task_models() / (c.task + ".onnx"), dir / c.task / "model.onnx");
    test::write_bytes(dir / c.task / "in.jsonl", c.input.dump() + "\n");
    std::vector<std::string> args = {"run", (dir / c.task / "model.onnx").string(), "--input", (dir / c.task / "in.jsonl").string(), "--json"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = test::run_cli(args);
    ASSERT_EQ(r.exit_code, 0) << c.task << ": " << r.err;
    auto pipe = pipeline(dir / c.task / "model.onnx");
    EXPECT_EQ(pipe->task(), c.task);
    PipelineOptions o;
    if (c.task == "token-classification") o.aggregation_strategy = "simple";
    if (c.task == "fill-mask") o.top_k = 3;
    if (c.task == "zero-shot-classification") o.multi_label = true;
    EXPECT_EQ(r.out, pipe->run({to_input(c.input)}, o)[0] + "\n") << c.task;
  }
  auto qa = test::run_cli({"run", (dir / "question-answering" / "model.onnx").string(), "no question here"});
  EXPECT_EQ(qa.exit_code, 2);
  EXPECT_NE(qa.err.find("needs a non-empty \"question\" and \"context\""), std::string::npos) << qa.err;
  auto zs = test::run_cli({"run", (dir / "zero-shot-classification" / "model.onnx").string(), "no labels"});
  EXPECT_EQ(zs.exit_code, 2);
  EXPECT_NE(zs.err.find("has no candidate labels"), std::string::npos) << zs.err;
  auto fm = test::run_cli({"run", (dir / "fill-mask" / "model.onnx").string(), "no mask"});
  EXPECT_EQ(fm.exit_code, 2);
  EXPECT_NE(fm.err.find("has no mask token [MASK]"), std::string::npos) << fm.err;
  test::write_bytes(dir / "bad.jsonl", "{\"txt\": 1}\n");
  auto bad = test::run_cli({"run", (dir / "fill-mask" / "model.onnx").string(), "--input", (dir / "bad.jsonl").string()});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("bad.jsonl line 1: expected {\"text\"}"), std::string::npos) << bad.err;
  std::string long_text(3000, 'a');
  for (size_t k = 1; k < long_text.size(); k += 2) long_text[k] = ' ';
  auto trunc = test::run_cli({"run", (dir / "feature-extraction" / "model.onnx").string(), long_text, "--json"});
  EXPECT_EQ(trunc.exit_code, 0) << trunc.err;
  EXPECT_NE(trunc.err.find("input 1 is 1502 tokens; truncated to 512"), std::string::npos) << trunc.err;
}

// `run` and `validate` apply one rule to a model's outputs: every task model under every pipeline
// task is refused by pipeline() exactly when the shared rule (on the scanned graph) says it does not
// fit, with the same message.
TEST(RunAndValidate, AgreeOnWhichTasksAModelServes) {
  REQUIRE_TASK_MODELS();
  size_t refused = 0, served = 0;
  for (const auto& model : fs::directory_iterator(task_models())) {
    if (model.path().extension() != ".onnx") continue;
    format::OnnxFile file(model.path());
    for (const auto& task : pipeline_tasks()) {
      SCOPED_TRACE(model.path().filename().string() + " as " + task);
      std::string rule = metadata::task_outputs_mismatch(task, file.graph().outputs), run;
      try {
        pipeline(model.path(), task);
      } catch (const UnsuitableModelError& e) { run = e.what(); } catch (const Error&) {
        // refused for another reason (no mask token, no entailment label): not the outputs
      }
      if (run.find("not made for this task") == std::string::npos) run.clear();
      EXPECT_EQ(run, rule);
      (rule.empty() ? served : refused)++;
    }
  }
  EXPECT_GT(refused, 10u);
  EXPECT_GT(served, 6u);
}

}  // namespace
}  // namespace modelexport::runtime
