// The modelexport binary, run as a user runs it: exit codes, messages, and that bad input never
// writes anything or touches the input.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/json_util.h"
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <fstream>

#include "modelexport/common/codec.h"
#include "support/onnx_builder.h"
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
  for (const char* cmd : {"embed-metadata", "analyze", "validate", "unpack", "export", "tokenize", "chat-template"}) {
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
  std::string shell_prefix = "";
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
  fs::create_directories(dir / "cut");  // a self-contained model whose external data was cut short
  write_external_data_model(dir / "cut" / "model.onnx", "model.onnx_data");
  ASSERT_EQ(run_cli({"embed-metadata", (dir / "cut" / "model.onnx").string(), folder().string(), "-q"}).exit_code, 0);
  fs::resize_file(dir / "cut" / "model.onnx_data", 10);
  write_bytes(dir / "pointer.onnx",
              "version https://git-lfs.github.com/spec/v1\n"
              "oid sha256:4d7a2146f1b6b9a0b6d3a2d0d8a5d7a1c3b2e4f6a8b0c2d4e6f8a0b2c4d6e8f0\n"
              "size 90868376\n");
  write_bytes(dir / "crlf.onnx", "version https://git-lfs.github.com/spec/v1\r\noid sha256:abc\r\nsize 12\r\n");
  // A FIFO would block open() forever (and the snapshot below reading it): in a folder of its own.
  ScratchDir fifo_dir;
  ASSERT_EQ(::mkfifo((fifo_dir / "fifo.onnx").c_str(), 0600), 0);
  const std::string fifo = (fifo_dir / "fifo.onnx").string();
  fs::copy_file(model(), dir / "readonly.onnx");
  fs::permissions(dir / "readonly.onnx", fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  fs::create_symlink("nowhere.onnx", dir / "dangling.onnx");
  // Sources and models too large to hash for the snapshot live apart; outputs still go to `dir`.
  ScratchDir big;
  auto b = big.path().string();
  fs::create_directories(big / "deep");
  fs::copy_file(folder() / "config.json", big / "deep" / "config.json");
  std::string tok = read_bytes(folder() / "tokenizer.json");
  write_bytes(big / "deep" / "tokenizer.json",  // Hugging Face: "recursion limit exceeded"
              "{\"extra\": " + std::string(1024, '[') + std::string(1024, ']') + "," + tok.substr(tok.find('{') + 1));
  fs::create_directories(big / "huge");
  for (const char* f : {"config.json", "tokenizer.json"}) fs::copy_file(folder() / f, big / "huge" / f);
  write_bytes(big / "huge" / "merges.txt", "");
  fs::resize_file(big / "huge" / "merges.txt", (1ull << 30) + 1);        // sparse: past the 1 GiB value cap
  write_large_sparse_model(big / "big.onnx", (2ull << 30) + (1 << 20));  // sparse: past protobuf's 2 GB
  // 1,000 bytes under the limit: the metadata pushes it over (found while the copy runs; cancelled).
  uint64_t head = write_large_sparse_model(big / "near.onnx", 2ull << 30) - (2ull << 30);
  write_large_sparse_model(big / "near.onnx", 2147483647 - 1000 - head);
  auto embed_to_out = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"embed-metadata", model().string(), folder().string(), "-o", d + "/out.onnx"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  std::vector<BadCase> cases = {
      {"not onnx",
       {"embed-metadata", d + "/text.onnx", folder().string(), "-o", d + "/out.onnx"},
       "not a valid ONNX model"},
      {"truncated", {"analyze", d + "/truncated.onnx"}, "truncated"},
      {"missing file", {"analyze", d + "/nope.onnx"}, "nope.onnx"},
      {"no config.json",
       {"embed-metadata", model().string(), d + "/noconfig", "-o", d + "/out.onnx"},
       "no config.json"},
      {"invalid json",
       {"embed-metadata", model().string(), d + "/badjson", "-o", d + "/out.onnx"},
       "config.json at line 2"},
      {"hub id not cached",
       {"embed-metadata", model().string(), "nobody/nothing", "-o", d + "/out.onnx"},
       "local Hugging Face cache"},
      {"unpack no metadata", {"unpack", model().string(), d + "/unpacked"}, "no modelexport metadata"},
      {"unpack target exists", {"unpack", model().string(), d + "/exists"}, "already exists"},
      {"unknown task",
       {"embed-metadata", model().string(), folder().string(), "--task", "cook", "-o", d + "/out.onnx"},
       "unknown task"},
      {"unpack truncated external data",
       {"unpack", d + "/cut/model.onnx", d + "/unpacked"},
       "'model.onnx_data' has 10 bytes"},
      {"export truncated external data",
       {"export", folder().string(), d + "/unpacked", "--onnx", d + "/cut/model.onnx"},
       "truncated"},
      // The LFS pointer's size and oid on the message's one line.
      {"lfs pointer",
       {"analyze", d + "/pointer.onnx"},
       "is a Git LFS pointer, not an ONNX model: the real file (90868376 bytes, "
       "sha256:4d7a2146f1b6b9a0b6d3a2d0d8a5d7a1c3b2e4f6a8b0c2d4e6f8a0b2c4d6e8f0) was never downloaded."},
      {"lfs pointer crlf", {"analyze", d + "/crlf.onnx"}, "the real file (12 bytes, sha256:abc) was never downloaded."},
      // Special files are refused by kind: a FIFO used to block forever, a pipe read as "empty".
      {"fifo", {"analyze", fifo}, "fifo.onnx' is a pipe (FIFO), expected a regular file", "timeout 20"},
      {"fifo validate", {"validate", fifo}, "fifo.onnx' is a pipe (FIFO)", "timeout 20"},
      {"fifo unpack", {"unpack", fifo, d + "/unpacked"}, "fifo.onnx' is a pipe (FIFO)", "timeout 20"},
      {"pipe", {"analyze", "/dev/stdin"}, "'/dev/stdin' is a pipe (FIFO), expected a regular file", "echo data |"},
      {"device", {"analyze", "/dev/null"}, "'/dev/null' is a character device"},
      {"json nested 1,024 deep",
       {"embed-metadata", model().string(), b + "/deep", "-o", d + "/out.onnx"},
       "deep/tokenizer.json at line 1, column 137 (byte 136): nesting deeper than 127 levels (recursion limit "
       "exceeded"},
      {"file past the value cap",
       {"embed-metadata", model().string(), b + "/huge", "-o", d + "/out.onnx"},
       "merges.txt' is 1073741825 bytes; a metadata value may hold at most 1073741824 bytes"},
      {"output past 2 GB",
       {"embed-metadata", b + "/big.onnx", folder().string(), "-o", d + "/out.onnx"},
       "past protobuf's 2 GB limit for one ONNX file (2147483647 bytes)"},
      {"metadata pushes the output past 2 GB",
       {"embed-metadata", b + "/near.onnx", folder().string(), "-o", d + "/out.onnx"},
       "bytes: model 2.15 GB + metadata "},
      {"threshold inf", embed_to_out({"--compress-threshold", "inf"}),
       "--compress-threshold must be a finite number of KB from 0 to 1048576"},
      {"threshold nan", embed_to_out({"--compress-threshold", "nan"}), "got nan"},
      {"threshold 1e30", embed_to_out({"--compress-threshold", "1e30"}), "got 1e+30"},
      {"threshold 2^54", embed_to_out({"--compress-threshold", "18014398509481984"}), "got 1.80144e+16"},
      {"threshold negative", embed_to_out({"--compress-threshold", "-1"}), "got -1"},
      {"in place on a 0444 file",
       {"embed-metadata", d + "/readonly.onnx", folder().string()},
       "is not writable (mode 0444"},
      {"output is a dangling symlink",
       {"embed-metadata", model().string(), folder().string(), "-o", d + "/dangling.onnx"},
       "which does not exist; refusing to replace the link"},
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
    auto r = run_cli(c.args, c.shell_prefix);
    EXPECT_EQ(r.exit_code, 2) << c.name << ": " << r.err;
    EXPECT_NE(r.err.find(c.expected_in_error), std::string::npos) << c.name << ": " << r.err;
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << c.name;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << c.name << ": one line: " << r.err;
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
  // A 20-byte value whose gzip size trailer (ISIZE) claims 1.69 GB.
  std::string lying = gzip_compress("{\"twenty\": \"bytes!\"}");
  for (int i = 0; i < 4; ++i) lying[lying.size() - 4 + i] = static_cast<char>((1690000000u >> (8 * i)) & 0xff);
  std::vector<Payload> payloads = {{"not base64", "***", "invalid base64"},
                                   {"not gzip", "bm90IGd6aXAgZGF0YQ==", "invalid gzip"},
                                   {"lying size trailer", base64_encode(lying), "corrupt size trailer"},
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
    auto listed = run_cli({"analyze", (dir / "bad.onnx").string(), "--show-metadata"});
    EXPECT_NE(listed.out.find("undecodable"), std::string::npos) << listed.out;
    EXPECT_EQ(listed.out.find("GB"), std::string::npos) << listed.out;
    Json analyzed = parse_json_object(a.out, "analyze");
    EXPECT_FALSE(analyzed["metadata"].contains("hf_tokenizer_json"));  // out of band, not a value
    EXPECT_NE(analyzed["errors"]["hf_tokenizer_json"].get<std::string>().find(p.expected), std::string::npos);
  }
}

// A model from a future schema (hf_metadata_version "99.0") is still read, but never silently.
TEST(Cli, UnknownMajorMetadataVersionIsNeverSilent) {
  ScratchDir dir;
  ASSERT_EQ(
      run_cli({"embed-metadata", model().string(), folder().string(), "-o", (dir / "m.onnx").string(), "-q"}).exit_code,
      0);
  onnx::ModelProto m;
  {
    std::ifstream in(dir / "m.onnx", std::ios::binary);
    ASSERT_TRUE(m.ParseFromIstream(&in));
  }
  for (auto& kv : *m.mutable_metadata_props())
    if (kv.key() == "hf_metadata_version") kv.set_value("99.0");
  auto* q = m.add_metadata_props();  // as quantize writes it: a known key, not a foreign one
  q->set_key("hf_quantization");
  q->set_value("{\"dtype\":\"q4\",\"block_size\":32}");
  {
    std::ofstream out(dir / "v99.onnx", std::ios::binary);
    ASSERT_TRUE(m.SerializeToOstream(&out));
  }
  const std::string v99 = (dir / "v99.onnx").string(),
                    warning = "warning: '" + v99 + "': hf_metadata_version is '99.0'";
  auto tok = run_cli({"tokenize", v99, "--text", "hello"});
  EXPECT_EQ(tok.exit_code, 0) << tok.err;
  EXPECT_NE(tok.err.find(warning), std::string::npos) << tok.err;
  auto unpack = run_cli({"unpack", v99, (dir / "out").string()});
  EXPECT_EQ(unpack.exit_code, 0) << unpack.err;
  EXPECT_NE(unpack.err.find("warning: hf_metadata_version is '99.0', a major version this tool does not know"),
            std::string::npos)
      << unpack.err;
  auto run = run_cli({"run", v99, "I love this movie"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find(warning), std::string::npos) << run.err;
  auto v = run_cli({"validate", v99});
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_NE(v.out.find("error [schema] hf_metadata_version is '99.0', a major version"), std::string::npos) << v.out;
  auto a = run_cli({"analyze", v99, "--show-metadata"});
  EXPECT_EQ(a.exit_code, 0);
  auto line = a.out.substr(a.out.find("hf_quantization"));
  EXPECT_EQ(line.substr(0, line.find('\n')).find("not modelexport's"), std::string::npos) << a.out;
  auto j = parse_json_object(run_cli({"analyze", v99, "--json"}).out, "analyze --json");
  EXPECT_EQ(j["metadata"]["hf_quantization"]["block_size"], 32);  // parsed, among the schema's keys
  EXPECT_FALSE(j["other_metadata"].contains("hf_quantization"));
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

// A file owned by someone else that we may not write is not taken over, even in a folder where
// rename() would let us (run as nobody when we are root).
TEST(Cli, InPlaceEmbedNeverTakesOverAnotherUsersFile) {
  ScratchDir dir;
  fs::copy_file(model(), dir / "theirs.onnx");
  fs::permissions(dir.path(), fs::perms::all, fs::perm_options::add);  // anyone may create and rename here
  fs::permissions(dir / "theirs.onnx", fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                           fs::perms::others_read);  // 0644
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to create a file owned by another user";
  std::string before = file_sha256(dir / "theirs.onnx");
  auto r = run_cli({"embed-metadata", (dir / "theirs.onnx").string(), folder().string()},
                   "exec setpriv --reuid=65534 --regid=65534 --clear-groups");
  if (r.err.find("setpriv") != std::string::npos) GTEST_SKIP() << "setpriv unavailable: " << r.err;
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("is not writable (mode 0644, owner uid 0)"), std::string::npos) << r.err;
  EXPECT_EQ(file_sha256(dir / "theirs.onnx"), before);
  EXPECT_EQ(list_files(dir.path()), std::vector<std::string>{"theirs.onnx"});
  EXPECT_EQ(fs::status(dir / "theirs.onnx").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
}

// `"problem_type": null` (config.json) and `"padding_side": null` (tokenizer_config.json) mean "not
// set", as in transformers and transformers.js.
TEST(Cli, NullMeansNotSet) {
  ScratchDir dir;
  fs::create_directories(dir / "src");
  for (const char* f : {"model.onnx", "tokenizer.json"}) fs::copy_file(folder() / f, dir / "src" / f);
  Json config = parse_json_object(read_bytes(folder() / "config.json"), "config.json");
  config["problem_type"] = nullptr;
  write_bytes(dir / "src" / "config.json", config.dump());
  Json tc = parse_json_object(read_bytes(folder() / "tokenizer_config.json"), "tokenizer_config.json");
  tc["padding_side"] = nullptr;
  write_bytes(dir / "src" / "tokenizer_config.json", tc.dump());
  auto e = run_cli({"embed-metadata", model().string(), (dir / "src").string(), "-o", (dir / "m.onnx").string(), "-q"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"run", (dir / "m.onnx").string(), "I love this movie", "--json"},
           {"run", (dir / "src" / "model.onnx").string(), "I love this movie", "--json"},
           {"tokenize", (dir / "src").string(), "--text", "a", "--padding", "--max-length", "4"}}) {
    auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
    EXPECT_EQ(r.err.find("json.exception"), std::string::npos) << r.err;
  }
  auto t = run_cli({"tokenize", (dir / "src").string(), "--text", "a", "--padding", "--max-length", "4"});
  EXPECT_EQ(parse_json_object(t.out, "tokenize")["attention_mask"], Json({1, 1, 1, 0}));  // padded on the right
}

// Invalid UTF-8 in a source path, a foreign metadata key or value, or an output folder: every --json
// output is valid JSON (invalid bytes shown as U+FFFD), and the stored provenance is valid UTF-8.
TEST(Cli, InvalidUtf8NeverBreaksJsonOutput) {
  ScratchDir dir;
  fs::path src = dir / "caf\xe9";
  fs::create_directories(src);
  for (const char* f : {"config.json", "tokenizer.json", "tokenizer_config.json"}) fs::copy_file(folder() / f, src / f);
  auto e = run_cli({"embed-metadata", model().string(), src.string(), "-o", (dir / "m.onnx").string(), "--json"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_EQ(parse_json_object(e.out, "embed --json")["source"], (dir / "caf\xef\xbf\xbd").string());
  onnx::ModelProto m = load_model(dir / "m.onnx");
  for (const auto& kv : m.metadata_props()) EXPECT_TRUE(is_valid_utf8(kv.value())) << kv.key();
  auto* p = m.add_metadata_props();
  p->set_key("producer\xff");
  p->set_value("binary \xc3\x28 value");
  save_model(m, dir / "foreign.onnx");
  std::vector<std::vector<std::string>> commands = {
      {"analyze", (dir / "foreign.onnx").string(), "--json", "--validate-metadata"},
      {"validate", (dir / "foreign.onnx").string(), "--json"},
      {"unpack", (dir / "foreign.onnx").string(), (dir / "out\xff").string(), "--json"},
      {"embed-metadata", model().string(), src.string(), "-o", (dir / "caf\xe9.onnx").string(), "--json"},
      {"unpack", (dir / "caf\xe9.onnx").string(), (dir / "out2").string(), "--json"}};
  for (const auto& args : commands) {
    auto r = run_cli(args);
    EXPECT_LE(r.exit_code, 1) << args[0] << ": " << r.err;
    EXPECT_EQ(r.err.find("json.exception"), std::string::npos) << r.err;
    EXPECT_NO_THROW(parse_json(r.out, args[0] + " --json")) << r.out;
  }
  EXPECT_NO_THROW(parse_json(read_bytes(dir / "out2" / "export_metadata.json"), "export_metadata.json"));
}

// analyze used to overflow the stack printing an embedded config.json of 100,000 nested arrays.
TEST(Cli, DeeplyNestedEmbeddedJsonIsReportedNotACrash) {
  ScratchDir dir;
  ASSERT_EQ(
      run_cli({"embed-metadata", model().string(), folder().string(), "-o", (dir / "m.onnx").string(), "-q"}).exit_code,
      0);
  onnx::ModelProto m = load_model(dir / "m.onnx");
  for (auto& kv : *m.mutable_metadata_props())
    if (kv.key() == "hf_model_config") kv.set_value(std::string(100000, '[') + std::string(100000, ']'));
  save_model(m, dir / "deep.onnx");
  auto a = run_cli({"analyze", (dir / "deep.onnx").string(), "--json"});
  EXPECT_EQ(a.exit_code, 0) << a.err;
  EXPECT_NO_THROW(parse_json_object(a.out, "analyze --json"));
  auto v = run_cli({"validate", (dir / "deep.onnx").string()});
  EXPECT_EQ(v.exit_code, 1) << v.err;
  EXPECT_NE(v.out.find("recursion limit exceeded"), std::string::npos) << v.out;
}

// Runs `modelexport ARGS` and, once the writer's hidden temporary file exists, stops it, sends
// `sig`, and resumes it. Returns the wait status; `caught` says whether the temporary was seen.
int interrupt_while_writing(const std::vector<std::string>& args, const fs::path& dir, int sig, bool& caught) {
  pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> argv;
    std::string cli = MODELEXPORT_CLI;
    argv.push_back(cli.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(cli.c_str(), argv.data());
    ::_exit(127);
  }
  auto has_temp = [&] {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (auto n = e.path().filename().string();
          n.find(".tmp.") != std::string::npos || n.find(".quantizing.") != std::string::npos)
        return true;
    return false;
  };
  caught = false;
  int status = 0;
  for (;;) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return status;  // finished before we saw it
    if (has_temp()) {
      ::kill(pid, SIGSTOP);
      caught = has_temp();
      ::kill(pid, sig);
      ::kill(pid, SIGCONT);
      break;
    }
  }
  ::waitpid(pid, &status, 0);
  return status;
}

TEST(Cli, InterruptedWritesLeaveNoTemporaryFiles) {
  ScratchDir dir;
  fs::create_directories(dir / "out");
  write_large_sparse_model(dir / "big.onnx", 64 << 20);  // copying it takes long enough to be caught
  std::string input_hash = file_sha256(dir / "big.onnx");
  bool caught = false;
  int status = interrupt_while_writing(
      {"embed-metadata", (dir / "big.onnx").string(), folder().string(), "-o", (dir / "out" / "m.onnx").string(), "-q"},
      dir / "out", SIGINT, caught);
  if (!caught) GTEST_SKIP() << "the command finished before its temporary file was seen";
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT) << status;
  EXPECT_TRUE(list_files(dir / "out").empty());  // neither the temporary nor a half-written output
  EXPECT_EQ(file_sha256(dir / "big.onnx"), input_hash);
  // In place, with SIGTERM: the input is kept as it was.
  status = interrupt_while_writing({"embed-metadata", (dir / "big.onnx").string(), folder().string(), "-q"}, dir.path(),
                                   SIGTERM, caught);
  if (!caught) GTEST_SKIP() << "the command finished before its temporary file was seen";
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << status;
  EXPECT_EQ(list_files(dir.path()), std::vector<std::string>{"big.onnx"});
  EXPECT_EQ(file_sha256(dir / "big.onnx"), input_hash);
}

// quantize writes through the same atomic files: y = x @ W with a 4096 x 4096 float weight, to
// float16 in external data (the data file's temporary lives while 32 MB are written).
TEST(Cli, InterruptedQuantizeLeavesNoTemporaryFiles) {
  ScratchDir dir;
  fs::create_directories(dir / "out");
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("matmul");
  auto* w = g->add_initializer();
  w->set_name("W");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(4096);
  w->add_dims(4096);
  w->set_raw_data(std::string(4096ull * 4096 * 4, '\0'));
  auto value = [](onnx::ValueInfoProto* v, const char* name, int64_t rows, int64_t cols) {
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    t->mutable_shape()->add_dim()->set_dim_value(rows);
    t->mutable_shape()->add_dim()->set_dim_value(cols);
  };
  value(g->add_input(), "x", 1, 4096);
  value(g->add_output(), "y", 1, 4096);
  auto* n = g->add_node();
  n->set_op_type("MatMul");
  n->add_input("x");
  n->add_input("W");
  n->add_output("y");
  save_model(m, dir / "mm.onnx");
  std::string input_hash = file_sha256(dir / "mm.onnx");
  bool caught = false;
  int status =
      interrupt_while_writing({"quantize", (dir / "mm.onnx").string(), "-o", (dir / "out" / "mm.fp16.onnx").string(),
                               "--dtype", "fp16", "--external-data", "--no-accuracy", "-q"},
                              dir / "out", SIGINT, caught);
  if (!caught) GTEST_SKIP() << "quantize finished before its temporary file was seen";
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT) << status;
  EXPECT_TRUE(list_files(dir / "out").empty());
  EXPECT_EQ(file_sha256(dir / "mm.onnx"), input_hash);
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
  write_bytes(
      dir / "m" / "tokenizer_config.json",
      R"({"padding_side": null, "model_max_length": null, "pad_token": null, "clean_up_tokenization_spaces": null})");
  auto r = run_cli({"tokenize", (dir / "m").string(), "--text", "a", "--padding", "--max-length", "6"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(parse_json_object(r.out, "padded")["attention_mask"], Json({1, 1, 1, 0, 0, 0}));
}

TEST(Cli, TokenizeKeepsAnEmptyPair) {
  REQUIRE_CORPUS();
  // tokenizers 0.23.2: encode("hi", "") with RoBERTa's post-processor is <s> hi </s></s></s>.
  auto r = run_cli({"tokenize", (corpus_dir() / "tokenizers" / "roberta-base" / "tokenizer.json").string(), "--text",
                    "hi", "--pair", ""});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json e = parse_json_object(r.out, "tokenize output");
  EXPECT_EQ(e["tokens"], Json({"<s>", "hi", "</s>", "</s>", "</s>"}));
  EXPECT_EQ(e["ids"], Json({0, 3592, 2, 2, 2}));
}

TEST(Cli, TokenizeBadInput) {
  ScratchDir dir;
  write_bytes(dir / "bad.jsonl", "{\"txt\": \"no text field\"}\n");
  fs::copy_file(model(), dir / "bare.onnx");  // no metadata, no files beside it
  // Sequence normalizers nested n deep: Hugging Face tokenizers 0.23.2 loads 62 and refuses 63
  // ("recursion limit exceeded"; measured through the npm package).
  auto nested_sequences = [&](int n, const fs::path& path) {
    Json t = parse_json_object(read_bytes(folder() / "tokenizer.json"), "tokenizer.json");
    Json norm = {{"type", "Lowercase"}};
    for (int i = 0; i < n; ++i) norm = Json{{"type", "Sequence"}, {"normalizers", Json::array({norm})}};
    t["normalizer"] = norm;
    write_bytes(path, t.dump());
  };
  nested_sequences(62, dir / "seq62.json");
  nested_sequences(63, dir / "seq63.json");
  EXPECT_EQ(run_cli({"tokenize", (dir / "seq62.json").string(), "--text", "x"}).exit_code, 0);
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
  for (const char* f : {"model.onnx", "config.json", "tokenizer_config.json"})
    fs::copy_file(folder() / f, dir / "deep-model" / f);
  write_bytes(dir / "deep-model" / "tokenizer.json", with("normalizer", sequences));
  write_bytes(
      dir / "fixed.json",
      with(
          "padding",
          R"({"strategy": {"Fixed": 99999999999}, "direction": "Right", "pad_id": 0, "pad_type_id": 0, "pad_token": "[PAD]"})"));
  fs::create_directory(dir / "side");
  fs::copy_file(folder() / "tokenizer.json", dir / "side" / "tokenizer.json");
  write_bytes(dir / "side" / "tokenizer_config.json", R"({"padding_side": "up"})");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"tokenize", (dir / "seq63.json").string(), "--text", "x"},
       "tokenizer.json: JSON nested deeper than 127 arrays/objects"},
      {{"tokenize", (dir / "deep.json").string(), "--text", "x"},
       "tokenizer.json: JSON nested deeper than 127 arrays/objects"},
      {{"tokenize", folder().string(), "--text", "x", "--max-length", "99999999999"},
       "--max-length 99999999999: at most 16777216 tokens"},
      {{"tokenize", folder().string(), "--text", "x", "--max-length", "100000000", "--padding"},
       "--max-length 100000000: at most 16777216 tokens"},
      {{"tokenize", (dir / "fixed.json").string(), "--text", "x"},
       "padding.strategy.Fixed: expected an integer from 0 to 16777216"},
      {{"tokenize", (dir / "side").string(), "--text", "x"},
       "tokenizer_config.json padding_side: expected \"left\" or \"right\", got \"up\""},
      {{"tokenize", (dir / "sequences.json").string(), "--text", "x"},
       "tokenizer.json: JSON nested deeper than 127 arrays/objects"},
      {{"run", (dir / "deep-model" / "model.onnx").string(), "x"},
       "tokenizer.json: JSON nested deeper than 127 arrays/objects"},
      {{"tokenize", (dir / "deep-model").string(), "--text", "x"},
       "tokenizer.json: JSON nested deeper than 127 arrays/objects"},
      {{"tokenize", (dir / "bare.onnx").string(), "--text", "x"},
       "has no tokenizer: expected tokenizer.json, vocab.txt, vocab.json + merges.txt or a SentencePiece .model"},
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

namespace modelexport::test {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  for (size_t a = 0, b; a < text.size(); a = b + 1) {
    b = text.find('\n', a);
    if (b == std::string::npos) b = text.size();
    out.push_back(text.substr(a, b - a));
  }
  return out;
}

// analyze --validate-metadata decides as validate does: exit 1 when it prints INVALID.
TEST(Cli, AnalyzeValidateMetadataExitsAsValidate) {
  ScratchDir dir;
  ASSERT_EQ(
      run_cli({"embed-metadata", model().string(), folder().string(), "-o", (dir / "m.onnx").string(), "-q"}).exit_code,
      0);
  for (const auto& [file, expected] : {std::pair{model(), 1}, std::pair{dir / "m.onnx", 0}}) {
    EXPECT_EQ(run_cli({"validate", file.string()}).exit_code, expected) << file;
    auto text = run_cli({"analyze", file.string(), "--validate-metadata"});
    EXPECT_EQ(text.exit_code, expected) << file << text.out;
    EXPECT_NE(text.out.find(expected ? "INVALID" : "valid: "), std::string::npos) << text.out;
    auto json = run_cli({"analyze", file.string(), "--validate-metadata", "--json"});
    EXPECT_EQ(json.exit_code, expected) << file;
    EXPECT_EQ(parse_json_object(json.out, "analyze --json")["validation"]["valid"], expected == 0);
    EXPECT_EQ(run_cli({"analyze", file.string()}).exit_code, 0) << "without --validate-metadata analyze only reports";
  }
}

// Unknown commands and options are named, with the valid ones listed.
TEST(Cli, UnknownCommandsAndOptionsAreNamed) {
  const std::string m = model().string();
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {{},
       {"a command is required: one of embed-metadata, analyze, validate, unpack, export, tokenize, chat-template, "
        "run, quantize, chat"}},
      {{"frobnicate", m}, {"unknown command 'frobnicate'; expected one of embed-metadata, analyze, validate"}},
      {{"--frob"}, {"unknown option '--frob'", "give a command first: one of embed-metadata"}},
      {{"analyze", m, "--frob"},
       {"unknown option '--frob' for modelexport analyze; its options: --help, --show-metadata, --show-task"}},
      {{"validate", m, "extra.onnx"}, {"unexpected argument 'extra.onnx' for modelexport validate"}},
      // Options in run's "task options" group are listed too.
      {{"run", m, "text", "--pooled"},
       {"unknown option '--pooled' for modelexport run; its options: --help, --input", "--pooling", "--multi-label"}},
  };
  for (const auto& c : cases) {
    auto r = run_cli(c.args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    for (const auto& e : c.expected) EXPECT_NE(r.err.find(e), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("A subcommand is required"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
  }
}

// Folders unpack and export create get the mode mkdir gives (0777 less the umask), as files do.
TEST(Cli, OutputFoldersFollowTheUmask) {
  ScratchDir dir;
  ASSERT_EQ(
      run_cli({"embed-metadata", model().string(), folder().string(), "-o", (dir / "m.onnx").string(), "-q"}).exit_code,
      0);
  for (const auto& [umask, mode] : {std::pair{"022", 0755}, std::pair{"077", 0700}, std::pair{"002", 0775}}) {
    std::string prefix = std::string("umask ") + umask + ";";
    auto u = dir / ("u" + std::string(umask));
    auto e = dir / ("e" + std::string(umask));
    ASSERT_EQ(
        run_cli({"unpack", (dir / "m.onnx").string(), u.string(), "--layout", "transformers.js"}, prefix).exit_code, 0);
    ASSERT_EQ(run_cli({"export", folder().string(), e.string(), "--onnx", model().string()}, prefix).exit_code, 0);
    for (const auto& d : {u, e, u / "onnx"}) {
      struct stat st {};
      ASSERT_EQ(::stat(d.c_str(), &st), 0) << d;
      EXPECT_EQ(st.st_mode & 0777, static_cast<unsigned>(mode)) << d << " with umask " << umask;
    }
  }
}

// "usage error" only for arguments: a model that cannot do what was asked is another category.
TEST(Cli, ErrorCategories) {
  ScratchDir dir;
  ASSERT_EQ(
      run_cli({"embed-metadata", model().string(), folder().string(), "-o", (dir / "m.onnx").string(), "-q"}).exit_code,
      0);
  ASSERT_EQ(run_cli({"quantize", (dir / "m.onnx").string(), "-o", (dir / "q.onnx").string(), "--no-accuracy", "-q"})
                .exit_code,
            0);
  struct Case {
    std::vector<std::string> args;
    std::string category, expected;
  };
  const std::vector<Case> cases = {
      {{"run", (dir / "m.onnx").string(), "x", "--task", "fill-mask"},
       "modelexport: unsuitable model: ",
       "not made for this task"},
      {{"quantize", (dir / "q.onnx").string(), "-o", (dir / "qq.onnx").string()},
       "modelexport: unsuitable model: ",
       "is already quantized"},
      {{"quantize", (dir / "m.onnx").string(), "-o", (dir / "x.onnx").string(), "--dtype", "q3"},
       "modelexport: usage error: ",
       "unknown --dtype"},
      {{"run", (dir / "m.onnx").string(), "x", "--task", "cook"}, "modelexport: usage error: ", "unknown task"},
  };
  for (const auto& c : cases) {
    auto r = run_cli(c.args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.err.rfind(c.category, 0), 0u) << r.err;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << r.err;
  }
  EXPECT_FALSE(fs::exists(dir / "qq.onnx"));
}

// ONNX Runtime's own log (here: its warning about an unused initializer) never reaches stderr as
// ORT prints it ("[W:onnxruntime:...", ANSI colours); --verbose shows it as our warning.
TEST(Cli, OnnxRuntimeLogGoesThroughOurs) {
  ScratchDir dir;
  onnx::ModelProto m = load_model(model());
  auto* w = m.mutable_graph()->add_initializer();
  w->set_name("never_used");
  w->set_data_type(onnx::TensorProto_DataType_FLOAT);
  w->add_dims(2);
  w->add_float_data(1.0f);
  w->add_float_data(2.0f);
  save_model(m, dir / "model.onnx");
  for (const char* f : {"config.json", "tokenizer.json"}) fs::copy_file(folder() / f, dir / f);
  auto plain = run_cli({"run", (dir / "model.onnx").string(), "I love this"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.err, "") << "ORT's log leaked";
  auto verbose = run_cli({"run", (dir / "model.onnx").string(), "I love this", "--verbose"});
  ASSERT_EQ(verbose.exit_code, 0) << verbose.err;
  EXPECT_NE(verbose.err.find("modelexport: onnxruntime warning: "), std::string::npos) << verbose.err;
  EXPECT_NE(verbose.err.find("never_used"), std::string::npos) << verbose.err;
  EXPECT_EQ(verbose.err.find('\x1b'), std::string::npos) << "ANSI codes: " << verbose.err;
  EXPECT_EQ(verbose.err.find("[W:onnxruntime"), std::string::npos) << verbose.err;
  EXPECT_EQ(verbose.out, plain.out);
}

// -q means "print nothing on success" on every command that reports (errors, warnings and
// validate's findings still print).
TEST(Cli, QuietMeansNothingOnSuccess) {
  ScratchDir dir;
  auto m = (dir / "m.onnx").string();
  ASSERT_EQ(run_cli({"embed-metadata", model().string(), folder().string(), "-o", m, "-q"}).exit_code, 0);
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    bool prints;
  };
  const std::vector<Case> cases = {
      {{"validate", m, "-q"}, 0, false},
      {{"validate", model().string(), "-q"}, 1, true},  // invalid: the findings are the point
      {{"analyze", m, "-q", "--validate-metadata"}, 0, false},
      {{"analyze", model().string(), "-q", "--validate-metadata"}, 1, true},
      {{"analyze", m, "--show-metadata", "-q"}, 0, false},
      {{"unpack", m, (dir / "u").string(), "-q"}, 0, false},
      {{"export", folder().string(), (dir / "e").string(), "--onnx", model().string(), "--quiet"}, 0, false},
      {{"quantize", m, "-o", (dir / "q.onnx").string(), "--no-accuracy", "-q"}, 0, false},
      {{"embed-metadata", model().string(), folder().string(), "-o", (dir / "m2.onnx").string(), "-q"}, 0, false},
  };
  for (const auto& c : cases) {
    auto r = run_cli(c.args);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.args[0] << ": " << r.err;
    EXPECT_EQ(!r.out.empty(), c.prints) << c.args[0] << ": " << r.out;
    EXPECT_EQ(r.err, "") << c.args[0];
  }
  EXPECT_TRUE(fs::exists(dir / "u" / "model.onnx"));
  EXPECT_TRUE(fs::exists(dir / "e" / "model.onnx"));
}

// --input - reads standard input (run and tokenize share the reader).
TEST(Cli, InputDashReadsStdin) {
  ScratchDir dir;
  auto m = (dir / "m.onnx").string();
  ASSERT_EQ(run_cli({"embed-metadata", model().string(), folder().string(), "-o", m, "-q"}).exit_code, 0);
  write_bytes(dir / "in.jsonl", "{\"text\": \"I love this movie\"}\n{\"text\": \"what a terrible day\"}\n");
  write_bytes(dir / "bad.jsonl", "{\"text\": \"fine\"}\n[1]\n");
  std::string cat = "cat " + (dir / "in.jsonl").string() + " |";
  for (const auto& cmd : {std::vector<std::string>{"run", m, "--json"}, std::vector<std::string>{"tokenize", m}}) {
    auto from_file = cmd, from_stdin = cmd;
    from_file.insert(from_file.end(), {"--input", (dir / "in.jsonl").string()});
    from_stdin.insert(from_stdin.end(), {"--input", "-"});
    auto f = run_cli(from_file), s = run_cli(from_stdin, cat);
    ASSERT_EQ(s.exit_code, 0) << cmd[0] << ": " << s.err;
    EXPECT_EQ(lines_of(s.out).size(), 2u) << s.out;
    EXPECT_EQ(s.out, f.out) << cmd[0];
    auto bad = run_cli(from_stdin, "cat " + (dir / "bad.jsonl").string() + " |");
    EXPECT_EQ(bad.exit_code, 2) << cmd[0];
    EXPECT_NE(bad.err.find("stdin line 2"), std::string::npos) << bad.err;
  }
}

// Options of other tasks, and counts of 0, are errors naming the option and the task.
TEST(Cli, RunOptionsThatDoNotApplyAreErrors) {
  ScratchDir dir;
  auto m = (dir / "m.onnx").string();
  ASSERT_EQ(run_cli({"embed-metadata", model().string(), folder().string(), "-o", m, "-q"}).exit_code, 0);
  write_bytes(dir / "labels.jsonl", "{\"text\": \"x\", \"labels\": [\"a\", \"b\"]}\n");
  write_bytes(dir / "qa.jsonl", "{\"question\": \"who?\", \"context\": \"me\"}\n");
  write_bytes(dir / "image.jsonl", "{\"text\": \"x\", \"image\": \"cat.jpg\"}\n");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"run", m, "x", "--labels", "a", "b"},
       "--labels does not apply to text-classification (it is an option of zero-shot-classification and "
       "zero-shot-image-classification)"},
      {{"run", m, "x", "--multi-label"}, "--multi-label does not apply to text-classification"},
      {{"run", m, "x", "--pooling", "mean"},
       "--pooling does not apply to text-classification (it is an option of feature-extraction and "
       "image-feature-extraction)"},
      {{"run", m, "x", "--pool"},
       "--pool does not apply to text-classification (it is an option of image-feature-extraction)"},
      {{"run", m, "x", "--max-image-pixels", "100"},
       "--max-image-pixels does not apply to text-classification (it is an option of image models)"},
      {{"run", m, "--input", (dir / "image.jsonl").string()},
       "image.jsonl line 1: \"image\" does not apply to text-classification (it is an input of image models)"},
      {{"run", m, "x", "--question", "who?"}, "--question does not apply to text-classification"},
      {{"run", m, "x", "--aggregation-strategy", "simple"},
       "--aggregation-strategy does not apply to text-classification"},
      {{"run", m, "x", "--targets", "a"},
       "--targets does not apply to text-classification (it is an option of fill-mask)"},
      {{"run", m, "x", "--top-k", "0"}, "--top-k must be at least 1"},
      {{"run", m, "x", "--batch-size", "0"}, "--batch-size must be at least 1"},
      {{"run", m, "--input", (dir / "labels.jsonl").string()},
       "labels.jsonl line 1: \"labels\" does not apply to text-classification"},
      {{"run", m, "--input", (dir / "qa.jsonl").string()},
       "qa.jsonl line 1: \"question\" does not apply to text-classification"},
  };
  for (const auto& [args, needle] : cases) {
    auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 2) << args[3];
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
  // The options of the model's task are fine.
  EXPECT_EQ(run_cli({"run", m, "x", "--top-k", "2", "--function-to-apply", "sigmoid", "--batch-size", "1"}).exit_code,
            0);
}

}  // namespace
}  // namespace modelexport::test
