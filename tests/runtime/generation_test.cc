// The generation core without ONNX Runtime, table-style: configuration precedence and validation,
// the loop's mechanics on toy step models (rows dropped when finished, cancel, stop strings, the
// caller's processors), beam search against an exhaustive search on a tiny vocabulary, and
// sampling's reproducibility and distribution. Python's numeric rules are compared in
// generation_golden_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "modelexport/common/error.h"
#include "runtime/generation/beam_search.h"
#include "runtime/generation/generate.h"
#include "runtime/generation/logits_processors.h"
#include "runtime/generation/sampler.h"
#include "runtime/toy_step_model.h"
#include "support/test_support.h"

namespace modelexport::runtime::generation {
namespace {

using test::FixedStepModel;
using test::ToyStepModel;

GenerationConfig from_json(const std::string& generation_config, const std::string& config = "",
                           const std::string& task = "", const GenerationOptions& options = {}) {
  return GenerationConfig::resolve(generation_config, config, task, options);
}

// ---------------------------------------------------------------- configuration

TEST(GenerationConfig, PythonDefaults) {
  GenerationConfig c = from_json("");
  EXPECT_EQ(c.max_length, 20);
  EXPECT_FALSE(c.max_new_tokens);
  EXPECT_EQ(c.top_k, 50);
  EXPECT_EQ(c.top_p, 1.0);
  EXPECT_EQ(c.num_beams, 1);
  EXPECT_EQ(c.length_penalty, 1.0);
  EXPECT_EQ(c.early_stopping, EarlyStopping::kFalse);
  EXPECT_EQ(c.mode(), DecodingMode::kGreedy);
}

TEST(GenerationConfig, PrecedenceTable) {
  const std::string bart_config = R"({"num_beams": 4, "max_length": 142, "early_stopping": true,
      "no_repeat_ngram_size": 3, "length_penalty": 2.0, "eos_token_id": 2, "forced_bos_token_id": 0})";
  struct Case {
    std::string name, generation_config, config, task;
    GenerationOptions options;
    std::function<void(const GenerationConfig&)> check;
  };
  GenerationOptions beams2;
  beams2.num_beams = 2;
  beams2.max_new_tokens = 7;
  std::vector<Case> cases = {
      {"config.json when there is no generation_config.json",
       "",
       bart_config,
       "",
       {},
       [](const GenerationConfig& c) {
         EXPECT_EQ(c.num_beams, 4);
         EXPECT_EQ(c.max_length, 142);
         EXPECT_EQ(c.early_stopping, EarlyStopping::kTrue);
         EXPECT_EQ(c.no_repeat_ngram_size, 3);
         EXPECT_EQ(c.length_penalty, 2.0);
         EXPECT_EQ(c.forced_bos_token_id, 0);
         EXPECT_EQ(c.eos_token_id, std::vector<int64_t>{2});
       }},
      {"generation_config.json replaces config.json",
       R"({"eos_token_id": [5, 6], "max_new_tokens": 9})",
       bart_config,
       "",
       {},
       [](const GenerationConfig& c) {
         EXPECT_EQ(c.num_beams, 1);
         EXPECT_EQ(c.eos_token_id, (std::vector<int64_t>{5, 6}));
         EXPECT_EQ(c.max_new_tokens, 9);
         EXPECT_EQ(c.max_length_for(4), 13);
       }},
      {"a decoder sub-config fills what config.json leaves unset",
       "",
       R"({"eos_token_id": 3, "text_config": {"eos_token_id": 9, "pad_token_id": 1, "num_beams": 3}})",
       "",
       {},
       [](const GenerationConfig& c) {
         EXPECT_EQ(c.eos_token_id, std::vector<int64_t>{3});
         EXPECT_EQ(c.pad_token_id, 1);
         EXPECT_EQ(c.num_beams, 3);
       }},
      {"task_specific_params over generation_config.json, the prefix kept apart",
       R"({"num_beams": 1, "max_length": 20})",
       R"({"prefix": "top: ", "task_specific_params": {"translation_en_to_fr": {"num_beams": 4, "max_length": 300,
           "early_stopping": "never", "prefix": "translate English to French: "}}})",
       "translation_en_to_fr",
       {},
       [](const GenerationConfig& c) {
         EXPECT_EQ(c.num_beams, 4);
         EXPECT_EQ(c.max_length, 300);
         EXPECT_EQ(c.early_stopping, EarlyStopping::kNever);
         EXPECT_EQ(c.prefix, "translate English to French: ");
       }},
      {"another task leaves task_specific_params alone",
       "",
       R"({"prefix": "top: ", "task_specific_params": {"summarization": {"num_beams": 4}}})",
       "translation",
       {},
       [](const GenerationConfig& c) {
         EXPECT_EQ(c.num_beams, 1);
         EXPECT_EQ(c.prefix, "top: ");
       }},
      {"the caller over everything", "", bart_config, "", beams2,
       [](const GenerationConfig& c) {
         EXPECT_EQ(c.num_beams, 2);
         EXPECT_EQ(c.max_new_tokens, 7);
         EXPECT_EQ(c.no_repeat_ngram_size, 3);
       }},
      {"pad_token_id defaults to the first eos id",
       R"({"eos_token_id": [7, 8]})",
       "",
       "",
       {},
       [](const GenerationConfig& c) { EXPECT_EQ(c.pad_token_id, 7); }},
      {"stop_strings as one string, forced_eos as an int, suppress lists",
       R"({"stop_strings": "###",
           "forced_eos_token_id": 4, "suppress_tokens": [1, 2], "begin_suppress_tokens": [3],
           "forced_decoder_ids": [[1, 50], [2, 60]], "bad_words_ids": [[1], [2, 3]]})",
       "",
       "",
       {},
       [](const GenerationConfig& c) {
         EXPECT_EQ(c.stop_strings, std::vector<std::string>{"###"});
         EXPECT_EQ(c.forced_eos_token_id, std::vector<int64_t>{4});
         EXPECT_EQ(c.suppress_tokens, (std::vector<int64_t>{1, 2}));
         EXPECT_EQ(c.begin_suppress_tokens, std::vector<int64_t>{3});
         EXPECT_EQ(c.forced_decoder_ids.size(), 2u);
         EXPECT_EQ(c.bad_words_ids.size(), 2u);
       }},
      {"temperature 0 with sampling decodes greedily, with a note",
       R"({"do_sample": true, "temperature": 0})",
       "",
       "",
       {},
       [](const GenerationConfig& c) {
         EXPECT_EQ(c.mode(), DecodingMode::kGreedy);
         ASSERT_EQ(c.notes.size(), 1u);
         EXPECT_NE(c.notes[0].find("temperature 0"), std::string::npos);
       }},
      {"beam sampling",
       R"({"do_sample": true, "num_beams": 3})",
       "",
       "",
       {},
       [](const GenerationConfig& c) { EXPECT_EQ(c.mode(), DecodingMode::kBeamSample); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    c.check(from_json(c.generation_config, c.config, c.task, c.options));
  }
}

