// DecoderModel (the KV-cache runner) against transformers.js 4.3.1 on the generated decoders (CTest
// fixture decoder_models): greedy argmax over its logits reproduces transformers.js' greedy token
// ids, single and batched (left padding), fp32 and q4; plus the corpus's onnxruntime-genai models and
// the cache bookkeeping (select_rows, reserve) against a full recompute.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>

#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "modelexport/metadata/model_files.h"
#include "modelexport/processors/tokenizer.h"
#include "modelexport/runtime/generation.h"
#include "runtime/generation/decoder_model.h"
#include "runtime/generation/generate.h"
#include "runtime/generation/generation_config.h"
#include "runtime/generation/sampler.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using modelexport::Json;
using modelexport::runtime::AutoModel;
using modelexport::runtime::generation::DecoderModel;

namespace {

fs::path decoder_models() {
  const char* dir = std::getenv("DECODER_MODELS");
  return dir && fs::exists(fs::path(dir) / "golden") ? fs::path(dir) : fs::path();
}

fs::path corpus() {
  const char* dir = std::getenv("MODELEXPORT_CORPUS");
  fs::path p = dir ? fs::path(dir) : fs::path(MODELEXPORT_SOURCE_DIR) / "../shared/corpus";
  return fs::exists(p / "models") ? p : fs::path();
}

std::vector<Json> read_jsonl(const fs::path& path) {
  std::ifstream in(path);
  std::vector<Json> out;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(modelexport::parse_json(line, path.string()));
  return out;
}

// One intra-op thread: the models are tiny, and CI's two cores are shared by parallel tests.
modelexport::runtime::SessionOptions one_thread() {
  modelexport::runtime::SessionOptions o;
  o.intra_op_threads = 1;
  return o;
}

DecoderModel::Settings settings_of(const fs::path& model) {
  auto files = modelexport::metadata::ModelFiles::from_model(model);
  const std::string* config = files.get("config.json");
  const std::string* genai = files.get("genai_config.json");
  return DecoderModel::Settings::from_configs(config ? *config : "", genai ? *genai : "");
}

// Greedy decoding straight over the runner's logits: `steps` tokens per row (rows stop at `eos`).
std::vector<std::vector<int64_t>> greedy(DecoderModel& m, std::vector<std::vector<int64_t>> prompts, size_t steps,
                                         int64_t eos = -1) {
  std::vector<std::vector<int64_t>> out(prompts.size());
  std::vector<float> logits;
  std::vector<std::vector<int64_t>> feed = prompts;
  std::vector<bool> done(prompts.size(), false);
  for (size_t s = 0; s < steps; ++s) {
    m.step(feed, logits);
    for (size_t r = 0; r < feed.size(); ++r) {
      auto t = static_cast<int64_t>(modelexport::runtime::generation::argmax(
          std::span<const float>(logits.data() + r * m.vocab_size(), m.vocab_size())));
      if (!done[r]) out[r].push_back(t);
      if (t == eos) done[r] = true;
      feed[r] = {t};
    }
    if (std::all_of(done.begin(), done.end(), [](bool d) { return d; })) break;
  }
  return out;
}

}  // namespace

