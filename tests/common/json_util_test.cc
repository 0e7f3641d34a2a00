// The checked JSON layer: nesting limit, size cap (also on files, common/json_file.h), typed access
// that names file and path, output that is always valid JSON.
#include "common/json_util.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/json_file.h"
#include "modelexport/common/error.h"
#include "modelexport/common/limits.h"
#include "support/test_support.h"

namespace modelexport {
namespace {

namespace fs = std::filesystem;

std::string nested(size_t depth, const std::string& inner = "") {
  return std::string(depth, '[') + inner + std::string(depth, ']');
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const MetadataReadError& e) { return e.what(); }
  return "";
}

// Hugging Face tokenizers 0.23.2 (npm) parses a tokenizer.json whose deepest value sits at depth 127
// and refuses depth 128 with "recursion limit exceeded" (measured with an extra key of nested arrays
// inside "model", and with Sequence normalizers nested 62 vs 63 deep).
TEST(JsonDepth, DeeperThanHuggingFaceAcceptsIsRefusedWithItsPosition) {
  struct Case {
    std::string name, text;
    bool ok;
    int column = 0;  // of the bracket that opens level 128
  };
  std::vector<Case> cases = {
      {"127 arrays", nested(127), true},
      {"128 arrays", nested(128), false, 128},
      {"127 objects and arrays", "{\"a\":" + nested(126) + "}", true},
      {"128 objects and arrays", "{\"a\":" + nested(127) + "}", false, 132},
      {"brackets inside strings do not count", nested(120, "\"\\\"" + std::string(500, '[') + "\""), true},
      {"1,024 (simdjson's limit)", nested(1024), false, 128},
      {"100,000", nested(100000), false, 128},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::string parse = error_of([&] { parse_json(c.text, "deep.json"); });
    std::string syntax = error_of([&] { check_json_syntax(c.text, "deep.json"); });
    if (c.ok) {
      EXPECT_EQ(parse, "");
      EXPECT_EQ(syntax, "");
      continue;
    }
    for (const auto& m : {parse, syntax}) {
      EXPECT_NE(m.find("deep.json at line 1, column " + std::to_string(c.column) + " "), std::string::npos) << m;
      EXPECT_NE(m.find("recursion limit exceeded"), std::string::npos) << m;
    }
  }
}

TEST(JsonDepth, OtherSyntaxErrorsStillNameLineAndColumn) {
  std::string m = error_of([] { parse_json("{\n  \"a\": tru\n}", "x.json"); });
  EXPECT_NE(m.find("x.json at line 2"), std::string::npos) << m;
  m = error_of([] { check_json_syntax("[1, 2", "y.json"); });
  EXPECT_NE(m.find("y.json at line 1"), std::string::npos) << m;
  EXPECT_EQ(parse_json("{\"a\": [1, {\"b\": null}]}", "ok.json")["a"][1]["b"], nullptr);
}

// The size cap (modelexport/common/limits.h) applies before parsing, to parse_json and
// check_json_syntax alike, naming the document and MODELEXPORT_MAX_JSON_BYTES; the default is 128 MiB.
TEST(JsonSize, DocumentsPastTheCapAreRefusedBeforeParsing) {
  EXPECT_EQ(limit_value(kMaxJsonBytes), 134217728u);
  test::EnvGuard env({{"MODELEXPORT_MAX_JSON_BYTES", "10"}});
  EXPECT_EQ(parse_json("[1, 2, 3 ]", "ten.json").size(), 3u);  // exactly 10 bytes
  for (const std::string& text : {std::string("[1, 2, 3  ]"), std::string(1000, '[')}) {
    for (const auto& m : {error_of([&] { parse_json(text, "config.json"); }),
                          error_of([&] { check_json_syntax(text, "config.json"); })})
      EXPECT_EQ(m, "config.json: " + std::to_string(text.size()) +
                       " bytes of JSON, above the limit of 10 (MODELEXPORT_MAX_JSON_BYTES raises it)");
  }
}

// read_json_file checks the cap against the file's size before reading it: a sparse file of 1 TiB is
// refused without a byte read (read_file would first copy it into memory); within the cap, the bytes.
TEST(JsonSize, FilesPastTheCapAreRefusedBeforeReading) {
  test::ScratchDir dir;
  const fs::path small = dir / "ten.json", sparse = dir / "tokenizer.json";
  test::write_bytes(small, "[1, 2, 3 ]");
  {
    test::EnvGuard env({{"MODELEXPORT_MAX_JSON_BYTES", "10"}});
    EXPECT_EQ(read_json_file(small, "ten.json"), "[1, 2, 3 ]");
    test::write_bytes(small, "[1, 2, 3  ]");
    EXPECT_EQ(error_of([&] { read_json_file(small, "ten.json"); }),
              "ten.json: 11 bytes of JSON, above the limit of 10 (MODELEXPORT_MAX_JSON_BYTES raises it)");
  }
  std::error_code ec;
  { std::ofstream(sparse).put('\0'); }
  fs::resize_file(sparse, uint64_t{1} << 40, ec);
  if (ec) GTEST_SKIP() << "this file system has no 1 TiB sparse files: " << ec.message();
  EXPECT_EQ(error_of([&] { read_json_file(sparse, "tokenizer.json"); }),
            "tokenizer.json: 1099511627776 bytes of JSON, above the limit of 134217728 (MODELEXPORT_MAX_JSON_BYTES "
            "raises it)");
  fs::remove(sparse);
}

// Found by fuzz_configs (fuzz/regressions/fuzz_configs/number-overflow-1e999): a number past double's
// range is nlohmann's out_of_range.406, which used to escape parse_json as a foreign exception.
TEST(JsonNumbers, OutOfRangeNumbersAreReadErrorsWithTheirPosition) {
  for (const char* text : {"1e999", "{\"a\": -1e400}", "[1, 2e9999]"}) {
    std::string m = error_of([&] { parse_json(text, "config.json"); });
    EXPECT_NE(m.find("config.json at line 1"), std::string::npos) << text << ": " << m;
    EXPECT_NE(m.find("number overflow"), std::string::npos) << text << ": " << m;
    m = error_of([&] { check_json_syntax(text, "config.json"); });
    EXPECT_NE(m.find("number overflow"), std::string::npos) << text << ": " << m;
  }
}

// null is "not set" (transformers' PretrainedConfig defaults problem_type to None; transformers.js
// reads `padding_side ?? 'right'`); a wrong type names the file and the JSON path.
TEST(JsonReader, NullIsAbsentAndWrongTypesNameFileAndPath) {
  Json j = parse_json(R"({"problem_type": null, "padding_side": null, "n": 3, "f": 2.5, "s": "x", "b": true,
                          "big": 18446744073709551615, "sub": {"k": "v", "bad": [1]}, "arr": [1], "nul": null})",
                      "config.json");
  JsonReader r(j, "bert/config.json");
  EXPECT_EQ(r.string_or("problem_type", "none"), "none");
  EXPECT_EQ(r.string_or("padding_side", "right"), "right");
  EXPECT_FALSE(r.has("problem_type"));
  EXPECT_EQ(r.integer_or("n", -1), 3);
  EXPECT_EQ(r.integer_or("missing", -1), -1);
  EXPECT_EQ(*r.number("f"), 2.5);
  EXPECT_EQ(*r.number("n"), 3.0);
  EXPECT_TRUE(r.boolean_or("b", false));
  EXPECT_EQ(r.object("sub")->string_or("k", ""), "v");
  EXPECT_FALSE(r.object("nul").has_value());
  EXPECT_EQ(r.array("arr")->size(), 1u);
  EXPECT_EQ(r.array("nul"), nullptr);
  EXPECT_EQ(JsonReader(Json::array(), "x").string_or("k", "d"), "d");  // not an object: every key absent

  struct Bad {
    std::function<void()> get;
    std::string message;
  };
  std::vector<Bad> bad = {
      {[&] { r.string("n"); }, "bert/config.json: n: expected a string, found number"},
      {[&] { r.integer("f"); }, "bert/config.json: f: expected an integer, found number"},
      {[&] { r.integer("s"); }, "bert/config.json: s: expected an integer, found string"},
      {[&] { r.integer("big"); }, "bert/config.json: big: expected an integer up to 9223372036854775807, found number"},
      {[&] { r.boolean("s"); }, "bert/config.json: s: expected true or false, found string"},
      {[&] { r.number("b"); }, "bert/config.json: b: expected a number, found boolean"},
      {[&] { r.object("s"); }, "bert/config.json: s: expected an object, found string"},
      {[&] { r.array("sub"); }, "bert/config.json: sub: expected an array, found object"},
      {[&] { r.object("sub")->string("bad"); }, "bert/config.json: sub.bad: expected a string, found array"},
  };
  for (const auto& b : bad) EXPECT_EQ(error_of(b.get), b.message);
}

// Invalid UTF-8 (a path or a foreign metadata value) becomes U+FFFD: the output stays valid JSON.
TEST(DumpJson, InvalidUtf8IsReplacedNotThrown) {
  Json j = {{"path", std::string("/tmp/caf\xe9/model.onnx")}, {std::string("key\xff"), "ok"}};
  EXPECT_THROW(j.dump(), nlohmann::json::type_error);  // what leaked as [json.exception.type_error.316]
  std::string out = dump_json(j, 2);
  Json back = parse_json(out, "dump");
  EXPECT_EQ(back["path"], "/tmp/caf\xef\xbf\xbd/model.onnx");
  EXPECT_EQ(back["key\xef\xbf\xbd"], "ok");
  EXPECT_EQ(dump_json(Json{{"a", "b"}}), "{\"a\":\"b\"}");
}

}  // namespace
}  // namespace modelexport