TEST(GenerationConfig, RealT5ConfigsGiveTheirTaskSettings) {
  REQUIRE_CORPUS();
  auto dir = modelexport::test::corpus_dir() / "models" / "t5-small-translation_en_to_fr";
  std::string gen = modelexport::test::read_bytes(dir / "generation_config.json");
  std::string config = modelexport::test::read_bytes(dir / "config.json");
  GenerationConfig fr = from_json(gen, config, "translation_en_to_fr");
  EXPECT_EQ(fr.num_beams, 4);
  EXPECT_EQ(fr.max_length, 300);
  EXPECT_EQ(fr.early_stopping, EarlyStopping::kTrue);
  EXPECT_EQ(fr.prefix, "translate English to French: ");
  EXPECT_EQ(fr.decoder_start_token_id, 0);
  EXPECT_EQ(fr.eos_token_id, std::vector<int64_t>{1});
  GenerationConfig sum = from_json(gen, config, "summarization");
  EXPECT_EQ(sum.min_length, 30);
  EXPECT_EQ(sum.no_repeat_ngram_size, 3);
  EXPECT_EQ(sum.length_penalty, 2.0);
  EXPECT_EQ(sum.prefix, "summarize: ");
}

TEST(GenerationConfig, BadInputTable) {
  struct Case {
    std::string name, generation_config;
    GenerationOptions options;
    std::string expected;  // in the message
    bool usage = true;     // UsageError; else MetadataReadError (a JSON value of the wrong type)
  };
  auto opt = [](auto setter) {
    GenerationOptions o;
    setter(o);
    return o;
  };
  std::vector<Case> cases = {
      {"max_new_tokens 0", "", opt([](auto& o) { o.max_new_tokens = 0; }),
       "max_new_tokens: must be greater than 0, got 0"},
      {"max_new_tokens negative", R"({"max_new_tokens": -3})", {}, "max_new_tokens: must be greater than 0, got -3"},
      {"top_p 0", "", opt([](auto& o) { o.top_p = 0.0; }), "top_p: must be in (0, 1], got 0"},
      {"top_p above 1", "", opt([](auto& o) { o.top_p = 1.5; }), "top_p: must be in (0, 1], got 1.5"},
      {"negative temperature with sampling", "", opt([](auto& o) {
         o.do_sample = true;
         o.temperature = -0.5;
       }),
       "temperature: must be greater than 0 when sampling, got -0.5"},
      {"num_beams 0", "", opt([](auto& o) { o.num_beams = 0; }), "num_beams: must be 1 or more, got 0"},
      {"length_penalty not a number", "", opt([](auto& o) { o.length_penalty = std::nan(""); }),
       "length_penalty: must be a number"},
      {"length_penalty a string in JSON",
       R"({"length_penalty": "long"})",
       {},
       "length_penalty: expected a number",
       false},
      {"num_return_sequences above num_beams", "", opt([](auto& o) {
         o.num_beams = 2;
         o.num_return_sequences = 3;
       }),
       "num_return_sequences: must not exceed num_beams (2)"},
      {"num_return_sequences with greedy", "", opt([](auto& o) { o.num_return_sequences = 2; }),
       "num_return_sequences: greedy decoding returns one sequence"},
      {"num_return_sequences 0", "", opt([](auto& o) { o.num_return_sequences = 0; }),
       "num_return_sequences: must be 1"},
      {"top_k negative", "", opt([](auto& o) { o.top_k = -1; }), "top_k: must be 0 (off) or more, got -1"},
      {"min_p above 1", "", opt([](auto& o) { o.min_p = 2.0; }), "min_p: must be in [0, 1], got 2"},
      {"typical_p 0", "", opt([](auto& o) { o.typical_p = 0.0; }), "typical_p: must be in (0, 1]"},
      {"repetition_penalty 0", "", opt([](auto& o) { o.repetition_penalty = 0.0; }), "repetition_penalty: must be"},
      {"no_repeat_ngram_size negative", "", opt([](auto& o) { o.no_repeat_ngram_size = -2; }), "no_repeat_ngram_size"},
      {"min_new_tokens negative", "", opt([](auto& o) { o.min_new_tokens = -1; }), "min_new_tokens: must be 0 or more"},
      {"an empty bad word", R"({"bad_words_ids": [[]]})", {}, "bad_words_ids: each entry must be a non-empty list"},
      {"a negative eos id", R"({"eos_token_id": [-1]})", {}, "eos_token_id: token ids must be 0 or more"},
      {"early_stopping not true/false/never",
       R"({"early_stopping": "sometimes"})",
       {},
       R"(early_stopping: expected true, false or "never")",
       false},
      {"eos_token_id a string",
       R"({"eos_token_id": "</s>"})",
       {},
       "eos_token_id: expected an integer or a list",
       false},
      {"bad_words_ids flat", R"({"bad_words_ids": [1, 2]})", {}, "bad_words_ids: expected a list of lists", false},
      {"forced_decoder_ids not pairs",
       R"({"forced_decoder_ids": [[1, 2, 3]]})",
       {},
       "forced_decoder_ids: expected a list of [index, token id] pairs",
       false},
      {"not JSON", "{", {}, "generation_config.json", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    try {
      from_json(c.generation_config, "", "", c.options);
      ADD_FAILURE() << "no error";
    } catch (const UsageError& e) {
      EXPECT_TRUE(c.usage) << e.what();
      EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos) << e.what();
    } catch (const MetadataReadError& e) {
      EXPECT_FALSE(c.usage) << e.what();
      EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("generation_config.json"), std::string::npos) << e.what();
    }
  }
}