// Cases without logits processors: plain greedy, single and batched.
TEST(DecoderModel, GreedyMatchesTransformersJs) {
  fs::path dir = decoder_models();
  if (dir.empty()) GTEST_SKIP() << "DECODER_MODELS not built (needs the corpus and node)";
  size_t compared = 0;
  for (const std::string name : {"llama", "gpt2", "llama-q4", "gpt2-q4"}) {
    AutoModel session = AutoModel::from_model(dir / (name + ".onnx"), one_thread());
    DecoderModel model(session, settings_of(dir / (name + ".onnx")));
    for (const Json& c : read_jsonl(dir / "golden" / (name + ".jsonl"))) {
      const Json& o = c["options"];
      if (o.size() != 1 && !(o.size() == 2 && o.contains("eos_token_id"))) continue;  // processors: the pipeline test
      std::vector<std::vector<int64_t>> prompts;
      std::vector<std::vector<int64_t>> expected;
      for (size_t r = 0; r < c["input_ids"].size(); ++r) {
        std::vector<int64_t> p;
        for (size_t k = 0; k < c["input_ids"][r].size(); ++k)
          if (c["attention_mask"][r][k] == 1) p.push_back(c["input_ids"][r][k]);
        std::vector<int64_t> e(c["sequences"][r].begin() + static_cast<std::ptrdiff_t>(c["input_ids"][r].size()),
                               c["sequences"][r].end());
        prompts.push_back(p);
        expected.push_back(e);
      }
      const int64_t eos = o.contains("eos_token_id") ? o["eos_token_id"].get<int64_t>() : -1;
      model.reset();
      auto got = greedy(model, prompts, o["max_new_tokens"].get<size_t>(), eos);
      for (size_t r = 0; r < got.size(); ++r) {
        // transformers.js pads finished rows with the pad token; compare up to eos.
        auto& e = expected[r];
        if (eos >= 0) {
          auto at = std::find(e.begin(), e.end(), eos);
          if (at != e.end()) e.erase(at + 1, e.end());
        }
        EXPECT_EQ(got[r], e) << name << " case " << c.dump() << " row " << r;
      }
      ++compared;
    }
  }
  EXPECT_GE(compared, 12u);
}

// select_rows (drop, reorder, repeat) and a reserve() smaller than the generation (the cache grows)
// give the logits a fresh run of the selected prompts gives.
TEST(DecoderModel, SelectRowsAndGrowthKeepTheCache) {
  fs::path dir = decoder_models();
  if (dir.empty()) GTEST_SKIP() << "DECODER_MODELS not built";
  for (const std::string name : {"llama", "gpt2"}) {
    AutoModel session = AutoModel::from_model(dir / (name + ".onnx"), one_thread());
    DecoderModel a(session, settings_of(dir / (name + ".onnx")));
    DecoderModel b(session, settings_of(dir / (name + ".onnx")));
    std::vector<std::vector<int64_t>> prompts = {{10, 11, 12}, {20, 21}, {30, 31, 32, 33}};
    a.reserve(3, 4);  // too small: grows while generating
    std::vector<float> la, lb;
    a.step(prompts, la);
    a.step({{5}, {6}, {7}}, la);
    a.select_rows({2, 0, 0});
    a.step({{8}, {9}, {9}}, la);
    b.step({{30, 31, 32, 33}, {10, 11, 12}, {10, 11, 12}}, lb);
    b.step({{7}, {5}, {5}}, lb);
    b.step({{8}, {9}, {9}}, lb);
    ASSERT_EQ(la.size(), lb.size());
    double worst = 0;
    for (size_t k = 0; k < la.size(); ++k) worst = std::max(worst, std::abs(double(la[k]) - lb[k]));
    EXPECT_LT(worst, 1e-4) << name;
  }
}

// The corpus's onnxruntime-genai decoders: the cached run gives the logits of a full recompute of
// the same tokens, each run from its self-contained file (qwen35: GroupQueryAttention with the shared past/present
// buffer, float16; gpt2: past_%d [2, batch, heads, past, head] with int32 ids; LFM2: convolution states beside the KV
// cache).
TEST(DecoderModel, GenaiModelsMatchFullRecompute) {
  fs::path c = corpus();
  if (c.empty()) GTEST_SKIP() << "corpus missing";
  struct Case {
    std::string folder, file;
    double tolerance;
  };
  for (const Case& k :
       {Case{"genai-tiny-random-gpt2-fp32", "past.onnx", 1e-4}, Case{"genai-tiny-qwen35-fp16", "decoder.onnx", 2e-2},
        Case{"genai-tiny-random-lfm2-fp32", "decoder.onnx", 1e-4}}) {
    // From the self-contained file: embed-metadata carries genai_config.json into it.
    fs::path folder = c / "models" / k.folder;
    modelexport::test::ScratchDir dir;
    const fs::path model = dir / "decoder.onnx";
    auto embedded = modelexport::test::run_cli(
        {"embed-metadata", (folder / k.file).string(), folder.string(), "-o", model.string(), "-q"});
    ASSERT_EQ(embedded.exit_code, 0) << embedded.err;
    ASSERT_TRUE(modelexport::metadata::ModelFiles::from_model(model).has("genai_config.json")) << k.folder;
    AutoModel session = AutoModel::from_model(model, {});
    auto settings = settings_of(model);
    DecoderModel cached(session, settings);
    std::vector<int64_t> prompt = {5, 17, 42, 7};
    std::vector<float> logits, full;
    cached.step({prompt}, logits);
    std::vector<int64_t> seq = prompt;
    for (int s = 0; s < 6; ++s) {
      auto t = static_cast<int64_t>(modelexport::runtime::generation::argmax(std::span<const float>(logits)));
      seq.push_back(t);
      cached.step({{t}}, logits);
    }
    DecoderModel fresh(session, settings);
    fresh.step({seq}, full);
    double worst = 0;
    for (size_t i = 0; i < full.size(); ++i) worst = std::max(worst, std::abs(double(full[i]) - logits[i]));
    EXPECT_LT(worst, k.tolerance) << k.folder;
  }
}

