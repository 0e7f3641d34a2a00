#include "runtime/pipeline_support.h"

#include <fstream>

#include "support/test_support.h"

namespace modelexport::runtime::test_pipelines {

namespace fs = std::filesystem;

namespace {

// QA results in transformers.js' terms: it answers with the decoded tokens of the span where Python
// transformers (and we) give the context's own characters, and it fills top_k with zero-score spans
// on masked tokens where Python returns fewer (with top_k 1 and no span, both give the empty answer
// with score 0). Both sides become lists of positive-score answers,
// ours with the answer decoded from the tokens inside our character span.
void qa_view(OJson& ref, OJson& ours, const AutoProcessor& processor, const PipelineInput& in) {
  auto as_list = [](const OJson& j) { return j.is_array() ? j : OJson::array({j}); };
  OJson kept = OJson::array();
  for (const auto& a : as_list(ref))
    if (a["score"].get<double>() > 0) kept.push_back(a);
  ref = kept;
  kept = OJson::array();
  for (const auto& a : as_list(ours))
    if (a["score"].get<double>() > 0) kept.push_back(a);
  ours = kept;
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

}  // namespace

bool have_transformers_js() { return fs::exists(fs::path(MODELEXPORT_SOURCE_DIR) / "node_modules" / "@huggingface" / "transformers"); }

fs::path task_models() {
  const char* dir = std::getenv("TASK_MODELS");
  return dir && fs::exists(dir) ? fs::path(dir) : fs::path();
}


// Texts: sentences, the corpus edge cases and every 150th multilingual line, without those longer
// than the model allows (transformers.js truncates after adding special tokens and drops the final
// [SEP]; Hugging Face tokenizers and Python transformers keep it, as we do).
std::vector<std::string> texts(const Pipeline& pipe, size_t max_tokens) {
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

// `ref` (transformers.js) against `ours`, shapes strictly (see the header).
void compare(const OJson& ref, const OJson& ours, const std::string& path, Diff& d) {
  auto fail = [&](const std::string& why) { d.mismatches.push_back(path + ": " + why + " (ref " + ref.dump().substr(0, 120) + ", ours " + ours.dump().substr(0, 120) + ")"); };
  if (ref.is_number()) {
    if (!ours.is_number()) return fail("not a number");
    double diff = std::abs(ref.get<double>() - ours.get<double>());
    d.max_abs = std::max(d.max_abs, diff);
    if (diff > d.tolerance) fail("differs by " + std::to_string(diff));
  } else if (ref.is_string()) {
    if (!ours.is_string() || ref.get<std::string>() != ours.get<std::string>()) fail("strings differ");
  } else if (ref.is_array()) {
    if (!ours.is_array()) return fail("not an array");
    if (ours.size() != ref.size())
      return fail("lengths differ: " + std::to_string(ref.size()) + " vs " + std::to_string(ours.size()));
    for (size_t i = 0; i < ref.size(); ++i) compare(ref[i], ours[i], path + "[" + std::to_string(i) + "]", d);
  } else if (ref.is_object()) {
    if (!ours.is_object()) return fail("not an object");
    std::vector<std::string> ref_keys, our_keys;
    for (const auto& [k, v] : ref.items()) ref_keys.push_back(k);
    for (const auto& [k, v] : ours.items())
      if (!d.extra_keys.count(k) || ref.contains(k)) our_keys.push_back(k);
    if (our_keys != ref_keys) {
      auto join = [](const std::vector<std::string>& v) {
        std::string s;
        for (const auto& k : v) s += (s.empty() ? "" : ",") + k;
        return s;
      };
      return fail("keys differ: [" + join(ref_keys) + "] vs [" + join(our_keys) + "]");
    }
    for (const auto& [k, v] : ref.items()) compare(v, ours[k], path + "." + k, d);
  } else if (ref.type() != ours.type() || ref != ours) {
    fail("values differ");
  }
}

std::set<std::string> extra_keys(const std::string& task) {
  if (task == "token-classification" || task == "question-answering") return {"start", "end"};
  return {};
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
                   const PipelineOptions& options, const std::string& name, const std::string& dtype, double tolerance) {
  std::vector<PipelineInput> ours_in;
  for (const auto& j : inputs) ours_in.push_back(to_input(j));
  expect_parity_of(pipe, tjs_folder, inputs, js_options, pipe.run(ours_in, options), name, dtype, tolerance);
}

void expect_parity_of(const Pipeline& pipe, const fs::path& tjs_folder, const std::vector<Json>& inputs,
                      const Json& js_options, const std::vector<std::string>& ours, const std::string& name,
                      const std::string& dtype, double tolerance) {
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
  std::ifstream ref(dir / "ref.jsonl");
  Diff d;
  d.tolerance = tolerance;
  d.extra_keys = extra_keys(pipe.task());
  size_t i = 0, tokenizer_deviations = 0;
  processors::Tokenizer tok = pipe.processor().tokenizer();
  tok.set_truncation(std::nullopt);
  for (std::string line; std::getline(ref, line); ++i) {
    ASSERT_LT(i, ours.size());
    OJson r = OJson::parse(line);
    // Where transformers.js' own tokenizer differs from Hugging Face tokenizers (which ours matches
    // exactly, tests/processors), the model saw other tokens: not a pipeline difference.
    const auto& in = ours_in[i];
    auto ids = in.question.empty() ? tok.encode(in.text).ids : tok.encode_pair(in.question, in.context).ids;
    if (r["ids"].get<std::vector<int32_t>>() != ids) {
      ++tokenizer_deviations;
      continue;
    }
    OJson mine = OJson::parse(ours[i]);
    std::string where = "input " + std::to_string(i);
    if (pipe.task() == "question-answering") {
      // One answer is an object, top_k > 1 a list, on both sides: checked before the view lists both.
      if (r["out"].is_array() != mine.is_array()) {
        d.mismatches.push_back(where + ": " + (r["out"].is_array() ? "a list" : "an object") +
                               " in transformers.js, not in ours (ref " + r["out"].dump().substr(0, 120) + ", ours " +
                               mine.dump().substr(0, 120) + ")");
        continue;
      }
      qa_view(r["out"], mine, pipe.processor(), in);
    }
    compare(r["out"], mine, where, d);
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

}  // namespace modelexport::runtime::test_pipelines