// ---------------------------------------------------------------- the loop

GenerationConfig greedy(int64_t max_new_tokens, std::vector<int64_t> eos = {}) {
  GenerationConfig c;
  c.max_new_tokens = max_new_tokens;
  c.eos_token_id = std::move(eos);
  c.validate();
  return c;
}

// The greedy continuation of `prompt` under the toy model with no processors, computed here
// directly from toy_logits: what generate() must return.
std::vector<int64_t> argmax_walk(std::vector<int64_t> seq, size_t vocab, uint32_t salt, size_t steps, int64_t eos) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < steps; ++i) {
    std::vector<float> l = test::toy_logits(seq, vocab, salt);
    int64_t t = static_cast<int64_t>(std::max_element(l.begin(), l.end()) - l.begin());
    out.push_back(t);
    seq.push_back(t);
    if (t == eos) break;
  }
  return out;
}

TEST(Generate, GreedyRowsFinishIndependentlyAndStopCostingCompute) {
  // Salt 3, vocab 6, eos 2: the three prompts end at different steps (checked against argmax_walk).
  const size_t vocab = 6;
  const uint32_t salt = 3;
  std::vector<std::vector<int64_t>> prompts = {{1}, {4, 4}, {5, 0, 1}};
  ToyStepModel model(vocab, salt);
  GenerationResult r = generate(model, prompts, greedy(10, {2}));
  ASSERT_EQ(r.sequences.size(), 3u);
  std::vector<size_t> lengths;
  for (size_t b = 0; b < prompts.size(); ++b) {
    EXPECT_EQ(r.sequences[b][0].tokens, argmax_walk(prompts[b], vocab, salt, 10, 2)) << b;
    lengths.push_back(r.sequences[b][0].tokens.size());
  }
  // Rows per step: every row until it finishes, then fewer.
  for (size_t step = 0; step < model.rows_per_step.size(); ++step) {
    size_t live = 0;
    for (size_t len : lengths) live += len > step ? 1 : 0;
    EXPECT_EQ(model.rows_per_step[step], live) << "step " << step;
  }
  EXPECT_EQ(model.steps, *std::max_element(lengths.begin(), lengths.end()));
}