namespace {

// Every golden case of `golden` (transformers.js' ids) through the generation core's generate() over
// the runner `make` builds, with the model's generation_config.json / config.json (read from
// `files_from`) and the case's options (repetition_penalty, no_repeat_ngram_size, min_new_tokens,
// eos_token_id): the token ids transformers.js generated, and our tokenizer's prompt ids equal to
// transformers.js'. Returns the number of cases compared.
size_t check_golden_cases(const fs::path& files_from, const std::string& golden,
                          const std::function<std::unique_ptr<DecoderModel>()>& make) {
  namespace gen = modelexport::runtime::generation;
  fs::path dir = decoder_models();
  auto files = modelexport::metadata::ModelFiles::from_model(files_from);
  auto text = [&](const char* f) { return files.get(f) ? *files.get(f) : std::string(); };
  auto tokenizer = modelexport::processors::Tokenizer::from_json(text("tokenizer.json"));
  std::vector<Json> cases = read_jsonl(dir / "golden" / (golden + ".jsonl"));
  std::vector<Json> inputs = read_jsonl(fs::path(MODELEXPORT_SOURCE_DIR) / "tests/generation/greedy_cases.jsonl");
  EXPECT_EQ(cases.size(), inputs.size());
  size_t compared = 0;
  for (size_t k = 0; k < cases.size() && k < inputs.size(); ++k) {
    const Json& c = cases[k];
    const Json& o = c["options"];
    modelexport::runtime::GenerationOptions opts;
    opts.max_new_tokens = o["max_new_tokens"].get<int64_t>();
    if (o.contains("repetition_penalty")) opts.repetition_penalty = o["repetition_penalty"].get<double>();
    if (o.contains("no_repeat_ngram_size")) opts.no_repeat_ngram_size = o["no_repeat_ngram_size"].get<int64_t>();
    if (o.contains("min_new_tokens")) opts.min_new_tokens = o["min_new_tokens"].get<int64_t>();
    if (o.contains("eos_token_id")) opts.eos_token_id = std::vector<int64_t>{o["eos_token_id"].get<int64_t>()};
    auto config =
        gen::GenerationConfig::resolve(text("generation_config.json"), text("config.json"), "text-generation", opts);
    std::vector<std::vector<int64_t>> prompts, expected;
    for (size_t r = 0; r < c["input_ids"].size(); ++r) {
      std::vector<int64_t> p;
      for (size_t i = 0; i < c["input_ids"][r].size(); ++i)
        if (c["attention_mask"][r][i] == 1) p.push_back(c["input_ids"][r][i]);
      auto ours = tokenizer.encode(inputs[k]["prompts"][r].get<std::string>(), true).ids;
      EXPECT_EQ(std::vector<int64_t>(ours.begin(), ours.end()), p) << golden << ": tokenization of case " << k;
      std::vector<int64_t> e(c["sequences"][r].begin() + static_cast<std::ptrdiff_t>(c["input_ids"][r].size()),
                             c["sequences"][r].end());
      // transformers.js pads a row that finished early with the pad token: compare up to its eos.
      auto at = std::find_first_of(e.begin(), e.end(), config.eos_token_id.begin(), config.eos_token_id.end());
      if (at != e.end()) e.erase(at + 1, e.end());
      prompts.push_back(p);
      expected.push_back(e);
    }
    auto model = make();
    auto result = gen::generate(*model, prompts, config);
    EXPECT_EQ(result.sequences.size(), prompts.size());
    for (size_t r = 0; r < prompts.size() && r < result.sequences.size(); ++r)
      EXPECT_EQ(result.sequences[r][0].tokens, expected[r])
          << files_from << " case " << k << " " << o.dump() << " row " << r;
    ++compared;
  }
  return compared;
}

}  // namespace

