// `modelexport run --task text-generation` and `modelexport chat` on the generated decoders (CTest
// fixture decoder_models): result shapes as transformers.js returns them, greedy text equal to the
// decoded transformers.js token ids, chat over piped stdin, the corpus's onnxruntime-genai GPT-2 from
// its self-contained file, and the bad-input table (exit 2, a message naming the problem, nothing on
// stdout).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "common/json_util.h"
#include "modelexport/metadata/model_files.h"
#include "modelexport/processors/tokenizer.h"
#include "runtime/generation/decoder_model.h"
#include "runtime/generation/sampler.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using modelexport::Json;
using modelexport::test::run_cli;

namespace {

fs::path models() {
  const char* dir = std::getenv("DECODER_MODELS");
  return dir && fs::exists(fs::path(dir) / "golden") ? fs::path(dir) : fs::path();
}

Json first_golden(const std::string& name) {
  std::ifstream in(models() / "golden" / (name + ".jsonl"));
  std::string line;
  std::getline(in, line);
  return modelexport::parse_json(line, name);
}

}  // namespace

// The first golden case ("Hello, my name is", 64 greedy tokens): `run --json` prints
// [{"generated_text": prompt + decode(new tokens)}] with transformers.js' tokens, and
// --no-return-full-text the new text alone.
TEST(TextGenerationCli, RunPrintsTransformersJsShapeAndText) {
  if (models().empty()) GTEST_SKIP() << "DECODER_MODELS not built";
  for (const std::string name : {"llama", "gpt2"}) {
    const std::string model = (models() / (name + ".onnx")).string();
    Json golden = first_golden(name);
    auto files = modelexport::metadata::ModelFiles::from_model(model);
    auto tok = modelexport::processors::Tokenizer::from_json(*files.get("tokenizer.json"));
    std::vector<int32_t> all(golden["sequences"][0].begin(), golden["sequences"][0].end());
    std::vector<int32_t> prompt(golden["input_ids"][0].begin(), golden["input_ids"][0].end());
    const std::string full = tok.decode(all, true), head = tok.decode(prompt, true);
    const std::string generated = full.substr(head.size());
    auto r = run_cli({"run", model, "Hello, my name is", "--max-new-tokens", "64", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    Json out = modelexport::parse_json(r.out, "stdout");
    ASSERT_TRUE(out.is_array() && out.size() == 1 && out[0].size() == 1) << r.out;
    EXPECT_EQ(out[0]["generated_text"], "Hello, my name is" + generated) << name;
    r = run_cli({"run", model, "Hello, my name is", "--max-new-tokens", "64", "--json", "--no-return-full-text"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(modelexport::parse_json(r.out, "stdout")[0]["generated_text"], generated) << name;
    // Streaming to the terminal prints the same text.
    r = run_cli({"run", model, "Hello, my name is", "--max-new-tokens", "64"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "Hello, my name is" + generated + "\n") << name;
  }
}

// Optimum's two-file layout (decoder_model.onnx + decoder_with_past_model.onnx, each self-contained)
// runs from its folder or from either file, with the text the single-file model.onnx of the same
// weights gives (which the test above holds to transformers.js).
TEST(TextGenerationCli, TwoFileLayoutRunsFromFolderOrEitherFile) {
  if (models().empty()) GTEST_SKIP() << "DECODER_MODELS not built";
  for (const std::string name : {"llama", "gpt2"}) {
    auto single = run_cli(
        {"run", (models() / (name + ".onnx")).string(), "Hello, my name is", "--max-new-tokens", "16", "--json"});
    ASSERT_EQ(single.exit_code, 0) << single.err;
    const fs::path split = models() / (name + "-split");
    for (const fs::path& source : {split, split / "decoder_model.onnx", split / "decoder_with_past_model.onnx"}) {
      auto r = run_cli({"run", source.string(), "Hello, my name is", "--max-new-tokens", "16", "--json"});
      ASSERT_EQ(r.exit_code, 0) << source << ": " << r.err;
      EXPECT_EQ(r.out, single.out) << source;
    }
  }
}

// validate on the two-file layout checks both files and the pair (the decoder checks, not the
// encoder-decoder set's); pairs that do not belong together are invalid (exit 1), each finding
// naming the tensor or config key.
TEST(TextGenerationCli, ValidateTwoFileDecoder) {
  if (models().empty()) GTEST_SKIP() << "DECODER_MODELS not built";
  for (const std::string name : {"llama", "gpt2"}) {
    const fs::path split = models() / (name + "-split");
    for (const fs::path& source : {split, split / "decoder_model.onnx", split / "decoder_with_past_model.onnx"}) {
      auto r = run_cli({"validate", source.string()});
      EXPECT_EQ(r.exit_code, 0) << source << "\n" << r.out << r.err;
      EXPECT_NE(r.out.find("two-file decoder " + source.string()), std::string::npos) << r.out;
      EXPECT_NE(r.out.find("decoder_with_past_model.onnx"), std::string::npos) << r.out;
      EXPECT_EQ(r.out.find("encoder"), std::string::npos) << r.out;
    }
    auto j = run_cli({"validate", split.string(), "--json"});
    ASSERT_EQ(j.exit_code, 0) << j.err;
    Json report = modelexport::parse_json(j.out, "validate --json");
    EXPECT_EQ(report["files"].size(), 2u) << j.out;
    EXPECT_TRUE(report["set_findings"].empty()) << j.out;
  }
  // Mismatched pairs, made of the fixture's files under the layout's names.
  modelexport::test::ScratchDir dir;
  auto pair = [&](const std::string& folder, const fs::path& first, const fs::path& later) {
    fs::create_directories(dir / folder);
    if (!first.empty()) fs::create_symlink(first, dir / folder / "decoder_model.onnx");
    if (!later.empty()) fs::create_symlink(later, dir / folder / "decoder_with_past_model.onnx");
    return (dir / folder).string();
  };
  const fs::path llama = models() / "llama-split", gpt2 = models() / "gpt2-split";
  struct Case {
    std::string folder;
    std::vector<std::string> expect;
  };
  const std::vector<Case> cases = {
      // llama's prompt step with gpt2's later steps: another model.
      {pair("mixed", llama / "decoder_model.onnx", gpt2 / "decoder_with_past_model.onnx"),
       {"'decoder_with_past_model.onnx' embeds another config.json (hf_model_config) than 'decoder_model.onnx'",
        "cache shapes disagree: 'decoder_model.onnx''s 'present.0.value' is [batch_size, 2, sequence_length, 24], "
        "'decoder_with_past_model.onnx''s 'past_key_values.0.value' is [batch_size, 4, past_sequence_length, 16] "
        "(and 1 more tensor(s) like it)",
        "hidden sizes disagree: config.json gives 2 key/value heads of 24 features, 'decoder_with_past_model.onnx''s "
        "'past_key_values.0.key' is [batch_size, 4, past_sequence_length, 16] (and 3 more tensor(s) like it)",
        "vocabularies disagree: 'decoder_with_past_model.onnx''s logits has 50257 entries, config.json vocab_size is "
        "49152",
        "vocabularies disagree: 'decoder_model.onnx''s logits has 49152 entries, 'decoder_with_past_model.onnx''s "
        "50257",
        "'decoder_model.onnx' takes 'position_ids' and 'decoder_with_past_model.onnx' does not"}},
      // The roles swapped: the prompt step takes the cache, the later step has none.
      {pair("swapped", llama / "decoder_with_past_model.onnx", llama / "decoder_model.onnx"),
       {"'decoder_model.onnx' takes the cache input 'past_key_values.0.key'; it runs the prompt step",
        "'decoder_with_past_model.onnx' has no cache inputs (past_key_values.N.key/value)"}},
      // The same file twice: the prompt step takes the cache.
      {pair("twice", llama / "decoder_with_past_model.onnx", llama / "decoder_with_past_model.onnx"),
       {"'decoder_model.onnx' takes the cache input 'past_key_values.0.key'; it runs the prompt step",
        "(and 3 more tensor(s) like it)"}},
      {pair("half", llama / "decoder_model.onnx", {}), {"missing sibling 'decoder_with_past_model.onnx'"}},
  };
  for (const auto& c : cases) {
    auto r = run_cli({"validate", c.folder});
    EXPECT_EQ(r.exit_code, 1) << c.folder << "\n" << r.out << r.err;
    EXPECT_NE(r.out.find("two-file decoder " + c.folder), std::string::npos) << r.out;
    for (const auto& e : c.expect)
      EXPECT_NE(r.out.find(e), std::string::npos) << c.folder << ": " << e << "\n" << r.out;
  }
  // run refuses a mismatched pair by the same rule (exit 2, nothing on stdout).
  auto r = run_cli({"run", cases[0].folder, "Hi", "--max-new-tokens", "2"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("the two-file decoder's files do not belong together: hidden sizes disagree"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.out, "");
}

// Chat input: the message list plus the new assistant message, keys in the caller's order; two
// return sequences when sampling.
TEST(TextGenerationCli, ChatInputAndReturnSequences) {
  if (models().empty()) GTEST_SKIP() << "DECODER_MODELS not built";
  modelexport::test::ScratchDir dir;
  modelexport::test::write_bytes(dir / "in.jsonl", R"({"messages": [{"role": "user", "content": "Hi there"}]})"
                                                   "\n");
  const std::string model = (models() / "llama.onnx").string();
  auto r = run_cli({"run", model, "--input", (dir / "in.jsonl").string(), "--max-new-tokens", "8", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto out = nlohmann::ordered_json::parse(r.out);
  ASSERT_EQ(out.size(), 1u);
  const auto& messages = out[0]["generated_text"];
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].dump(), R"({"role":"user","content":"Hi there"})");
  EXPECT_EQ(messages[1].begin().key(), "role");
  EXPECT_EQ(messages[1]["role"], "assistant");
  EXPECT_TRUE(messages[1]["content"].is_string());
  r = run_cli({"run", model, "Hi", "--max-new-tokens", "5", "--do-sample", "--seed", "7", "--num-return-sequences", "2",
               "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(modelexport::parse_json(r.out, "stdout").size(), 2u) << r.out;
  auto again = run_cli({"run", model, "Hi", "--max-new-tokens", "5", "--do-sample", "--seed", "7",
                        "--num-return-sequences", "2", "--json"});
  EXPECT_EQ(again.out, r.out) << "a seed makes sampling reproducible";
}

// chat over piped stdin: one reply line per user line, /reset between, end of input exits 0.
TEST(TextGenerationCli, ChatReadsPipedStdin) {
  if (models().empty()) GTEST_SKIP() << "DECODER_MODELS not built";
  auto r = run_cli({"chat", (models() / "llama.onnx").string(), "--max-new-tokens", "4", "--system", "Be brief"},
                   "printf 'Hello\\nHow are you?\\n/reset\\nAgain\\n' |");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 3) << r.out;
}

// Text that is not UTF-8 on stdin or in --system has no JSON form for the template: exit 2 naming
// the line, not nlohmann's type_error escaping as an internal error.
TEST(TextGenerationCli, ChatRefusesTextThatIsNotUtf8) {
  if (models().empty()) GTEST_SKIP() << "DECODER_MODELS not built";
  const std::string llama = (models() / "llama.onnx").string();
  auto r = run_cli({"chat", llama, "--max-new-tokens", "2"}, "printf 'Hello\\nbad \\377 byte\\n' |");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("stdin line 2: not valid UTF-8 at line 1, column 5 (byte 0xFF at offset 4)"), std::string::npos)
      << r.err;
  r = run_cli({"chat", llama, "--system", "caf\xC3", "--max-new-tokens", "2"}, "printf 'Hello\\n' |");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--system: not valid UTF-8"), std::string::npos) << r.err;
}

// The corpus's onnxruntime-genai GPT-2 (past_%d caches, int32 ids) from its self-contained file.
TEST(TextGenerationCli, GenaiGpt2RunsFromOneFile) {
  const char* c = std::getenv("MODELEXPORT_CORPUS");
  fs::path corpus = c ? fs::path(c) : fs::path(MODELEXPORT_SOURCE_DIR) / "../shared/corpus";
  fs::path folder = corpus / "models/genai-tiny-random-gpt2-fp32";
  if (!fs::exists(folder)) GTEST_SKIP() << "corpus missing";
  modelexport::test::ScratchDir dir;
  auto r = run_cli(
      {"embed-metadata", (folder / "past.onnx").string(), folder.string(), "-o", (dir / "g.onnx").string(), "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Its tokenizer is GPT-2's (50257 tokens) over a 1000-token model: a prompt of byte-level ids < 1000.
  r = run_cli({"run", (dir / "g.onnx").string(), "a,b", "--max-new-tokens", "6", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(modelexport::parse_json(r.out, "stdout")[0]["generated_text"].get<std::string>().rfind("a,b", 0), 0u)
      << r.out;
  r = run_cli({"run", (dir / "g.onnx").string(), "Hello world", "--max-new-tokens", "6"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("outside the model's vocabulary of 1000"), std::string::npos) << r.err;
}

namespace {

// Greedy ids by a full recompute of the whole sequence at every step (a fresh DecoderModel each
// time, no cache): the reference for the CLI's cached generate(). Stops after `eos`.
std::vector<int64_t> greedy_by_recompute(const fs::path& model, std::vector<int64_t> ids, int steps, int64_t eos) {
  namespace gen = modelexport::runtime::generation;
  auto files = modelexport::metadata::ModelFiles::from_model(model);
  const std::string* config = files.get("config.json");
  const std::string* genai = files.get("genai_config.json");
  auto settings = gen::DecoderModel::Settings::from_configs(config ? *config : "", genai ? *genai : "");
  modelexport::runtime::SessionOptions one;
  one.intra_op_threads = 1;
  auto session = modelexport::runtime::AutoModel::from_model(model, one);
  std::vector<float> logits;
  for (int s = 0; s < steps; ++s) {
    gen::DecoderModel fresh(session, settings);
    fresh.step({ids}, logits);
    ids.push_back(static_cast<int64_t>(gen::argmax(std::span<const float>(logits))));
    if (ids.back() == eos) break;
  }
  return ids;
}

}  // namespace

// The corpus's onnxruntime-genai decoders (Qwen fp16 with GroupQueryAttention and the shared buffer,
// LFM2 with convolution states, GPT-2 with past_%d; Qwen's and LFM2's folders have no tokenizer) run
// from their self-contained files through `run` with token ids: --input-ids and {"input_ids"} lines
// (batched, left-padded) give Python's return_tensors shape, [{"generated_token_ids": prompt + new}],
// equal to greedy by full recompute (stopping at genai_config.json's eos_token_id), with the text
// only when the model has a tokenizer.
TEST(TextGenerationCli, GenaiModelsRunFromTokenIds) {
  const char* c = std::getenv("MODELEXPORT_CORPUS");
  fs::path corpus = c ? fs::path(c) : fs::path(MODELEXPORT_SOURCE_DIR) / "../shared/corpus";
  if (!fs::exists(corpus / "models/genai-tiny-qwen35-fp16")) GTEST_SKIP() << "corpus missing";
  struct Case {
    std::string folder, file;
    int64_t eos;
    bool tokenizer;
  };
  modelexport::test::ScratchDir dir;
  modelexport::test::write_bytes(dir / "ids.jsonl", R"({"input_ids": [[5, 17, 42, 7], [3, 9]]})"
                                                    "\n"
                                                    R"({"input_ids": [11, 12, 13]})"
                                                    "\n");
  for (const Case& k : {Case{"genai-tiny-qwen35-fp16", "decoder.onnx", 2, false},
                        Case{"genai-tiny-random-lfm2-fp32", "decoder.onnx", 98, false},
                        Case{"genai-tiny-random-gpt2-fp32", "past.onnx", 98, true}}) {
    const fs::path folder = corpus / "models" / k.folder, model = dir / (k.folder + ".onnx");
    auto r = run_cli({"embed-metadata", (folder / k.file).string(), folder.string(), "-o", model.string(), "-q"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::vector<std::vector<int64_t>> prompts = {{5, 17, 42, 7}, {5, 17, 42, 7}, {3, 9}, {11, 12, 13}};
    std::vector<std::vector<int64_t>> expected;
    for (const auto& p : prompts) expected.push_back(greedy_by_recompute(model, p, 8, k.eos));
    r = run_cli({"run", model.string(), "--input-ids", "5,17,42,7", "--max-new-tokens", "8", "--json"});
    ASSERT_EQ(r.exit_code, 0) << k.folder << ": " << r.err;
    Json out = modelexport::parse_json(r.out, "stdout");
    ASSERT_TRUE(out.is_array() && out.size() == 1) << r.out;
    EXPECT_EQ(out[0]["generated_token_ids"].get<std::vector<int64_t>>(), expected[0]) << k.folder;
    EXPECT_EQ(out[0].contains("generated_text"), k.tokenizer) << r.out;
    // Without --json: the ids, comma-separated (the text when there is a tokenizer).
    r = run_cli({"run", model.string(), "--input-ids", "5,17,42,7", "--max-new-tokens", "8"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string line;
    for (int64_t id : expected[0]) line += (line.empty() ? "" : ",") + std::to_string(id);
    if (!k.tokenizer) { EXPECT_EQ(r.out, line + "\n") << k.folder; }
    // --input lines: a [batch, sequence] list is one prompt per row; rows of different lengths batch
    // with left padding.
    r = run_cli({"run", model.string(), "--input", (dir / "ids.jsonl").string(), "--max-new-tokens", "8", "--json"});
    ASSERT_EQ(r.exit_code, 0) << k.folder << ": " << r.err;
    std::vector<std::string> lines;
    for (size_t at = 0, end; (end = r.out.find('\n', at)) != std::string::npos; at = end + 1)
      lines.push_back(r.out.substr(at, end - at));
    ASSERT_EQ(lines.size(), 3u) << r.out;
    for (size_t i = 0; i < 3; ++i)
      EXPECT_EQ(modelexport::parse_json(lines[i], "line")[0]["generated_token_ids"].get<std::vector<int64_t>>(),
                expected[i + 1])
          << k.folder << " line " << i + 1;
    if (k.tokenizer) continue;
    // Text needs a tokenizer; ids outside the vocabulary and malformed ids are refused (exit 2).
    modelexport::test::write_bytes(dir / "bad.jsonl", R"({"input_ids": [1, "x"]})"
                                                      "\n");
    const std::vector<std::pair<std::vector<std::string>, std::string>> bad = {
        {{"run", model.string(), "Hello"}, "has no tokenizer"},
        {{"run", model.string(), "--input-ids", "5,1000"}, "token id 1000 is outside the model's vocabulary of 1000"},
        {{"run", model.string(), "--input-ids", "5,x"}, "--input-ids '5,x': expected comma-separated token ids"},
        {{"run", model.string(), "--input-ids", "5,-1"}, "expected comma-separated token ids"},
        {{"run", model.string(), "--input", (dir / "bad.jsonl").string()},
         "line 1: \"input_ids\" must be a non-empty list of token ids"},
        {{"run", model.string(), "--input-ids", "5", "--stop", "x"}, "stop"},
    };
    for (const auto& [args, expect] : bad) {
      auto b = run_cli(args);
      EXPECT_EQ(b.exit_code, 2) << args.back() << "\n" << b.err;
      EXPECT_NE(b.err.find(expect), std::string::npos) << args.back() << "\n" << b.err;
      EXPECT_EQ(b.out, "") << args.back();
    }
  }
}

// Bad input: exit 2, the message names what is wrong, nothing on stdout.
TEST(TextGenerationCli, BadInputTable) {
  if (models().empty()) GTEST_SKIP() << "DECODER_MODELS not built";
  modelexport::test::ScratchDir dir;
  const std::string llama = (models() / "llama.onnx").string();
  std::string long_prompt;
  for (int i = 0; i < 300; ++i) long_prompt += "word ";
  modelexport::test::write_bytes(dir / "no_role.jsonl", R"({"messages": [{"content": "hi"}]})"
                                                        "\n");
  modelexport::test::write_bytes(dir / "not_list.jsonl", R"({"messages": "hi"})"
                                                         "\n");
  // A model without logits: the tiny classifier's output is logits [batch, labels], not [batch, seq, vocab].
  fs::path fx = fs::path(MODELEXPORT_SOURCE_DIR) / "tests/fixtures/tiny-text-classifier";
  ASSERT_EQ(
      run_cli({"embed-metadata", (fx / "model.onnx").string(), fx.string(), "-o", (dir / "cls.onnx").string(), "-q"})
          .exit_code,
      0);
  // A chat template that raises.
  ASSERT_EQ(run_cli({"unpack", llama, (dir / "raise").string(), "--layout", "transformers.js"}).exit_code, 0);
  {
    auto cfg = modelexport::parse_json(modelexport::test::read_bytes(dir / "raise/tokenizer_config.json"),
                                       "tokenizer_config.json");
    cfg["chat_template"] = "{{ raise_exception('Conversation roles must alternate user/assistant') }}";
    fs::remove(dir / "raise/tokenizer_config.json");
    modelexport::test::write_bytes(dir / "raise/tokenizer_config.json", cfg.dump());
  }
  ASSERT_EQ(run_cli({"embed-metadata", (dir / "raise/onnx/model.onnx").string(), (dir / "raise").string(), "-o",
                     (dir / "raise.onnx").string(), "-q"})
                .exit_code,
            0);
  modelexport::test::write_bytes(dir / "chat.jsonl", R"({"messages": [{"role": "user", "content": "hi"}]})"
                                                     "\n");
  // Half of a two-file decoder: each file alone, and a folder with only the first.
  const fs::path split = models() / "llama-split";
  for (const std::string f : {"decoder_model.onnx", "decoder_with_past_model.onnx"}) {
    fs::create_directories(dir / ("only_" + f));
    fs::create_symlink(split / f, dir / ("only_" + f) / f);
  }
  const std::string only_first = (dir / "only_decoder_model.onnx").string();
  const std::string only_second = (dir / "only_decoder_with_past_model.onnx").string();
  struct Case {
    std::vector<std::string> args;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {{"run", llama, long_prompt}, "context window is 256"},
      {{"run", llama, "Hi", "--max-new-tokens", "0"}, "max_new_tokens"},
      {{"run", llama, "Hi", "--max-new-tokens", "-3"}, "max_new_tokens"},
      {{"run", llama, "Hi", "--do-sample", "--top-p", "0"}, "top_p"},
      {{"run", llama, "Hi", "--do-sample", "--top-p", "1.5"}, "top_p"},
      {{"run", llama, "Hi", "--do-sample", "--temperature", "-1"}, "temperature"},
      {{"run", (dir / "cls.onnx").string(), "Hi", "--task", "text-generation"}, "logits"},
      {{"run", (dir / "raise.onnx").string(), "--input", (dir / "chat.jsonl").string()},
       "Conversation roles must alternate user/assistant"},
      {{"run", llama, "--input", (dir / "no_role.jsonl").string()}, "\"role\""},
      {{"run", llama, "--input", (dir / "not_list.jsonl").string()}, "messages"},
      {{"run", llama, "Hi", "--labels", "a"}, "--labels does not apply to text-generation"},
      {{"run", only_first + "/decoder_model.onnx", "Hi"}, "missing sibling 'decoder_with_past_model.onnx'"},
      {{"run", only_first, "Hi"}, "missing sibling 'decoder_with_past_model.onnx'"},
      {{"run", only_second + "/decoder_with_past_model.onnx", "Hi"}, "missing sibling 'decoder_model.onnx'"},
      {{"run", split.string(), "Hi", "--task", "fill-mask"}, "runs text-generation, not fill-mask"},
  };
  for (const auto& c : cases) {
    auto r = run_cli(c.args);
    std::string cmd;
    for (const auto& a : c.args) cmd += a.substr(0, 40) + " ";
    EXPECT_EQ(r.exit_code, 2) << cmd << "\n" << r.err;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << cmd << "\nstderr: " << r.err;
    EXPECT_EQ(r.out, "") << cmd;
  }
  // temperature 0 with sampling: greedy, as transformers does, and a note says so.
  auto greedy = run_cli({"run", llama, "Hi", "--max-new-tokens", "5", "--json"});
  auto zero = run_cli({"run", llama, "Hi", "--max-new-tokens", "5", "--json", "--do-sample", "--temperature", "0"});
  EXPECT_EQ(zero.exit_code, 0) << zero.err;
  EXPECT_EQ(zero.out, greedy.out);
  EXPECT_NE(zero.err.find("note:"), std::string::npos) << zero.err;
}