TEST(Generate, FinishReasons) {
  ToyStepModel model(6, 3);
  GenerationResult r = generate(model, {{1}}, greedy(3));
  EXPECT_EQ(r.sequences[0][0].tokens.size(), 3u);
  EXPECT_EQ(r.sequences[0][0].finish_reason, FinishReason::kMaxLength);
  EXPECT_TRUE(std::isnan(r.sequences[0][0].score));
}

// An extra processor records what it sees (into a record that outlives generate(), which owns and
// destroys the processor); it can also raise the cancel flag.
struct ProbeRecord {
  std::vector<std::vector<float>> seen;
  std::vector<size_t> cur_lens;
  size_t cancel_after = 0;
  std::atomic<bool>* flag = nullptr;
};
class Probe : public LogitsProcessor {
 public:
  explicit Probe(ProbeRecord& record) : r_(record) {}
  void apply(const RowState& row, std::span<float> scores) override {
    r_.seen.emplace_back(scores.begin(), scores.end());
    r_.cur_lens.push_back(row.cur_len);
    if (r_.cancel_after && r_.seen.size() >= r_.cancel_after) r_.flag->store(true);
  }

 private:
  ProbeRecord& r_;
};

TEST(Generate, CallerProcessorsRunAfterBuiltInsAndBeforeWarpers) {
  FixedStepModel model({1.0f, 2.0f, 3.0f, 4.0f});
  GenerationConfig c;
  c.max_new_tokens = 1;
  c.do_sample = true;
  c.temperature = 0.5;  // a warper: after the probe
  c.top_k = 0;
  c.suppress_tokens = {3};  // a processor: before the probe
  c.seed = 1;
  c.validate();
  ProbeRecord record;
  ProbeRecord* p = &record;
  GenerationHooks hooks;
  hooks.extra_processors.push_back(std::make_unique<Probe>(record));
  generate(model, {{0}}, c, nullptr, nullptr, std::move(hooks));
  ASSERT_EQ(p->seen.size(), 1u);
  EXPECT_EQ(p->seen[0][0], 1.0f);  // not divided by the temperature yet
  EXPECT_EQ(p->seen[0][2], 3.0f);
  EXPECT_TRUE(std::isinf(p->seen[0][3]));  // suppressed already
  EXPECT_EQ(p->cur_lens, std::vector<size_t>{1});
}

