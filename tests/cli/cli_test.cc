// The modelexport binary, run as a user runs it: exit codes, messages, and that bad input never
// writes anything or touches the input.
#include <gtest/gtest.h>
#include <unistd.h>

#include "common/json_util.h"
#include <onnx/onnx_pb.h>

#include <fstream>

#include "support/test_support.h"

namespace modelexport::test {
namespace {

fs::path folder() { return fixtures_dir() / "tiny-text-classifier"; }
fs::path model() { return folder() / "model.onnx"; }

// Snapshot of a folder: names and hashes.
std::vector<std::pair<std::string, std::string>> snapshot(const fs::path& dir) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& f : list_files(dir)) out.emplace_back(f, file_sha256(dir / f));
  return out;
}

TEST(Cli, EveryCommandHasHelp) {
  for (const char* cmd : {"embed-metadata", "analyze", "validate", "unpack", "export", "tokenize"}) {
    auto r = run_cli({cmd, "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << cmd;
  }
  EXPECT_EQ(run_cli({"--version"}).exit_code, 0);
  EXPECT_EQ(run_cli({}).exit_code, 2);
  EXPECT_EQ(run_cli({"embed-metadata", "--level", "huge", "a", "b"}).exit_code, 2);
}

TEST(Cli, EmbedAnalyzeValidateUnpack) {
  ScratchDir dir;
  auto out = dir / "m.onnx";
  auto r = run_cli({"embed-metadata", model().string(), folder().string(), "-o", out.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json report = parse_json_object(r.out, "embed --json");
  EXPECT_EQ(report["task"], "text-classification");
  EXPECT_EQ(report["level"], "full");

  auto a = run_cli({"analyze", out.string(), "--json", "--validate-metadata"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  Json j = parse_json_object(a.out, "analyze --json");
  EXPECT_EQ(j["metadata_version"], "2.0");
  EXPECT_EQ(j["task"], "text-classification");
  EXPECT_EQ(j["metadata"]["hf_model_config"]["id2label"]["1"], "POSITIVE");       // JSON values parsed
  EXPECT_EQ(j["metadata"]["hf_tokenizer_json"]["model"]["type"], "WordPiece");
  EXPECT_EQ(j["inputs"][0]["name"], "input_ids");
  EXPECT_EQ(j["inputs"][0]["shape"][0], "batch");
  EXPECT_EQ(j["outputs"][0]["shape"][1], 2);
  EXPECT_EQ(j["validation"]["valid"], true);

  auto text = run_cli({"analyze", out.string(), "--show-metadata", "--show-task", "--show-processor"});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("hf_tokenizer_json"), std::string::npos);
  EXPECT_NE(text.out.find("architecture-pattern"), std::string::npos);

  EXPECT_EQ(run_cli({"validate", out.string()}).exit_code, 0);
  auto v = run_cli({"validate", model().string(), "--json"});
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_EQ(parse_json_object(v.out, "validate --json")["valid"], false);

  auto u = run_cli({"unpack", out.string(), (dir / "js").string(), "--layout", "transformers.js"});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  EXPECT_EQ(read_bytes(dir / "js" / "tokenizer.json"), read_bytes(folder() / "tokenizer.json"));
  auto again = run_cli({"unpack", out.string(), (dir / "js").string()});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;

  auto e = run_cli({"export", folder().string(), (dir / "opt").string(), "--onnx", model().string()});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_TRUE(fs::exists(dir / "opt" / "model.onnx"));
}

struct BadCase {
  std::string name;
  std::vector<std::string> args;  // "%D" = scratch dir
  std::string expected_in_error;
};

TEST(Cli, BadInputFailsCleanlyAndWritesNothing) {
  ScratchDir dir;
  auto d = dir.path().string();
  write_bytes(dir / "text.onnx", "this is not a model\n");
  std::string bytes = read_bytes(model());
  write_bytes(dir / "truncated.onnx", bytes.substr(0, bytes.size() * 2 / 3));
  fs::create_directories(dir / "noconfig");
  write_bytes(dir / "noconfig" / "tokenizer.json", "{}");
  fs::create_directories(dir / "badjson");
  write_bytes(dir / "badjson" / "config.json", "{\n  \"architectures\": [\"BertModel\",]\n}");
  fs::create_directories(dir / "exists");
  std::vector<BadCase> cases = {
      {"not onnx", {"embed-metadata", d + "/text.onnx", folder().string(), "-o", d + "/out.onnx"}, "not a valid ONNX model"},
      {"truncated", {"analyze", d + "/truncated.onnx"}, "truncated"},
      {"missing file", {"analyze", d + "/nope.onnx"}, "nope.onnx"},
      {"no config.json", {"embed-metadata", model().string(), d + "/noconfig", "-o", d + "/out.onnx"}, "no config.json"},
      {"invalid json", {"embed-metadata", model().string(), d + "/badjson", "-o", d + "/out.onnx"}, "config.json at line 2"},
      {"hub id not cached", {"embed-metadata", model().string(), "nobody/nothing", "-o", d + "/out.onnx"}, "local Hugging Face cache"},
      {"unpack no metadata", {"unpack", model().string(), d + "/unpacked"}, "no modelexport metadata"},
      {"unpack target exists", {"unpack", model().string(), d + "/exists"}, "already exists"},
      {"unknown task", {"embed-metadata", model().string(), folder().string(), "--task", "cook", "-o", d + "/out.onnx"}, "unknown task"},
  };
  if (!corpus_dir().empty()) {
    auto c = corpus_dir() / "models";
    cases.push_back({"lfs pointer", {"analyze", (c / "all-MiniLM-L6-v2/onnx/model.onnx.lfs-pointer").string()}, "Git LFS pointer"});
    cases.push_back({"corrupted", {"validate", (c / "whisper-tiny.en/onnx-CORRUPTED/encoder_model_quantized.onnx.corrupted").string()},
                     "not a valid ONNX model"});
  }
  auto before = snapshot(dir.path());
  auto fixture_before = snapshot(folder());
  for (const auto& c : cases) {
    auto r = run_cli(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.name << ": " << r.err;
    EXPECT_NE(r.err.find(c.expected_in_error), std::string::npos) << c.name << ": " << r.err;
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << c.name;
    EXPECT_EQ(snapshot(dir.path()), before) << c.name << " wrote or changed a file";
  }
  EXPECT_EQ(snapshot(folder()), fixture_before);
}

TEST(Cli, CorruptCompressedValuesAndBombs) {
  ScratchDir dir;
  // Build a model with a compressed tokenizer, then replace its value by shell-made payloads.
  ASSERT_EQ(run_cli({"embed-metadata", model().string(), folder().string(), "-o", (dir / "m.onnx").string(),
                     "--compress-threshold", "1", "-q"}).exit_code, 0);
  // A gzip bomb: 1.2 GB of zeros (~1.2 MB compressed), over the 1 GiB inflate cap.
  ASSERT_EQ(std::system(("head -c 1200M /dev/zero | gzip -1 | base64 -w0 > " + (dir / "bomb.b64").string()).c_str()), 0);
  struct Payload { std::string name, value, expected; };
  std::vector<Payload> payloads = {{"not base64", "***", "invalid base64"},
                                   {"not gzip", "bm90IGd6aXAgZGF0YQ==", "invalid gzip"},
                                   {"bomb", read_bytes(dir / "bomb.b64"), "decompression bomb"}};
  for (const auto& p : payloads) {
    SCOPED_TRACE(p.name);
    // Rewrite via the library's writer through a tiny helper program: the CLI itself never writes bad values,
    // so use protobuf here.
    onnx::ModelProto m;
    {
      std::ifstream in(dir / "m.onnx", std::ios::binary);
      ASSERT_TRUE(m.ParseFromIstream(&in));
    }
    for (auto& kv : *m.mutable_metadata_props())
      if (kv.key() == "hf_tokenizer_json:compressed") kv.set_value(p.value);
    {
      std::ofstream out(dir / "bad.onnx", std::ios::binary);
      ASSERT_TRUE(m.SerializeToOstream(&out));
    }
    auto v = run_cli({"validate", (dir / "bad.onnx").string()});
    EXPECT_EQ(v.exit_code, 1) << v.out << v.err;
    EXPECT_NE(v.out.find(p.expected), std::string::npos) << v.out;
    auto u = run_cli({"unpack", (dir / "bad.onnx").string(), (dir / "out").string()});
    EXPECT_EQ(u.exit_code, 2);
    EXPECT_NE(u.err.find(p.expected), std::string::npos) << u.err;
    EXPECT_FALSE(fs::exists(dir / "out"));
    auto a = run_cli({"analyze", (dir / "bad.onnx").string(), "--json"});
    EXPECT_EQ(a.exit_code, 0);
    EXPECT_NE(parse_json_object(a.out, "analyze")["metadata"]["hf_tokenizer_json"]["error"].get<std::string>().find(p.expected),
              std::string::npos);
  }
}

TEST(Cli, FullDiskLeavesTheOutputAndInputIntact) {
  ScratchDir dir;
  fs::copy_file(model(), dir / "m.onnx");
  write_bytes(dir / "out.onnx", "previous output");
  auto before = snapshot(dir.path());
  // ulimit -f makes writes fail with EFBIG after 4 KB, as a full disk would.
  for (auto target : {std::string("out.onnx"), std::string("m.onnx")}) {
    auto r = run_cli({"embed-metadata", (dir / "m.onnx").string(), folder().string(), "-o", (dir / target).string()},
                     "ulimit -f 4;");
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("cannot write"), std::string::npos) << r.err;
    EXPECT_EQ(snapshot(dir.path()), before);
  }
}

TEST(Cli, ReadOnlyTargetFolder) {
  ScratchDir dir;
  fs::create_directories(dir / "ro");
  fs::copy_file(model(), dir / "m.onnx");
  fs::permissions(dir.path(), fs::perms::all, fs::perm_options::add);
  fs::permissions(dir / "m.onnx", fs::perms::all, fs::perm_options::add);
  fs::permissions(dir / "ro", fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                  fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  // Root ignores permissions: run as nobody then.
  std::string prefix = ::geteuid() == 0 ? "exec setpriv --reuid=65534 --regid=65534 --clear-groups" : "exec";
  std::vector<std::string> args = {"embed-metadata", (dir / "m.onnx").string(), folder().string(), "-o", (dir / "ro" / "o.onnx").string()};
  auto r = run_cli(args, prefix);
  if (r.err.find("setpriv") != std::string::npos) GTEST_SKIP() << "setpriv unavailable: " << r.err;
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("ro"), std::string::npos) << r.err;
  EXPECT_TRUE(list_files(dir / "ro").empty());
}

}  // namespace
}  // namespace modelexport::test

namespace modelexport::test {
namespace {

TEST(Cli, TokenizeFromJsonFolderAndSelfContainedModel) {
  ScratchDir dir;
  ASSERT_EQ(run_cli({"embed-metadata", model().string(), folder().string(), "-o", (dir / "m.onnx").string(), "-q"}).exit_code, 0);
  write_bytes(dir / "in.jsonl", "{\"text\": \"I love this\", \"label\": 1}\n\n{\"text\": \"a\"}\n");
  std::string expected;
  for (const auto& source : {(folder() / "tokenizer.json").string(), folder().string(), (dir / "m.onnx").string()}) {
    auto r = run_cli({"tokenize", source, "--input", (dir / "in.jsonl").string()});
    ASSERT_EQ(r.exit_code, 0) << source << ": " << r.err;
    if (expected.empty()) expected = r.out;
    EXPECT_EQ(r.out, expected) << source;  // the same tokenizer, wherever it comes from
  }
  Json first = parse_json_object(expected.substr(0, expected.find('\n')), "tokenize output");
  EXPECT_EQ(first["tokens"], Json({"[CLS]", "i", "love", "this", "[SEP]"}));
  EXPECT_EQ(first["offsets"][2], Json({2, 6}));
  auto padded = run_cli({"tokenize", folder().string(), "--text", "a", "--padding", "--max-length", "6"});
  EXPECT_EQ(parse_json_object(padded.out, "padded")["attention_mask"], Json({1, 1, 1, 0, 0, 0}));
  // --no-special-tokens means one thing both ways: none in the output. tokenizers 0.23.2:
  // decode([2, 29, 108, 3], skip_special_tokens=false) = "[CLS] i love [SEP]", true = "i love".
  auto decoded = run_cli({"tokenize", folder().string(), "--decode", "2,29,108,3"});
  EXPECT_EQ(parse_json_object(decoded.out, "decoded")["text"], "[CLS] i love [SEP]");
  auto skipped = run_cli({"tokenize", folder().string(), "--decode", "2,29,108,3", "--no-special-tokens"});
  EXPECT_EQ(parse_json_object(skipped.out, "decoded")["text"], "i love");
  auto plain = run_cli({"tokenize", folder().string(), "--text", "i love", "--no-special-tokens"});
  EXPECT_EQ(parse_json_object(plain.out, "encoded")["tokens"], Json({"i", "love"}));
}

TEST(Cli, TokenizeConfigNullIsAbsent) {
  // "padding_side": null (and other nulls) in tokenizer_config.json mean "not set", as in transformers.
  ScratchDir dir;
  fs::create_directory(dir / "m");
  fs::copy_file(folder() / "tokenizer.json", dir / "m" / "tokenizer.json");
  write_bytes(dir / "m" / "tokenizer_config.json",
              R"({"padding_side": null, "model_max_length": null, "pad_token": null, "clean_up_tokenization_spaces": null})");
  auto r = run_cli({"tokenize", (dir / "m").string(), "--text", "a", "--padding", "--max-length", "6"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(parse_json_object(r.out, "padded")["attention_mask"], Json({1, 1, 1, 0, 0, 0}));
}

TEST(Cli, TokenizeKeepsAnEmptyPair) {
  REQUIRE_CORPUS();
  // tokenizers 0.23.2: encode("hi", "") with RoBERTa's post-processor is <s> hi </s></s></s>.
  auto r = run_cli({"tokenize", (corpus_dir() / "tokenizers" / "roberta-base" / "tokenizer.json").string(), "--text", "hi", "--pair", ""});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json e = parse_json_object(r.out, "tokenize output");
  EXPECT_EQ(e["tokens"], Json({"<s>", "hi", "</s>", "</s>", "</s>"}));
  EXPECT_EQ(e["ids"], Json({0, 3592, 2, 2, 2}));
}

TEST(Cli, TokenizeBadInput) {
  ScratchDir dir;
  write_bytes(dir / "bad.jsonl", "{\"txt\": \"no text field\"}\n");
  fs::copy_file(model(), dir / "bare.onnx");  // no metadata, no files beside it
  // tokenizer.json nested past serde_json's limit (tokenizers: "recursion limit exceeded"), made here.
  auto with = [](const char* key, const std::string& value) {
    Json j = parse_json_object(read_bytes(folder() / "tokenizer.json"), "fixture");
    j[key] = "@VALUE@";
    std::string text = j.dump();
    return text.replace(text.find("\"@VALUE@\""), 9, value);
  };
  write_bytes(dir / "deep.json", with("extra", std::string(1024, '[') + std::string(1024, ']')));
  std::string sequences;
  for (int i = 0; i < 1000; ++i) sequences += R"({"type": "Sequence", "normalizers": [)";
  sequences += R"({"type": "Lowercase"})";
  for (int i = 0; i < 1000; ++i) sequences += "]}";
  write_bytes(dir / "sequences.json", with("normalizer", sequences));
  fs::create_directory(dir / "deep-model");  // run reads the folder beside a model without metadata
  for (const char* f : {"model.onnx", "config.json", "tokenizer_config.json"}) fs::copy_file(folder() / f, dir / "deep-model" / f);
  write_bytes(dir / "deep-model" / "tokenizer.json", with("normalizer", sequences));
  write_bytes(dir / "fixed.json", with("padding", R"({"strategy": {"Fixed": 99999999999}, "direction": "Right", "pad_id": 0, "pad_type_id": 0, "pad_token": "[PAD]"})"));
  fs::create_directory(dir / "side");
  fs::copy_file(folder() / "tokenizer.json", dir / "side" / "tokenizer.json");
  write_bytes(dir / "side" / "tokenizer_config.json", R"({"padding_side": "up"})");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"tokenize", (dir / "deep.json").string(), "--text", "x"}, "tokenizer.json: JSON nested deeper than 127 arrays/objects"},
      {{"tokenize", folder().string(), "--text", "x", "--max-length", "99999999999"}, "--max-length 99999999999: at most 16777216 tokens"},
      {{"tokenize", folder().string(), "--text", "x", "--max-length", "100000000", "--padding"}, "--max-length 100000000: at most 16777216 tokens"},
      {{"tokenize", (dir / "fixed.json").string(), "--text", "x"}, "padding.strategy.Fixed: expected an integer from 0 to 16777216"},
      {{"tokenize", (dir / "side").string(), "--text", "x"}, "tokenizer_config.json padding_side: expected \"left\" or \"right\", got \"up\""},
      {{"tokenize", (dir / "sequences.json").string(), "--text", "x"}, "tokenizer.json: JSON nested deeper than 127 arrays/objects"},
      {{"run", (dir / "deep-model" / "model.onnx").string(), "x"}, "tokenizer.json: JSON nested deeper than 127 arrays/objects"},
      {{"tokenize", (dir / "deep-model").string(), "--text", "x"}, "tokenizer.json: JSON nested deeper than 127 arrays/objects"},
      {{"tokenize", (dir / "bare.onnx").string(), "--text", "x"}, "has no tokenizer: expected tokenizer.json, vocab.txt, vocab.json + merges.txt or a SentencePiece .model"},
      {{"tokenize", folder().string(), "--input", (dir / "bad.jsonl").string()}, "expected {\"text\""},
      {{"tokenize", folder().string()}, "nothing to tokenize"},
      {{"tokenize", folder().string(), "--decode", "1,x"}, "comma-separated integer ids"},
      {{"tokenize", (dir / "missing.json").string(), "--text", "x"}, "missing.json"},
  };
  for (const auto& [args, needle] : cases) {
    auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 2) << args[1];
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace modelexport::test

namespace modelexport::test {
namespace {

TEST(Cli, RunTextClassificationFromTheSelfContainedFileAlone) {
  ScratchDir dir;
  ASSERT_EQ(run_cli({"embed-metadata", model().string(), folder().string(), "-o", (dir / "m.onnx").string(), "-q"}).exit_code, 0);
  write_bytes(dir / "in.jsonl", "{\"text\": \"I love this movie\"}\n{\"text\": \"what a terrible day\", \"id\": 7}\n");
  auto r = run_cli({"run", (dir / "m.onnx").string(), "--input", (dir / "in.jsonl").string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json first = parse_json(r.out.substr(0, r.out.find('\n')), "run output");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_TRUE(first[0]["label"] == "POSITIVE" || first[0]["label"] == "NEGATIVE");
  auto top2 = run_cli({"run", (dir / "m.onnx").string(), "I love this movie", "--top-k", "2", "--json"});
  EXPECT_EQ(parse_json(top2.out, "run top-k")[1]["label"].is_string(), true);

  // Without metadata the folder beside the model is used: same answers as the embedded file.
  auto beside = run_cli({"run", model().string(), "I love this movie", "--top-k", "2", "--json"});
  ASSERT_EQ(beside.exit_code, 0) << beside.err;
  EXPECT_EQ(beside.out, top2.out);
  // A bare model with no files beside it.
  fs::copy_file(model(), dir / "bare.onnx");
  auto bare = run_cli({"run", (dir / "bare.onnx").string(), "x"});
  EXPECT_EQ(bare.exit_code, 2);
  EXPECT_NE(bare.err.find("records no task"), std::string::npos) << bare.err;
  // The wrong task for the model: fill-mask needs a mask token and [batch, seq, vocab] logits.
  auto other = run_cli({"run", (dir / "m.onnx").string(), "x", "--task", "fill-mask"});
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_NE(other.err.find("not made for this task"), std::string::npos) << other.err;
  auto unknown = run_cli({"run", (dir / "m.onnx").string(), "x", "--task", "summarization"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no summarization pipeline yet"), std::string::npos) << unknown.err;
  auto empty = run_cli({"run", (dir / "m.onnx").string()});
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_NE(empty.err.find("nothing to run on"), std::string::npos) << empty.err;
}

}  // namespace
}  // namespace modelexport::test
