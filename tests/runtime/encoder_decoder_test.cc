// The encoder-decoder runner (src/runtime/generation/encoder_decoder_model.h) on the generated T5- and
// BART-shaped sets (CTest fixture seq2seq_models): greedy token ids against transformers.js 4.3.1
// (scripts/golden/seq2seq.mjs), one text at a time and batched, fp32 and q4, merged and split
// decoders; the sets' bad-input table.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "modelexport/metadata/encoder_decoder_set.h"
#include "modelexport/metadata/model_files.h"
#include "modelexport/runtime/auto_model.h"
#include "modelexport/runtime/auto_processor.h"
#include "modelexport/runtime/pipeline.h"
#include "runtime/generation/encoder_decoder_model.h"
#include "runtime/generation/generate.h"
#include "runtime/pipelines/translation_languages.h"
#include "support/test_support.h"

namespace modelexport::runtime::generation {
namespace {

namespace fs = std::filesystem;

fs::path models() {
  const char* env = std::getenv("SEQ2SEQ_MODELS");
  return env && fs::exists(env) ? fs::absolute(env) : fs::path();
}

#define REQUIRE_MODELS() \
  if (models().empty()) GTEST_SKIP() << "seq2seq models absent (CTest fixture seq2seq_models; needs the corpus)"

std::vector<Json> read_jsonl(const fs::path& p) {
  std::ifstream in(p);
  std::vector<Json> out;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(parse_json(line, p.string()));
  return out;
}

struct Loaded {
  metadata::EncoderDecoderSet set;
  AutoModel encoder, decoder;
  std::optional<AutoModel> with_past;
  Json config, generation;
  std::unique_ptr<AutoProcessor> processor;
};

std::unique_ptr<Loaded> load(const fs::path& model, std::string_view suffix = "") {
  auto set = metadata::find_encoder_decoder_set(model, suffix);
  auto l = std::unique_ptr<Loaded>(new Loaded{set,
                                              AutoModel::from_model(set.encoder, {}),
                                              AutoModel::from_model(set.decoder, {}),
                                              std::nullopt,
                                              {},
                                              {},
                                              nullptr});
  if (!set.merged()) l->with_past = AutoModel::from_model(set.decoder_with_past, {});
  auto files = metadata::ModelFiles::from_model(set.encoder);
  l->config = parse_json(*files.get("config.json"), "config.json");
  l->generation = parse_json(*files.get("generation_config.json"), "generation_config.json");
  l->processor = std::make_unique<AutoProcessor>(AutoProcessor::from_files(files, l->encoder.inputs()));
  return l;
}

// Greedy generation through the one generation loop (gencore's generate(), Python's rules) on the
// runner; the result in transformers.js' form: the decoder start token, then the new tokens.
std::vector<std::vector<int64_t>> greedy(Loaded& l, EncoderDecoderModel& model, const std::vector<std::string>& texts,
                                         int64_t max_new_tokens) {
  auto enc = l.processor->encode(texts);
  std::vector<const processors::Encoding*> batch;
  for (const auto& e : enc) batch.push_back(&e);
  model.encode(l.processor->to_inputs(batch));
  GenerationOptions options;
  options.max_new_tokens = max_new_tokens;
  options.num_beams = 1;
  options.do_sample = false;
  auto config = GenerationConfig::resolve(l.generation.dump(), l.config.dump(), "", options);
  const int64_t start = *config.decoder_start_token_id;
  auto result = generate(model, std::vector<std::vector<int64_t>>(texts.size(), {start}), config);
  std::vector<std::vector<int64_t>> out;
  for (const auto& item : result.sequences) {
    out.push_back({start});
    out.back().insert(out.back().end(), item[0].tokens.begin(), item[0].tokens.end());
  }
  return out;
}

// transformers.js pads finished rows of a batch with pad_token_id; the loop returns each row alone.
std::vector<int64_t> unpadded(std::vector<int64_t> ids, int64_t eos) {
  auto it = std::find(ids.begin() + 1, ids.end(), eos);
  if (it != ids.end()) ids.erase(it + 1, ids.end());
  return ids;
}

struct ParityCase {
  std::string model, dtype, layout;  // layout: "merged" or "split"
};

void PrintTo(const ParityCase& c, std::ostream* os) { *os << c.model << " " << c.dtype << " " << c.layout; }

class GreedyParity : public ::testing::TestWithParam<ParityCase> {};

TEST_P(GreedyParity, TokenIdsMatchTransformersJs) {
  REQUIRE_MODELS();
  const ParityCase& c = GetParam();
  const std::string suffix = c.dtype == "fp32" ? "" : "_" + c.dtype;
  fs::path start = models() / c.model / ((c.layout == "split" ? "decoder_model" : "encoder_model") + suffix + ".onnx");
  auto l = load(start);
  EXPECT_EQ(l->set.merged(), c.layout == "merged");
  EncoderDecoderModel model(l->encoder, l->decoder, l->with_past ? &*l->with_past : nullptr,
                            EncoderDecoderModel::Settings::from_config(l->config.dump()));
  std::vector<Json> golden = read_jsonl(models() / (c.model + "." + c.dtype + ".golden.jsonl"));
  std::vector<std::string> texts;
  for (const auto& j : read_jsonl(models() / "inputs.jsonl")) texts.push_back(j["text"]);
  ASSERT_EQ(golden.size(), 2 * texts.size());
  size_t checked = 0;
  for (size_t batch : {size_t{1}, size_t{3}}) {
    for (size_t i = 0; i < texts.size(); i += batch) {
      std::vector<std::string> chunk(texts.begin() + i, texts.begin() + std::min(texts.size(), i + batch));
      auto ours = greedy(*l, model, chunk, 12);
      for (size_t r = 0; r < chunk.size(); ++r) {
        const Json& g = golden[(batch == 1 ? 0 : texts.size()) + i + r];
        ASSERT_EQ(g["batch"], batch);
        EXPECT_EQ(ours[r], unpadded(g["output_ids"].get<std::vector<int64_t>>(), l->generation["eos_token_id"]))
            << c.model << " " << c.dtype << " batch " << batch << " text " << i + r << ": " << chunk[r];
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 2 * texts.size());
}

INSTANTIATE_TEST_SUITE_P(
    Sets, GreedyParity,
    ::testing::Values(ParityCase{"t5-translation", "fp32", "merged"}, ParityCase{"t5-translation", "fp32", "split"},
                      ParityCase{"t5-translation", "q4", "merged"}, ParityCase{"t5-summarization", "fp32", "merged"},
                      ParityCase{"t5-summarization", "q4", "merged"}, ParityCase{"bart", "fp32", "merged"},
                      ParityCase{"bart", "fp32", "split"}, ParityCase{"bart", "q4", "merged"},
                      ParityCase{"t5-translation", "fp16", "merged"}, ParityCase{"t5-translation", "q4f16", "merged"},
                      ParityCase{"bart", "fp16", "merged"}, ParityCase{"bart", "q4f16", "merged"}),
    [](const auto& info) {
      std::string n = info.param.model + "_" + info.param.dtype + "_" + info.param.layout;
      std::replace(n.begin(), n.end(), '-', '_');
      return n;
    });

// The fp16 sets (`quantize FOLDER --dtype fp16`: float16 weights and compute, float32 inputs and
// outputs as transformers.js' float16.py keeps them) against their fp32 sets, teacher-forced on the fp32
// greedy sequence so each step sees the same tokens: the logits stay within float16's rounding of the
// fp32 ones, and their argmax agrees except at a near tie (at most one step in all).
TEST(EncoderDecoderModel, Float16SetsStayCloseToFloat32) {
  REQUIRE_MODELS();
  for (const std::string name : {"t5-translation", "bart"}) {
    SCOPED_TRACE(name);
    auto fp32 = load(models() / name / "encoder_model.onnx");
    auto fp16 = load(models() / name / "encoder_model_fp16.onnx");
    EXPECT_EQ(fp16->set.suffix, "_fp16");
    auto settings = EncoderDecoderModel::Settings::from_config(fp32->config.dump());
    EncoderDecoderModel m32(fp32->encoder, fp32->decoder, nullptr, settings);
    EncoderDecoderModel m16(fp16->encoder, fp16->decoder, nullptr, settings);
    std::vector<std::string> texts;
    for (const auto& j : read_jsonl(models() / "inputs.jsonl")) texts.push_back(j["text"]);
    size_t flips = 0, steps = 0;
    for (const auto& text : texts) {
      auto sequence = greedy(*fp32, m32, {text}, 12)[0];
      auto enc = fp32->processor->encode({text});
      std::vector<const processors::Encoding*> batch = {&enc[0]};
      m32.encode(fp32->processor->to_inputs(batch));
      m16.encode(fp16->processor->to_inputs(batch));
      std::vector<float> l32, l16;
      float worst = 0, scale = 0;
      for (size_t t = 0; t + 1 < sequence.size(); ++t) {
        m32.step({{sequence[t]}}, l32);
        m16.step({{sequence[t]}}, l16);
        ASSERT_EQ(l32.size(), l16.size());
        float step_worst = 0;
        for (size_t k = 0; k < l32.size(); ++k) {
          step_worst = std::max(step_worst, std::abs(l32[k] - l16[k]));
          scale = std::max(scale, std::abs(l32[k]));
        }
        worst = std::max(worst, step_worst);
        // The fp16 choice is the fp32 one, or one whose fp32 logit is within the two models' difference of
        // the best (a near tie that float16 rounding may flip).
        const size_t pick16 = std::max_element(l16.begin(), l16.end()) - l16.begin();
        const float best32 = *std::max_element(l32.begin(), l32.end());
        EXPECT_GE(l32[pick16], best32 - 2 * step_worst) << text << " step " << t;
        flips += l32[pick16] != best32;
        ++steps;
      }
      // float16 keeps 11 significant bits (relative rounding 2^-11 = 4.9e-4 per operation); through two
      // layers and the x8-scaled LM head the logits (|x| up to `scale`) moved by at most 0.3% of it here.
      EXPECT_LT(worst, 3e-3 * scale) << text << ": max |fp16 - fp32| " << worst << " of logits up to " << scale;
    }
    EXPECT_LE(flips, 1u) << "of " << steps << " steps";
  }
}

// Seeded sampling through the runner: the same seed gives the same tokens, other seeds other tokens, and
// every sampled token is one Python's warpers leave (transformers v4.57 generation/logits_process.py, in
// _get_logits_processor's order: TemperatureLogitsWarper, TopKLogitsWarper keeping the scores >= the
// k-th largest, TopPLogitsWarper removing the ascending-sorted tokens whose cumulative probability is
// <= 1 - top_p, the top one always kept), recomputed here from the step's logits (teacher-forced).
TEST(EncoderDecoderModel, SeededSamplingFollowsPythonWarpers) {
  REQUIRE_MODELS();
  auto l = load(models() / "t5-translation");
  EncoderDecoderModel model(l->encoder, l->decoder, nullptr,
                            EncoderDecoderModel::Settings::from_config(l->config.dump()));
  const std::string text = "translate English to French: The house is wonderful.";
  auto enc = l->processor->encode({text});
  std::vector<const processors::Encoding*> batch = {&enc[0]};
  const double temperature = 0.7, top_p = 0.9;
  const int64_t top_k = 20;
  auto sample = [&](uint64_t seed) {
    model.encode(l->processor->to_inputs(batch));
    GenerationOptions o;
    o.max_new_tokens = 12;
    o.num_beams = 1;
    o.do_sample = true;
    o.temperature = temperature;
    o.top_k = top_k;
    o.top_p = top_p;
    o.seed = seed;
    auto config = GenerationConfig::resolve(l->generation.dump(), l->config.dump(), "", o);
    return generate(model, {{*config.decoder_start_token_id}}, config).sequences[0][0].tokens;
  };
  const auto first = sample(7);
  EXPECT_EQ(sample(7), first);
  bool other = false;
  for (uint64_t seed : {8, 9, 10}) other = other || sample(seed) != first;
  EXPECT_TRUE(other) << "three other seeds all gave the same tokens";
  // The allowed set at each step, by Python's rules.
  model.encode(l->processor->to_inputs(batch));
  std::vector<float> logits;
  int64_t previous = 0;  // t5's decoder_start_token_id
  for (size_t t = 0; t < first.size(); ++t) {
    model.step({{previous}}, logits);
    std::vector<double> scores(logits.begin(), logits.end());
    for (auto& x : scores) x /= temperature;
    std::vector<double> sorted = scores;
    std::nth_element(sorted.begin(), sorted.begin() + (top_k - 1), sorted.end(), std::greater<>());
    const double kth = sorted[top_k - 1];
    std::vector<size_t> kept;
    for (size_t k = 0; k < scores.size(); ++k)
      if (scores[k] >= kth) kept.push_back(k);
    std::sort(kept.begin(), kept.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
    double best = scores[kept.back()], sum = 0;
    for (size_t k : kept) sum += std::exp(scores[k] - best);
    double cumulative = 0;
    std::vector<size_t> allowed;
    for (size_t i = 0; i < kept.size(); ++i) {
      cumulative += std::exp(scores[kept[i]] - best) / sum;
      if (cumulative > 1 - top_p || i + 1 == kept.size()) allowed.push_back(kept[i]);
    }
    EXPECT_NE(std::find(allowed.begin(), allowed.end(), static_cast<size_t>(first[t])), allowed.end())
        << "step " << t << ": token " << first[t] << " is outside the " << allowed.size() << " tokens top-k " << top_k
        << " / top-p " << top_p << " leave";
    previous = first[t];
  }
}

// Beam search through the runner (caches reordered by select_rows) against Python's rules on the torch
// network's own logits (scripts/golden/seq2seq_beam.py): the same hypotheses in the same order, scores
// within float32 noise; each text alone and both in one batch (items are independent).
TEST(EncoderDecoderModel, BeamSearchFollowsPythonRules) {
  REQUIRE_MODELS();
  auto l = load(models() / "t5-translation");
  EncoderDecoderModel model(l->encoder, l->decoder, nullptr,
                            EncoderDecoderModel::Settings::from_config(l->config.dump()));
  std::map<std::string, std::vector<Json>> cases;
  std::vector<std::string> order;
  for (const auto& j : read_jsonl(models() / "beam.golden.jsonl")) {
    if (!cases.count(j["case"])) order.push_back(j["case"]);
    cases[j["case"]].push_back(j);
  }
  ASSERT_EQ(order.size(), 4u);
  for (const auto& name : order) {
    const auto& items = cases[name];
    const Json& o = items[0]["options"];
    GenerationOptions options;
    options.num_beams = o["num_beams"].get<int64_t>();
    options.max_new_tokens = o["max_new_tokens"].get<int64_t>();
    options.eos_token_id = o["eos_token_id"].get<std::vector<int64_t>>();
    if (o.contains("length_penalty")) options.length_penalty = o["length_penalty"].get<double>();
    if (o.contains("no_repeat_ngram_size")) options.no_repeat_ngram_size = o["no_repeat_ngram_size"].get<int64_t>();
    if (o.contains("num_return_sequences")) options.num_return_sequences = o["num_return_sequences"].get<int64_t>();
    if (o.contains("early_stopping"))
      options.early_stopping = o["early_stopping"].is_string()   ? EarlyStopping::kNever
                               : o["early_stopping"].get<bool>() ? EarlyStopping::kTrue
                                                                 : EarlyStopping::kFalse;
    auto config = GenerationConfig::resolve(l->generation.dump(), l->config.dump(), "", options);
    for (size_t batch : {size_t{1}, items.size()}) {
      for (size_t first = 0; first < items.size(); first += batch) {
        const size_t n = std::min(batch, items.size() - first);
        size_t longest = 0;
        for (size_t i = 0; i < n; ++i) longest = std::max(longest, items[first + i]["input_ids"].size());
        std::vector<int64_t> ids, mask;
        for (size_t i = 0; i < n; ++i) {
          auto row = items[first + i]["input_ids"].get<std::vector<int64_t>>();
          for (size_t k = 0; k < longest; ++k) {
            ids.push_back(k < row.size() ? row[k] : 0);
            mask.push_back(k < row.size() ? 1 : 0);
          }
        }
        const std::vector<int64_t> shape = {static_cast<int64_t>(n), static_cast<int64_t>(longest)};
        model.encode({{"input_ids", Tensor::int64(shape, ids)}, {"attention_mask", Tensor::int64(shape, mask)}});
        auto result = generate(model, std::vector<std::vector<int64_t>>(n, {0}), config);
        ASSERT_EQ(result.sequences.size(), n);
        for (size_t i = 0; i < n; ++i) {
          const Json& want = items[first + i]["sequences"];
          const auto& got = result.sequences[i];
          ASSERT_EQ(got.size(), want.size()) << name << " batch " << batch << " item " << first + i;
          for (size_t k = 0; k < got.size(); ++k) {
            EXPECT_EQ(got[k].tokens, want[k]["tokens"].get<std::vector<int64_t>>())
                << name << " batch " << batch << " item " << first + i << " sequence " << k;
            // torch's and ONNX Runtime's float32 kernels differ by ~1e-5 on these (x8-scaled) logits; summed
            // over the steps the scores differ by up to 1.02e-4 (measured).
            EXPECT_NEAR(got[k].score, want[k]["score"].get<double>(), 5e-4) << name << " sequence " << k;
          }
        }
      }
    }
  }
}

// The text2text-generation pipeline (the set's folder, metadata embedded in each file) returns
// transformers.js' decoded text for the same greedy ids.
TEST(Seq2SeqPipeline, GeneratedTextMatchesTransformersJs) {
  REQUIRE_MODELS();
  std::vector<PipelineInput> inputs;
  for (const auto& j : read_jsonl(models() / "inputs.jsonl")) inputs.push_back({.text = j["text"]});
  for (const std::string name : {"t5-translation", "bart"}) {
    auto pipe = pipeline(models() / name, "text2text-generation");
    PipelineOptions o;
    o.generation.max_new_tokens = 12;
    o.generation.num_beams = 1;
    o.batch_size = 3;
    auto results = pipe->run(inputs, o);
    std::vector<Json> golden = read_jsonl(models() / (name + ".fp32.golden.jsonl"));
    for (size_t i = 0; i < inputs.size(); ++i)
      EXPECT_EQ(results[i], Json::array({{{"generated_text", golden[i]["text"]}}}).dump()) << name << " " << i;
  }
}

// The Marian pair model (tokenizers/nmt-marian, decoder start = pad, bad_words_ids [[pad]], forced eos
// at max_length): greedy ids identical to transformers.js 4.3.1's from the same encoder ids. The ids are
// transformers.js' own: its tokenizer differs from Hugging Face tokenizers (which ours matches, the
// conformance suite) on this tokenizer's case-marking Precompiled normalizer ("Hello": theirs
// [278, 1, 3345, 2044], ours and tokenizers' [278, 352, 13919]).
TEST(EncoderDecoderModel, MarianGreedyIdsMatchTransformersJsFromItsEncoderIds) {
  REQUIRE_MODELS();
  auto l = load(models() / "marian");
  EncoderDecoderModel model(l->encoder, l->decoder, nullptr,
                            EncoderDecoderModel::Settings::from_config(l->config.dump()));
  std::vector<Json> golden = read_jsonl(models() / "marian.fp32.golden.jsonl");
  ASSERT_EQ(golden.size(), 4u);
  GenerationOptions options;
  options.max_new_tokens = 12;
  options.num_beams = 1;
  options.do_sample = false;
  auto config = GenerationConfig::resolve(l->generation.dump(), l->config.dump(), "", options);
  EXPECT_EQ(*config.decoder_start_token_id, 32000);
  for (const auto& g : golden) {
    auto ids = g["input_ids"].get<std::vector<int64_t>>();
    const std::vector<int64_t> shape = {1, static_cast<int64_t>(ids.size())};
    model.encode({{"input_ids", Tensor::int64(shape, ids)},
                  {"attention_mask", Tensor::int64(shape, std::vector<int64_t>(ids.size(), 1))}});
    auto result = generate(model, {{*config.decoder_start_token_id}}, config);
    std::vector<int64_t> ours = {*config.decoder_start_token_id};
    ours.insert(ours.end(), result.sequences[0][0].tokens.begin(), result.sequences[0][0].tokens.end());
    EXPECT_EQ(ours, unpadded(g["output_ids"].get<std::vector<int64_t>>(), 0)) << g["text"];
    EXPECT_EQ(std::count(ours.begin() + 1, ours.end(), 32000), 0);  // bad_words_ids [[pad]]
  }
}

// Multilingual translation on the M2M100-shaped set (t5-small's vocabulary + __en__ __de__ __fr__
// __ro__, template "__en__ $A </s>"): the source language replaces the template's language token, the
// target language's token is forced first (forced_bos_token_id), as Python's TranslationPipeline and
// transformers.js 4.3.1's _build_translation_inputs do. Encoder ids, greedy ids (fp32 and q4) and the
// pipeline's text against transformers.js (scripts/golden/translation.mjs).
TEST(Seq2SeqPipeline, MultilingualTranslationMatchesTransformersJs) {
  REQUIRE_MODELS();
  const fs::path set = models() / "m2m100";
  std::vector<Json> cases = read_jsonl(models() / "translation_cases.jsonl");
  ASSERT_EQ(cases.size(), 4u);
  for (const std::string dtype : {"fp32", "q4"}) {
    SCOPED_TRACE(dtype);
    auto l = load(set / (dtype == "fp32" ? "encoder_model.onnx" : "encoder_model_q4.onnx"));
    auto languages = TranslationLanguages::from_tokenizer_json(*l->processor->files().get("tokenizer.json"));
    EXPECT_EQ(languages.codes(), (std::vector<std::string>{"en", "de", "fr", "ro"}));
    EncoderDecoderModel model(l->encoder, l->decoder, nullptr,
                              EncoderDecoderModel::Settings::from_config(l->config.dump()));
    std::vector<Json> golden = read_jsonl(models() / ("m2m100." + dtype + ".translation.jsonl"));
    auto pipe = dtype == "fp32" ? pipeline(set, "translation") : nullptr;
    size_t row = 0;
    for (size_t c = 0; c < cases.size(); ++c) {
      std::vector<std::string> texts = cases[c]["texts"];
      auto enc = l->processor->encode(texts);
      if (cases[c].contains("src_lang")) languages.set_source(enc, languages.token(cases[c]["src_lang"], "--src-lang"));
      std::vector<const processors::Encoding*> batch;
      for (const auto& e : enc) batch.push_back(&e);
      model.encode(l->processor->to_inputs(batch));
      GenerationOptions options;
      options.max_new_tokens = 10;
      options.num_beams = 1;
      options.do_sample = false;
      options.forced_bos_token_id = languages.token(cases[c]["tgt_lang"], "--tgt-lang");
      auto config = GenerationConfig::resolve(l->generation.dump(), l->config.dump(), "", options);
      const int64_t start = *config.decoder_start_token_id;
      auto result = generate(model, std::vector<std::vector<int64_t>>(texts.size(), {start}), config);
      PipelineOptions po;
      po.generation.max_new_tokens = 10;
      po.generation.num_beams = 1;
      po.batch_size = texts.size();
      po.tgt_lang = cases[c]["tgt_lang"];
      if (cases[c].contains("src_lang")) po.src_lang = cases[c]["src_lang"];
      std::vector<PipelineInput> inputs;
      for (const auto& t : texts) inputs.push_back({.text = t});
      std::vector<std::string> texts_out = pipe ? pipe->run(inputs, po) : std::vector<std::string>();
      for (size_t r = 0; r < texts.size(); ++r, ++row) {
        const Json& g = golden.at(row);
        ASSERT_EQ(g["case"], c);
        EXPECT_EQ(std::vector<int64_t>(enc[r].ids.begin(), enc[r].ids.end()),
                  g["input_ids"].get<std::vector<int64_t>>())
            << "case " << c << " text " << r;
        std::vector<int64_t> ours = {start};
        ours.insert(ours.end(), result.sequences[r][0].tokens.begin(), result.sequences[r][0].tokens.end());
        EXPECT_EQ(ours, unpadded(g["output_ids"].get<std::vector<int64_t>>(), l->generation["eos_token_id"]))
            << "case " << c << " text " << r;
        EXPECT_EQ(ours.at(1), *options.forced_bos_token_id);
        if (pipe) EXPECT_EQ(texts_out[r], Json::array({{{"translation_text", g["text"]}}}).dump()) << "case " << c;
      }
    }
    EXPECT_EQ(row, golden.size());
  }
}

// Beam-style row selection: expanding every row, reordering and dropping rows must give each row the
// logits it would have had alone (the caches and encoder states travel with their rows).
TEST(EncoderDecoderModel, SelectRowsCarriesCachesWithTheirRows) {
  REQUIRE_MODELS();
  auto l = load(models() / "t5-translation");
  EncoderDecoderModel model(l->encoder, l->decoder, nullptr,
                            EncoderDecoderModel::Settings::from_config(l->config.dump()));
  std::vector<std::string> texts = {"translate English to French: Good morning.", "Hello there, how are you?"};
  auto enc = l->processor->encode(texts);
  auto run_alone = [&](size_t r, const std::vector<int64_t>& tokens) {
    const auto& e = enc[r];
    std::vector<int64_t> ids(e.ids.begin(), e.ids.end()), mask(e.ids.size(), 1);
    const int64_t n = static_cast<int64_t>(ids.size());
    model.encode({{"input_ids", Tensor::int64({1, n}, ids)}, {"attention_mask", Tensor::int64({1, n}, mask)}});
    std::vector<float> logits;
    for (int64_t t : tokens) model.step({{t}}, logits);
    return logits;
  };
  const std::vector<int64_t> a = {0, 100, 200}, b = {0, 300, 400};
  std::vector<float> alone_a = run_alone(0, a), alone_b = run_alone(1, b);
  // Batched: both texts, expanded ×2 after the first step, then reordered to b, a and one row dropped.
  size_t longest = std::max(enc[0].ids.size(), enc[1].ids.size());
  std::vector<int64_t> ids, mask;
  for (const auto& e : enc)
    for (size_t k = 0; k < longest; ++k) {
      ids.push_back(k < e.ids.size() ? e.ids[k] : 0);
      mask.push_back(k < e.ids.size() ? 1 : 0);
    }
  const int64_t n = static_cast<int64_t>(longest);
  model.encode({{"input_ids", Tensor::int64({2, n}, ids)}, {"attention_mask", Tensor::int64({2, n}, mask)}});
  std::vector<float> logits;
  model.step({{0}, {0}}, logits);
  model.select_rows({0, 0, 1, 1});
  model.step({{a[1]}, {999}, {b[1]}, {999}}, logits);
  model.select_rows({2, 0});  // rows: b's first copy, a's first copy
  model.step({{b[2]}, {a[2]}}, logits);
  const size_t v = model.vocab_size();
  ASSERT_EQ(logits.size(), 2 * v);
  float max_b = 0, max_a = 0;
  for (size_t k = 0; k < v; ++k) {
    max_b = std::max(max_b, std::abs(logits[k] - alone_b[k]));
    max_a = std::max(max_a, std::abs(logits[v + k] - alone_a[k]));
  }
  // Padding changes only the summation order of the masked softmax: float32 rounding.
  EXPECT_LT(max_b, 1e-4);
  EXPECT_LT(max_a, 1e-4);
}

// A set that is not one, by what is wrong: each a clear error naming the file or tensor.
TEST(EncoderDecoderSet, BadInputTable) {
  REQUIRE_MODELS();
  test::ScratchDir scratch;
  const fs::path tmp = scratch.path();
  struct Case {
    std::string name;
    std::vector<std::pair<fs::path, std::string>> files;  // source → name in the folder
    std::string expected;                                 // in the error or the finding
  };
  const fs::path t5 = models() / "t5-translation", bart = models() / "bart", wide = models() / "hidden64";
  std::vector<Case> cases = {
      {"missing decoder",
       {{t5 / "encoder_model.onnx", "encoder_model.onnx"}},
       "missing sibling 'decoder_model_merged.onnx' (or decoder_model.onnx + decoder_with_past_model.onnx)"},
      {"missing decoder_with_past",
       {{t5 / "encoder_model.onnx", "encoder_model.onnx"}, {t5 / "decoder_model.onnx", "decoder_model.onnx"}},
       "missing sibling 'decoder_with_past_model.onnx'"},
      {"vocabularies disagree",
       {{t5 / "encoder_model.onnx", "encoder_model.onnx"},
        {bart / "decoder_model_merged.onnx", "decoder_model_merged.onnx"}},
       "vocabularies disagree: 'decoder_model_merged.onnx' logits has 50265 entries, config.json vocab_size is 32128"},
      {"hidden sizes disagree",
       {{t5 / "encoder_model.onnx", "encoder_model.onnx"},
        {wide / "decoder_model_merged.onnx", "decoder_model_merged.onnx"}},
       "hidden sizes disagree: 'encoder_model.onnx' last_hidden_state has 32 features, 'decoder_model_merged.onnx' "
       "encoder_hidden_states expects 64"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    fs::path dir = tmp / c.name;
    fs::create_directories(dir);
    for (const auto& [from, to] : c.files) fs::create_symlink(from, dir / to);
    std::string message;
    try {
      auto set = metadata::find_encoder_decoder_set(dir);
      for (const auto& f : metadata::validate_encoder_decoder_set(set)) message += f.message + "\n";
    } catch (const MetadataReadError& e) { message = e.what(); }
    EXPECT_NE(message.find(c.expected), std::string::npos) << message;
  }
}

// `run` on a set: the folder or any file of it, the result keys of each task, T5's task_specific_params
// (translation_en_to_fr's num_beams 4 gives 4 return sequences when asked), and the bad-input table:
// each a usage error (exit 2) naming the option or file.
TEST(Seq2SeqCli, RunTable) {
  REQUIRE_MODELS();
  const std::string t5 = (models() / "t5-translation").string(), bart = (models() / "bart").string();
  const std::string m2m = (models() / "m2m100").string();
  test::ScratchDir scratch;
  fs::create_directories(scratch / "lonely");
  fs::create_symlink(models() / "t5-translation" / "encoder_model.onnx", scratch / "lonely" / "encoder_model.onnx");
  const std::string lonely = (scratch / "lonely").string();
  const std::string classifier = (test::fixtures_dir() / "tiny-text-classifier" / "model.onnx").string();
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string expected;  // in stdout (exit 0) or stderr
  };
  const std::vector<Case> cases = {
      {{t5, "Hi", "--task", "translation", "--max-new-tokens", "3", "--json"}, 0, "[{\"translation_text\":"},
      {{t5 + "/decoder_model_merged.onnx", "Hi", "--task", "summarization", "--max-new-tokens", "3", "--json"},
       0,
       "[{\"summary_text\":"},
      {{bart + "/encoder_model_q4.onnx", "Hi", "--max-new-tokens", "3", "--json"}, 0, "[{\"generated_text\":"},
      {{t5, "Hi", "--task", "translation_en_to_fr", "--max-new-tokens", "3", "--num-return-sequences", "4", "--json"},
       0,
       "},{\"translation_text\":"},
      {{lonely, "Hi"}, 2, "missing sibling 'decoder_model_merged.onnx'"},
      {{t5, "Hi", "--task", "text2text-generation", "--do-sample", "--top-k", "5", "--top-p", "0.9", "--temperature",
        "0.8", "--seed", "3", "--max-new-tokens", "4", "--num-beams", "1", "--json"},
       0,
       "[{\"generated_text\":"},
      {{t5, "Hi", "--task", "summarization", "--do-sample", "--top-k", "5", "--max-new-tokens", "3", "--num-beams",
        "1"},
       0,
       ""},
      {{t5, "Hi", "--num-beams", "0"}, 2, "num_beams"},
      {{t5, "Hi", "--length-penalty", "abc"}, 2, "--length-penalty must be a number; got 'abc'"},
      {{t5, "Hi", "--early-stopping=sometimes"}, 2, "--early-stopping takes true, false or never; got 'sometimes'"},
      {{t5, "Hi", "--task", "summarization", "--tgt-lang", "fr"}, 2, "--tgt-lang does not apply to summarization"},
      {{t5, "Hi", "--task", "translation", "--tgt-lang", "zz_ZZ"},
       2,
       "--tgt-lang zz_ZZ: this model is not multilingual (its tokenizer has no language tokens"},
      {{m2m, "Hi", "--task", "translation", "--max-new-tokens", "3"},
       2,
       "translation with this multilingual model needs --tgt-lang (its languages: en, de, fr, ro)"},
      {{m2m, "Hi", "--task", "translation", "--tgt-lang", "zz"},
       2,
       "--tgt-lang zz: not a language of this model; its languages: en, de, fr, ro"},
      {{m2m, "Hi", "--task", "translation", "--src-lang", "fra_Latn", "--tgt-lang", "fr"},
       2,
       "--src-lang fra_Latn: not a language of this model; its languages: en, de, fr, ro"},
      {{m2m, "Hi", "--task", "translation_en_to_fr", "--max-new-tokens", "3", "--num-beams", "1", "--json"},
       0,
       "[{\"translation_text\":"},
      {{t5, "Hi", "--task", "fill-mask"}, 2, "an encoder-decoder set runs text2text-generation"},
      {{classifier, "Hi", "--num-beams", "2"}, 2, "--num-beams does not apply to text-classification"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"run"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = test::run_cli(args);
    std::string all;
    for (const auto& a : c.args) all += a + " ";
    EXPECT_EQ(r.exit_code, c.exit_code) << all << "\n" << r.err;
    EXPECT_NE((c.exit_code == 0 ? r.out : r.err).find(c.expected), std::string::npos) << all << "\n" << r.out << r.err;
  }
}

// quantize on a set's folder: every file converted into OUT_DIR under transformers.js' dtype names, each
// self-contained (validate passes on the new set); the bad-input rows leave nothing written.
TEST(Seq2SeqCli, QuantizeSetTable) {
  REQUIRE_MODELS();
  test::ScratchDir scratch;
  const std::string t5 = (models() / "t5-translation").string();
  const fs::path out = scratch / "fp16";
  auto r = test::run_cli({"quantize", t5, "-o", out.string(), "--dtype", "fp16", "--no-accuracy", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::list_files(out),
            (std::vector<std::string>{"decoder_model_merged_fp16.onnx", "encoder_model_fp16.onnx"}));
  Json report = parse_json(r.out, "quantize --json");
  ASSERT_EQ(report["files"].size(), 2u);
  EXPECT_EQ(report["files"][0]["output"], (out / "encoder_model_fp16.onnx").string());
  auto v = test::run_cli({"validate", (out / "decoder_model_merged_fp16.onnx").string()});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  fs::create_directories(scratch / "lonely");
  fs::create_symlink(models() / "t5-translation" / "encoder_model.onnx", scratch / "lonely" / "encoder_model.onnx");
  struct Case {
    std::vector<std::string> args;
    std::string expected;  // in stderr; exit 2
  };
  const std::vector<Case> cases = {
      {{t5, "--dtype", "fp16"}, "give the output folder with -o OUT_DIR"},
      {{t5, "--layout", "transformers.js", (scratch / "tjs").string()}, "--layout takes one .onnx file"},
      {{t5, "-o", out.string(), "--dtype", "fp16"}, "encoder_model_fp16.onnx' already exists; nothing is overwritten"},
      {{(scratch / "lonely").string(), "-o", (scratch / "never").string()},
       "missing sibling 'decoder_model_merged.onnx'"},
      {{out.string(), "-o", (scratch / "never").string()}, "holds no float32 set (encoder_model.onnx)"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"quantize"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto q = test::run_cli(args);
    EXPECT_EQ(q.exit_code, 2) << c.expected;
    EXPECT_NE(q.err.find(c.expected), std::string::npos) << q.err;
  }
  EXPECT_FALSE(fs::exists(scratch / "never"));
  EXPECT_FALSE(fs::exists(scratch / "tjs"));
  EXPECT_EQ(test::list_files(out).size(), 2u);
}

// embed-metadata on a folder embeds into every file; validate on the folder checks the files and the set.
TEST(Seq2SeqCli, EmbedFolderThenValidateSet) {
  REQUIRE_MODELS();
  test::ScratchDir scratch;
  const fs::path src = models() / "t5-summarization";
  fs::create_directories(scratch / "raw");
  for (const char* f : {"encoder_model.onnx", "decoder_model_merged.onnx"})
    fs::copy_file(models() / "raw" / f, scratch / "raw" / f);
  // Re-embedding from the embedded files' own folder: unpack gives the Hugging Face files back.
  auto u = test::run_cli({"unpack", (src / "encoder_model.onnx").string(), (scratch / "hf").string(), "-q"});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  auto e = test::run_cli({"embed-metadata", (scratch / "raw").string(), (scratch / "hf").string(), "-o",
                          (scratch / "out").string(), "-q"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_EQ(test::list_files(scratch / "out"),
            (std::vector<std::string>{"decoder_model_merged.onnx", "encoder_model.onnx"}));
  auto v = test::run_cli({"validate", (scratch / "out").string()});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_NE(v.out.find("encoder-decoder set"), std::string::npos) << v.out;
  // The raw files carry no metadata: the set check says so for each.
  auto bad = test::run_cli({"validate", (scratch / "raw").string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.out.find("'encoder_model.onnx' carries no modelexport metadata"), std::string::npos) << bad.out;
}

}  // namespace
}  // namespace modelexport::runtime::generation