TEST(Generate, CancelFinishesEveryRowAfterTheCurrentStep) {
  ToyStepModel model(6, 3);
  std::atomic<bool> cancel{false};
  ProbeRecord record;
  record.cancel_after = 3;
  record.flag = &cancel;
  GenerationHooks hooks;
  hooks.extra_processors.push_back(std::make_unique<Probe>(record));
  GenerationResult r = generate(model, {{1}}, greedy(50), nullptr, &cancel, std::move(hooks));
  EXPECT_EQ(r.sequences[0][0].tokens.size(), 3u);
  EXPECT_EQ(r.sequences[0][0].finish_reason, FinishReason::kCancelled);
}

TEST(Generate, StopStringsStopTheRowThatCompletesThem) {
  // Token t decodes to the letter 'a' + t: the text of the generated tokens is their letters.
  const size_t vocab = 6;
  const uint32_t salt = 3;
  std::vector<int64_t> walk = argmax_walk({1}, vocab, salt, 12, -1);
  auto letters = [](std::span<const int64_t> ids) {
    std::string s;
    for (int64_t t : ids) s += static_cast<char>('a' + t);
    return s;
  };
  std::string text = letters(walk);
  // Stop at the first occurrence of the text's letters 3..5 (a string spanning several tokens).
  std::string stop = text.substr(3, 3);
  size_t end = text.find(stop) + stop.size();
  GenerationConfig c = greedy(12);
  c.stop_strings = {stop};
  GenerationHooks hooks;
  hooks.detokenize = letters;
  ToyStepModel model(vocab, salt);
  GenerationResult r = generate(model, {{1}}, c, nullptr, nullptr, std::move(hooks));
  EXPECT_EQ(r.sequences[0][0].tokens, std::vector<int64_t>(walk.begin(), walk.begin() + static_cast<ptrdiff_t>(end)));
  EXPECT_EQ(r.sequences[0][0].finish_reason, FinishReason::kStopString);
}

TEST(StopStrings, OverhangsOnBothSidesCount) {
  // Tokens: 0 "xab", 1 "cdy", 2 "z". "bcd" ends inside token 1 and starts inside token 0.
  std::vector<std::string> pieces = {"xab", "cdy", "z"};
  auto decode = [&](std::span<const int64_t> ids) {
    std::string s;
    for (int64_t t : ids) s += pieces[static_cast<size_t>(t)];
    return s;
  };
  StopStrings stops({"bcd"}, decode);
  std::vector<int64_t> ids = {2, 2, 0};
  EXPECT_FALSE(stops.matches(ids));
  ids.push_back(1);
  EXPECT_TRUE(stops.matches(ids));
}

TEST(Generate, BadInputTable) {
  struct Case {
    std::string name;
    std::vector<std::vector<int64_t>> prompts;
    std::function<void(GenerationConfig&)> edit;
    bool with_streamer = false;
    std::string expected;
  };
  std::vector<Case> cases = {
      {"no prompts", {}, [](GenerationConfig&) {}, false, "no prompts"},
      {"an empty prompt", {{1}, {}}, [](GenerationConfig&) {}, false, "prompt 1 is empty"},
      {"a suppressed token outside the vocabulary",
       {{1}},
       [](GenerationConfig& c) { c.suppress_tokens = {99}; },
       false,
       "suppress_tokens: token id 99 is outside the model's vocabulary of 6 logits"},
      {"an eos outside the vocabulary",
       {{1}},
       [](GenerationConfig& c) { c.eos_token_id = {6}; },
       false,
       "eos_token_id: token id 6"},
      {"stop strings without a detokenizer",
       {{1}},
       [](GenerationConfig& c) { c.stop_strings = {"x"}; },
       false,
       "stop_strings: needs the tokenizer"},
      {"an empty stop string", {{1}}, [](GenerationConfig& c) { c.stop_strings = {""}; }, false, "empty stop string"},
      {"encoder n-grams without encoder ids",
       {{1}},
       [](GenerationConfig& c) { c.encoder_no_repeat_ngram_size = 2; },
       false,
       "encoder_no_repeat_ngram_size: needs the encoder input ids"},
      {"streaming a batch", {{1}, {2}}, [](GenerationConfig&) {}, true, "streaming needs one prompt"},
      {"streaming beams", {{1}}, [](GenerationConfig& c) { c.num_beams = 2; }, true, "no beam search"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    GenerationConfig config = greedy(4);
    c.edit(config);
    ToyStepModel model(6, 3);
    TextStreamer streamer([](std::span<const int64_t>) { return std::string(); }, [](std::string_view) {});
    try {
      generate(model, c.prompts, config, c.with_streamer ? &streamer : nullptr);
      ADD_FAILURE() << "no error";
    } catch (const UsageError& e) { EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos) << e.what(); }
    EXPECT_EQ(model.steps, 0u) << "the model ran before the error";
  }
}