TEST(DecoderModel, GenerateWithProcessorsMatchesTransformersJs) {
  fs::path dir = decoder_models();
  if (dir.empty()) GTEST_SKIP() << "DECODER_MODELS not built (needs the corpus and node)";
  size_t compared = 0;
  for (const std::string name : {"llama", "gpt2", "llama-q4", "gpt2-q4"}) {
    const fs::path path = dir / (name + ".onnx");
    AutoModel session = AutoModel::from_model(path, one_thread());
    auto settings = settings_of(path);
    compared += check_golden_cases(path, name, [&] { return std::make_unique<DecoderModel>(session, settings); });
  }
  EXPECT_EQ(compared, 28u);
}

// Optimum's two-file layout of the same weights (decoder_model.onnx for the prompt,
// decoder_with_past_model.onnx after; each self-contained): transformers.js 4.3.1 does not load this
// layout (its decoder-only models read model / decoder_model_merged), so it is held to the ids
// transformers.js generated from model.onnx.
TEST(DecoderModel, TwoFileLayoutMatchesTransformersJs) {
  fs::path dir = decoder_models();
  if (dir.empty()) GTEST_SKIP() << "DECODER_MODELS not built (needs the corpus and node)";
  size_t compared = 0;
  for (const std::string name : {"llama", "gpt2"}) {
    const fs::path first = dir / (name + "-split") / "decoder_model.onnx";
    const fs::path second = dir / (name + "-split") / "decoder_with_past_model.onnx";
    for (const fs::path& f : {first, second})
      EXPECT_TRUE(modelexport::metadata::ModelFiles::from_model(f).embedded) << f << " is not self-contained";
    AutoModel a = AutoModel::from_model(first, one_thread());
    AutoModel b = AutoModel::from_model(second, one_thread());
    auto settings = settings_of(second);
    compared += check_golden_cases(first, name, [&] { return std::make_unique<DecoderModel>(a, b, settings); });
  }
  EXPECT_EQ(compared, 14u);
}

// The two-file constructor refuses a pair that does not fit, naming the tensor: a first-step decoder
// that takes the past, a with-past decoder without one, files that disagree on position_ids.
TEST(DecoderModel, TwoFileLayoutRefusesMismatchedPairs) {
  fs::path dir = decoder_models();
  if (dir.empty()) GTEST_SKIP() << "DECODER_MODELS not built";
  AutoModel first = AutoModel::from_model(dir / "llama-split" / "decoder_model.onnx", one_thread());
  AutoModel with_past = AutoModel::from_model(dir / "llama.onnx", one_thread());
  AutoModel gpt2 = AutoModel::from_model(dir / "gpt2.onnx", one_thread());
  auto settings = settings_of(dir / "llama.onnx");
  struct Case {
    const AutoModel *a, *b;
    std::string expect;
  };
  for (const Case& c : {Case{&with_past, &with_past, "takes the cache input 'past_key_values.0.key'"},
                        Case{&first, &first, "decoder_with_past_model has no past inputs"},
                        Case{&first, &gpt2, "decoder_model takes 'position_ids' and the other does not"}}) {
    try {
      DecoderModel m(*c.a, *c.b, settings);
      ADD_FAILURE() << "accepted; expected: " << c.expect;
    } catch (const modelexport::UnsuitableModelError& e) {
      EXPECT_NE(std::string(e.what()).find(c.expect), std::string::npos) << e.what();
    }
  }
}
