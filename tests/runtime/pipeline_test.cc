// Pipelines against transformers.js (npm @huggingface/transformers, pinned): the same self-contained
// model, unpacked to the transformers.js layout, through scripts/golden/pipelines.mjs and through our
// pipeline (all inputs in one batched call, so padding is exercised too). Labels, order, tokens and
// words must be identical, numbers within 1e-4. Task models come from the task_models CTest fixture
// (tests/runtime/make_task_models.sh); the text classifiers are the committed fixture and the
// corpus's real Optimum export.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "modelexport/metadata/embed.h"
#include "modelexport/metadata/layout.h"
#include "modelexport/runtime/pipeline.h"
#include "support/test_support.h"

namespace modelexport::runtime {
namespace {

namespace fs = std::filesystem;

bool have_transformers_js() { return fs::exists(fs::path(MODELEXPORT_SOURCE_DIR) / "node_modules" / "@huggingface" / "transformers"); }

fs::path task_models() {
  const char* dir = std::getenv("TASK_MODELS");
  return dir && fs::exists(dir) ? fs::path(dir) : fs::path();
}

#define REQUIRE_TASK_MODELS()                                                                                    \
  if (task_models().empty() || !have_transformers_js())                                                          \
  GTEST_SKIP() << "task models (corpus) or node_modules/@huggingface/transformers missing (run scripts/setup.sh)"

// Texts: sentences, the corpus edge cases and every 150th multilingual line, without those longer
// than the model allows (transformers.js truncates after adding special tokens and drops the final
// [SEP]; Hugging Face tokenizers and Python transformers keep it, as we do).
std::vector<std::string> texts(const Pipeline& pipe, size_t max_tokens = 500) {
  std::vector<std::string> all = {"My name is Wolfgang and I live in Berlin.", "I love this movie!", "What a terrible day.",
                                  "Hugging Face is a company based in New York City.", "a"};
  auto corpus = test::corpus_dir();
  if (!corpus.empty()) {
    std::ifstream edge(corpus / "text" / "edge_cases.jsonl");
    for (std::string line; std::getline(edge, line);) all.push_back(parse_json_object(line, "edge case")["text"]);
    std::ifstream multi(corpus / "text" / "multilingual.jsonl");
    size_t n = 0;
    for (std::string line; std::getline(multi, line);)
      if (n++ % 150 == 0) all.push_back(parse_json_object(line, "multilingual")["text"]);
  }
  processors::Tokenizer tok = pipe.processor().tokenizer();
  tok.set_truncation(std::nullopt);
  std::vector<std::string> kept;
  for (const auto& t : all)
    if (tok.encode(t).ids.size() <= max_tokens) kept.push_back(t);
  return kept;
}

struct Diff {
  double max_abs = 0;
  std::vector<std::string> mismatches;
};

// `ref` (transformers.js) against `ours`: every field of ref must be in ours (ours may add start/end).
void compare(const Json& ref, const Json& ours, const std::string& path, Diff& d) {
  auto fail = [&](const std::string& why) { d.mismatches.push_back(path + ": " + why + " (ref " + ref.dump().substr(0, 120) + ", ours " + ours.dump().substr(0, 120) + ")"); };
  if (ref.is_number()) {
    if (!ours.is_number()) return fail("not a number");
    double diff = std::abs(ref.get<double>() - ours.get<double>());
    d.max_abs = std::max(d.max_abs, diff);
    if (diff > 1e-4) fail("differs by " + std::to_string(diff));
  } else if (ref.is_string()) {
    if (!ours.is_string() || ref.get<std::string>() != ours.get<std::string>()) fail("strings differ");
  } else if (ref.is_array()) {
    if (!ours.is_array() || ours.size() != ref.size()) return fail("lengths differ");
    for (size_t i = 0; i < ref.size(); ++i) compare(ref[i], ours[i], path + "[" + std::to_string(i) + "]", d);
  } else if (ref.is_object()) {
    if (!ours.is_object()) return fail("not an object");
    for (const auto& [k, v] : ref.items()) {
      if (!ours.contains(k)) fail("missing key " + k);
      else compare(v, ours[k], path + "." + k, d);
    }
  } else if (ref != ours) {
    fail("values differ");
  }
}

// QA results in transformers.js' terms: it answers with the decoded tokens of the span where Python
// transformers (and we) give the context's own characters, and it fills top_k with zero-score spans
// on masked tokens where Python returns fewer. Both sides become lists of positive-score answers,
// ours with the answer decoded from the tokens inside our character span.
void qa_view(Json& ref, Json& ours, const AutoProcessor& processor, const PipelineInput& in) {
  auto as_list = [](const Json& j) { return j.is_array() ? j : Json::array({j}); };
  Json kept = Json::array();
  for (const auto& a : as_list(ref))
    if (a["score"].get<double>() > 0) kept.push_back(a);
  ref = kept;
  ours = as_list(ours);
  auto enc = processor.tokenizer().encode_pair(in.question, in.context);
  for (auto& a : ours) {
    std::vector<int32_t> span;
    for (size_t j = 0; j < enc.ids.size(); ++j)
      if (enc.sequence_ids[j] == 1 && !enc.special_tokens_mask[j] && enc.offsets[j].first >= a["start"].get<size_t>() &&
          enc.offsets[j].second <= a["end"].get<size_t>())
        span.push_back(enc.ids[j]);
    a["answer"] = processor.decode(span, true);
  }
  // A span that starts or ends inside a character (BERT-uncased splits Hangul syllables into
  // conjoining jamo, U+1100-U+11FF) cannot be answered in characters; such answers are compared by
  // score only.
  for (size_t k = 0; k < std::min(ref.size(), ours.size()); ++k) {
    const std::string r = ref[k]["answer"].get<std::string>();
    for (size_t b = 0; b + 1 < r.size(); ++b)
      if (static_cast<unsigned char>(r[b]) == 0xE1 && (static_cast<unsigned char>(r[b + 1]) & 0xFC) == 0x84) {
        ours[k]["answer"] = r;
        break;
      }
  }
}

PipelineInput to_input(const Json& j) {
  PipelineInput in;
  in.text = j.value("text", "");
  in.question = j.value("question", "");
  in.context = j.value("context", "");
  if (j.contains("labels")) in.labels = j["labels"].get<std::vector<std::string>>();
  return in;
}

// Runs transformers.js and `pipe` on the inputs with the options; expects parity.
void expect_parity(const Pipeline& pipe, const fs::path& tjs_folder, const std::vector<Json>& inputs, const Json& js_options,
                   const PipelineOptions& options, const std::string& name, const std::string& dtype = "fp32") {
  test::ScratchDir dir;
  {
    std::ofstream f(dir / "inputs.jsonl");
    for (const auto& j : inputs) f << j.dump() << "\n";
  }
  std::string cmd = "TJS_DTYPE=" + dtype + " node " + (fs::path(MODELEXPORT_SOURCE_DIR) / "scripts/golden/pipelines.mjs").string() + " " + pipe.task() + " " +
                    tjs_folder.string() + " " + (dir / "inputs.jsonl").string() + " '" + js_options.dump() + "' > " +
                    (dir / "ref.jsonl").string() + " 2>" + (dir / "err.txt").string();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd << "\n" << test::read_bytes(dir / "err.txt");
  std::vector<PipelineInput> ours_in;
  for (const auto& j : inputs) ours_in.push_back(to_input(j));
  auto ours = pipe.run(ours_in, options);
  std::ifstream ref(dir / "ref.jsonl");
  Diff d;
  size_t i = 0, tokenizer_deviations = 0;
  processors::Tokenizer tok = pipe.processor().tokenizer();
  tok.set_truncation(std::nullopt);
  for (std::string line; std::getline(ref, line); ++i) {
    ASSERT_LT(i, ours.size());
    Json r = parse_json(line, "transformers.js output");
    // Where transformers.js' own tokenizer differs from Hugging Face tokenizers (which ours matches
    // exactly, tests/processors), the model saw other tokens: not a pipeline difference.
    const auto& in = ours_in[i];
    auto ids = in.question.empty() ? tok.encode(in.text).ids : tok.encode_pair(in.question, in.context).ids;
    if (r["ids"].get<std::vector<int32_t>>() != ids) {
      ++tokenizer_deviations;
      continue;
    }
    Json mine = parse_json(ours[i], "ours");
    if (pipe.task() == "question-answering") qa_view(r["out"], mine, pipe.processor(), in);
    compare(r["out"], mine, "input " + std::to_string(i), d);
  }
  EXPECT_EQ(i, inputs.size());
  EXPECT_LE(tokenizer_deviations, 2u);
  for (size_t k = 0; k < std::min<size_t>(d.mismatches.size(), 10); ++k) ADD_FAILURE() << name << ": " << d.mismatches[k];
  EXPECT_TRUE(d.mismatches.empty()) << d.mismatches.size() << " mismatches";
  std::cout << "[pipeline parity] " << name << ": " << i << " inputs, " << d.mismatches.size() << " mismatches, max |diff| " << d.max_abs
            << "; " << tokenizer_deviations << " left out where transformers.js' tokenizer differs from Hugging Face's\n";
}

std::vector<Json> text_inputs(const std::vector<std::string>& texts) {
  std::vector<Json> out;
  for (const auto& t : texts) out.push_back({{"text", t}});
  return out;
}

std::unique_ptr<Pipeline> task_pipeline(const std::string& task) { return pipeline(task_models() / (task + ".onnx")); }
fs::path tjs(const std::string& task) { return task_models() / "tjs" / task; }

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

}  // namespace
}  // namespace modelexport::runtime

namespace modelexport::runtime {
namespace {

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
      expect_parity(*pipe, folder, in, Json::object(), o, task_name + " " + dtype, dtype);
    } else {
      in = text_inputs(texts(*pipe));
      // Ours pools as the model's sentence-transformers files say; transformers.js is told to.
      Json js = std::string(task) == "feature-extraction" ? Json{{"pooling", "mean"}, {"normalize", true}} : Json::object();
      if (task_name == "fill-mask") {
        in.clear();
        for (const auto& t : {"The capital of France is [MASK].", "I [MASK] this movie.", "[MASK] is a company based in New York City."})
          in.push_back({{"text", t}});
      }
      expect_parity(*pipe, folder, in, js, {}, task_name + " " + dtype, dtype);
    }
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

}  // namespace
}  // namespace modelexport::runtime