TEST(Generate, PromptAtMaxLengthGeneratesOneTokenWithANote) {
  ToyStepModel model(6, 3);
  GenerationConfig c;
  c.max_length = 3;
  GenerationResult r = generate(model, {{1, 2, 3, 4}}, c);
  EXPECT_EQ(r.sequences[0][0].tokens.size(), 1u);
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("max_length is 3"), std::string::npos);
}

TEST(Generate, StreamerGetsThePromptThenEachToken) {
  ToyStepModel model(6, 3);
  std::vector<std::vector<int64_t>> puts;
  struct Recorder : Streamer {
    std::vector<std::vector<int64_t>>* puts;
    bool ended = false;
    void put(std::span<const int64_t> t) override { puts->emplace_back(t.begin(), t.end()); }
    void end() override { ended = true; }
  } recorder;
  recorder.puts = &puts;
  GenerationResult r = generate(model, {{1, 5}}, greedy(4), &recorder);
  ASSERT_EQ(puts.size(), 1 + r.sequences[0][0].tokens.size());
  EXPECT_EQ(puts[0], (std::vector<int64_t>{1, 5}));
  for (size_t i = 0; i < r.sequences[0][0].tokens.size(); ++i)
    EXPECT_EQ(puts[i + 1], std::vector<int64_t>{r.sequences[0][0].tokens[i]});
  EXPECT_TRUE(recorder.ended);
}

// ---------------------------------------------------------------- beam search vs exhaustive search

struct Scored {
  std::vector<int64_t> tokens;
  double score;
};

// Every complete sequence of at most `max_new` tokens (ending in eos, or of length max_new without
// eos before), scored as Python scores hypotheses: sum of float32 log-softmax values / length ** lp.
std::vector<Scored> enumerate_all(const std::vector<int64_t>& prompt, size_t vocab, uint32_t salt, size_t max_new,
                                  int64_t eos, double lp) {
  std::vector<Scored> out;
  std::function<void(std::vector<int64_t>&, std::vector<int64_t>&, double)> walk =
      [&](std::vector<int64_t>& seq, std::vector<int64_t>& gen, double sum) {
        std::vector<float> l = test::toy_logits(seq, vocab, salt);
        log_softmax(l);
        for (size_t t = 0; t < vocab; ++t) {
          double s = sum + l[t];
          gen.push_back(static_cast<int64_t>(t));
          if (static_cast<int64_t>(t) == eos || gen.size() == max_new) {
            out.push_back({gen, s / std::pow(static_cast<double>(gen.size()), lp)});
          } else {
            seq.push_back(static_cast<int64_t>(t));
            walk(seq, gen, s);
            seq.pop_back();
          }
          gen.pop_back();
        }
      };
  std::vector<int64_t> seq = prompt, gen;
  walk(seq, gen, 0.0);
  std::sort(out.begin(), out.end(), [](const Scored& a, const Scored& b) { return a.score > b.score; });
  return out;
}

TEST(BeamSearch, WideBeamsFindTheExhaustiveOptimum) {
  // vocab 4, at most 4 new tokens: 4^4 = 256 beams keep every prefix, so beam search with
  // early_stopping "never" must return the enumerated best sequences in order.
  const size_t vocab = 4, max_new = 4;
  for (uint32_t salt : {1u, 2u, 5u, 8u}) {
    for (double lp : {1.0, 0.0, 2.0, -0.5}) {
      SCOPED_TRACE("salt " + std::to_string(salt) + " length_penalty " + std::to_string(lp));
      std::vector<Scored> best = enumerate_all({0}, vocab, salt, max_new, 1, lp);
      GenerationConfig c;
      c.num_beams = 256;
      c.num_return_sequences = 5;
      c.max_new_tokens = max_new;
      c.eos_token_id = {1};
      c.length_penalty = lp;
      c.early_stopping = EarlyStopping::kNever;
      c.validate();
      ToyStepModel model(vocab, salt);
      GenerationResult r = generate(model, {{0}}, c);
      ASSERT_EQ(r.sequences[0].size(), 5u);
      for (size_t k = 0; k < 5; ++k) {
        EXPECT_EQ(r.sequences[0][k].tokens, best[k].tokens) << "rank " << k;
        EXPECT_NEAR(r.sequences[0][k].score, best[k].score, 1e-4) << "rank " << k;
      }
    }
  }
}

TEST(BeamSearch, DoneItemsLeaveTheModel) {
  // Three items, early_stopping True: an item whose num_beams hypotheses are finished stops
  // costing rows while the others continue.
  GenerationConfig c;
  c.num_beams = 2;
  c.max_new_tokens = 8;
  c.eos_token_id = {1};
  c.early_stopping = EarlyStopping::kTrue;
  c.validate();
  ToyStepModel model(5, 15);
  generate(model, {{0}, {4}, {2, 2, 2}}, c);
  ASSERT_GE(model.rows_per_step.size(), 2u);
  EXPECT_EQ(model.rows_per_step[0], 3u);  // the prompts, before the expansion to beams
  EXPECT_EQ(model.rows_per_step[1], 6u);
  EXPECT_LT(model.rows_per_step.back(), 6u);
  EXPECT_EQ(model.rows_per_step.back() % 2, 0u);
}

// ---------------------------------------------------------------- sampling

GenerationConfig sampling(uint64_t seed, int64_t max_new_tokens, int64_t n = 1) {
  GenerationConfig c;
  c.do_sample = true;
  c.top_k = 0;
  c.seed = seed;
  c.max_new_tokens = max_new_tokens;
  c.num_return_sequences = n;
  c.validate();
  return c;
}

// Greedy's choice is torch.argmax's: the first maximum; NaN never wins; all NaN gives 0. Lengths around
// the implementation's 16-float blocks and 4-float search steps, the maximum in the block part and in
// the tail, a -0.0 / 0.0 tie inside a block (the added cases' expectations are torch 1.13's argmax).
TEST(Sampling, ArgmaxIsTheFirstMaximum) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  struct Case {
    std::vector<float> scores;
    size_t expected;
  };
  std::vector<Case> cases = {
      {{}, 0},
      {{1}, 0},
      {{nan, nan, nan}, 0},
      {{nan, 2, nan, 2}, 1},
      {{-inf, -inf, nan}, 0},
      {{0, 1, 2, 3, 4, 5, 6, 7, 7, 1}, 7},
      {{0, 1, 2, 3, 4, 5, 6, 7, 8}, 8},
      {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3}, 16},
      {{5, nan, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 0},
      {{-3, -2, -1, -1, -5, -6, -7, -8, -9, -1}, 2},
      {{-0.0f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 0},
      {{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,  -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0.5f},
       32},
      {{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2}, 16},
      {{nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan}, 0},
  };
  for (size_t i = 0; i < cases.size(); ++i)
    EXPECT_EQ(argmax(std::span<const float>(cases[i].scores)), cases[i].expected) << "case " << i;
  std::vector<float> big(32128, -1.0f);
  big[20001] = 4.0f;
  big[31000] = 4.0f;
  EXPECT_EQ(argmax(std::span<const float>(big)), 20001u);
}

TEST(Sampling, ASeedMakesItReproducible) {
  auto run = [](uint64_t seed) {
    ToyStepModel model(8, 3);
    return generate(model, {{1}}, sampling(seed, 24)).sequences[0][0].tokens;
  };
  EXPECT_EQ(run(42), run(42));
  EXPECT_NE(run(42), run(43));
}

// Pearson's chi-square statistic of `counts` against `probs` (probabilities computed here from
// the logits with std::exp in double).
double chi_square(const std::vector<size_t>& counts, const std::vector<double>& probs, size_t n) {
  double chi = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (probs[i] == 0) {
      EXPECT_EQ(counts[i], 0u) << "token " << i << " has probability 0";
      continue;
    }
    double e = probs[i] * static_cast<double>(n);
    chi += (static_cast<double>(counts[i]) - e) * (static_cast<double>(counts[i]) - e) / e;
  }
  return chi;
}

TEST(Sampling, FrequenciesFollowTheProcessedDistribution) {
  const std::vector<float> logits = {2.0f, 1.0f, 0.5f, 0.0f, -1.0f, -3.0f};
  struct Case {
    std::string name;
    std::function<void(GenerationConfig&)> edit;
    std::vector<bool> allowed;
  };
  std::vector<Case> cases = {
      {"plain", [](GenerationConfig&) {}, {true, true, true, true, true, true}},
      {"top_k 3", [](GenerationConfig& c) { c.top_k = 3; }, {true, true, true, false, false, false}},
      {"temperature 2", [](GenerationConfig& c) { c.temperature = 2.0; }, {true, true, true, true, true, true}},
  };
  const size_t n = 6000;
  for (const Case& k : cases) {
    SCOPED_TRACE(k.name);
    GenerationConfig c = sampling(7, 1, static_cast<int64_t>(n));
    k.edit(c);
    FixedStepModel model(logits);
    GenerationResult r = generate(model, {{0}}, c);
    std::vector<size_t> counts(logits.size());
    for (const auto& s : r.sequences[0]) ++counts.at(static_cast<size_t>(s.tokens.at(0)));
    double t = k.name == "temperature 2" ? 2.0 : 1.0;
    std::vector<double> probs(logits.size());
    double sum = 0;
    for (size_t i = 0; i < logits.size(); ++i)
      if (k.allowed[i]) sum += probs[i] = std::exp(logits[i] / t);
    for (double& p : probs) p /= sum;
    size_t df = static_cast<size_t>(std::count(k.allowed.begin(), k.allowed.end(), true)) - 1;
    // 99.9% quantiles of chi-square with 2 and 5 degrees of freedom.
    double limit = df == 2 ? 13.82 : 20.52;
    EXPECT_LT(chi_square(counts, probs, n), limit);
  }
}

TEST(Sampling, SampleDistinctDrawsWithoutReplacement) {
  Sampler s(3);
  std::vector<float> scores = {0.0f, 0.0f, 0.0f, -std::numeric_limits<float>::infinity()};
  std::vector<size_t> drawn = s.sample_distinct(scores, 3);
  std::sort(drawn.begin(), drawn.end());
  EXPECT_EQ(drawn, (std::vector<size_t>{0, 1, 2}));
  EXPECT_THROW(s.sample_distinct(scores, 4), RuntimeError);
}

TEST(Sampling, AFullyMaskedRowIsAnErrorNotACrash) {
  constexpr float kNegInf = -std::numeric_limits<float>::infinity();
  std::vector<float> scores(8, kNegInf);
  TopP top_p(0.9, 1);
  top_p.apply(RowState{}, scores);  // nothing to keep: stays -inf, no out-of-range bucket
  for (float s : scores) EXPECT_EQ(s, kNegInf);
  Sampler sampler(1);
  EXPECT_THROW(sampler.sample(scores), RuntimeError);
}

TEST(Sampling, BeamSamplingIsReproducible) {
  auto run = [](uint64_t seed) {
    GenerationConfig c;
    c.do_sample = true;
    c.num_beams = 3;
    c.num_return_sequences = 2;
    c.max_new_tokens = 6;
    c.eos_token_id = {1};
    c.seed = seed;
    c.validate();
    ToyStepModel model(6, 9);
    GenerationResult r = generate(model, {{0}}, c);
    return r.sequences[0][0].tokens;
  };
  EXPECT_EQ(run(5), run(5));
}

}  // namespace
}  // namespace modelexport::runtime::generation
