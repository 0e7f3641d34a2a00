// Tokenizer API behaviour beyond the golden comparison: batch = single, threads, truncation and
// padding parameters, errors that name the JSON path.
#include "modelexport/processors/tokenizer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>

#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "processors/tokenizers/components.h"
#include "processors/tokenizers/unicode.h"
#include "support/test_support.h"

namespace modelexport::processors {
namespace {

// The "text" of every `every`-th line of a corpus text file (all of them by default).
std::vector<std::string> corpus_texts(const char* file, size_t every = 1, size_t limit = SIZE_MAX) {
  std::vector<std::string> texts;
  std::ifstream in(test::corpus_dir() / "text" / file);
  size_t n = 0;
  for (std::string line; std::getline(in, line) && texts.size() < limit; ++n)
    if (!line.empty() && n % every == 0) texts.push_back(parse_json_object(line, file)["text"]);
  return texts;
}

Tokenizer fixture() {
  return Tokenizer::from_json(test::read_bytes(test::fixtures_dir() / "tiny-text-classifier" / "tokenizer.json"));
}

TEST(Tokenizer, BatchOnSeveralThreadsEqualsOneByOne) {
  REQUIRE_CORPUS();
  auto tok = Tokenizer::from_json(test::read_bytes(test::corpus_dir() / "tokenizers" / "phi-3" / "tokenizer.json"));
  std::vector<std::string> texts = corpus_texts("multilingual.jsonl", 1, 3000);
  auto batch = tok.encode_batch(texts, true, 4);
  ASSERT_EQ(batch.size(), texts.size());
  for (size_t i = 0; i < texts.size(); i += 37) {
    auto one = tok.encode(texts[i]);
    EXPECT_EQ(batch[i].ids, one.ids) << texts[i];
    EXPECT_EQ(batch[i].offsets, one.offsets) << texts[i];
  }
}

TEST(Tokenizer, BatchPaddingPadsToTheLongest) {
  auto tok = fixture();
  tok.set_padding(PaddingParams{});
  auto out = tok.encode_batch({"a", "what a wonderful day today"}, true, 2);
  ASSERT_EQ(out[0].ids.size(), out[1].ids.size());
  EXPECT_EQ(out[0].attention_mask.back(), 0);
  EXPECT_EQ(out[0].tokens.back(), "[PAD]");
  PaddingParams left;
  left.left = true;
  left.length = 8;
  tok.set_padding(left);
  auto e = tok.encode("a");
  ASSERT_EQ(e.ids.size(), 8u);
  EXPECT_EQ(e.attention_mask.front(), 0);
  EXPECT_EQ(e.tokens.back(), "[SEP]");
}

TEST(Tokenizer, TruncationLeavesRoomForSpecialTokens) {
  auto tok = fixture();
  TruncationParams t;
  t.max_length = 4;
  tok.set_truncation(t);
  auto e = tok.encode("what a wonderful day today");
  EXPECT_EQ(e.tokens, (std::vector<std::string>{"[CLS]", "what", "a", "[SEP]"}));
  auto p = tok.encode_pair("what a wonderful day", "we are happy");
  EXPECT_EQ(p.ids.size(), 4u);
  t.left = true;
  tok.set_truncation(t);
  EXPECT_EQ(tok.encode("what a wonderful day today").tokens,
            (std::vector<std::string>{"[CLS]", "day", "today", "[SEP]"}));
}

TEST(Tokenizer, StrideMustLeaveRoom) {
  // Hugging Face aborts the process here (a Rust panic); we refuse with an error instead.
  auto tok = fixture();
  TruncationParams t;
  t.max_length = 5;
  t.stride = 3;
  tok.set_truncation(t);
  try {
    tok.encode("what a wonderful day today we are happy");
    FAIL();
  } catch (const ProcessorReconstructionError& e) {
    EXPECT_NE(std::string(e.what()).find("stride 3 must be less than the length 3"), std::string::npos) << e.what();
  }
  t.stride = 1;
  tok.set_truncation(t);
  auto e = tok.encode("what a wonderful day today we are happy");
  EXPECT_EQ(e.tokens, (std::vector<std::string>{"[CLS]", "what", "a", "wonderful", "[SEP]"}));
  ASSERT_EQ(e.overflowing.size(), 3u);
  EXPECT_EQ(e.overflowing[0].tokens, (std::vector<std::string>{"[CLS]", "wonderful", "day", "today", "[SEP]"}));
}

TEST(Tokenizer, DecodeRoundTrip) {
  auto tok = fixture();
  auto e = tok.encode("I love this movie!");
  EXPECT_EQ(tok.decode(e.ids, true), "i love this movie!");
  EXPECT_EQ(tok.decode(e.ids, false), "[CLS] i love this movie! [SEP]");
}

TEST(Tokenizer, ErrorsNameTheJsonPath) {
  auto expect_error = [](const std::string& json, const std::string& needle) {
    try {
      Tokenizer::from_json(json);
      ADD_FAILURE() << "accepted: " << json;
    } catch (const ProcessorReconstructionError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    } catch (const MetadataReadError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_error(R"({"model": {"type": "Magic", "vocab": {}}})",
               "model.type: unsupported type \"Magic\"; supported: WordPiece");
  expect_error(
      R"({"normalizer": {"type": "Sequence", "normalizers": [{"type": "NFX"}]}, "model": {"type": "WordLevel", "vocab": {}}})",
      "normalizer.normalizers[0].type");
  expect_error(R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a b"]}})", "model.merges[0]: token \"b\"");
  expect_error(
      R"({"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "("}, "behavior": "Isolated"}, "model": {"type": "WordLevel", "vocab": {}}})",
      "pre_tokenizer.pattern: regex does not compile");
  expect_error(R"({"model": )", "invalid JSON in tokenizer.json");
}

// The fixture's tokenizer.json with `key` set to `value` (raw JSON text), built as text: the
// deep documents below cannot go through a JSON library that recurses.
std::string fixture_with(const std::string& key, const std::string& value) {
  Json j =
      parse_json_object(test::read_bytes(test::fixtures_dir() / "tiny-text-classifier" / "tokenizer.json"), "fixture");
  j[key] = "@VALUE@";
  std::string text = j.dump();
  return text.replace(text.find("\"@VALUE@\""), 9, value);
}
std::string repeat(const std::string& s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}
// `levels` Sequence normalizers around `inner`.
std::string nested_sequences(size_t levels, const std::string& inner) {
  return repeat(R"({"type": "Sequence", "normalizers": [)", levels) + inner + repeat("]}", levels);
}

// Bad tokenizer.json files, each refused with an error naming what and where. Depths measured on
// tokenizers 0.23.2 (npm): 62 Sequences around a Replace (127 levels) load, 63 around a Lowercase
// (128 levels) give "recursion limit exceeded"; any unknown top-level key is refused.
TEST(Tokenizer, BadTokenizerJsonIsRefused) {
  const std::string replace = R"({"type": "Replace", "pattern": {"String": "a"}, "content": "b"})";
  EXPECT_NO_THROW(Tokenizer::from_json(fixture_with("normalizer", nested_sequences(62, replace))));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {fixture_with("normalizer", nested_sequences(63, R"({"type": "Lowercase"})")),
       "nested deeper than 127 arrays/objects"},
      {fixture_with("normalizer", nested_sequences(1000, R"({"type": "Lowercase"})")),
       "nested deeper than 127 arrays/objects"},
      {fixture_with("normalizer", nested_sequences(100000, R"({"type": "Lowercase"})")),
       "nested deeper than 127 arrays/objects"},
      {fixture_with("decoder", repeat("[", 1024) + repeat("]", 1024)), "nested deeper than 127 arrays/objects"},
      {fixture_with("extra", repeat("[", 1024) + repeat("]", 1024)), "nested deeper than 127 arrays/objects"},
      {fixture_with("extra", repeat("[", 100000) + repeat("]", 100000)), "nested deeper than 127 arrays/objects"},
      {fixture_with("extra", "1"), "unknown key \"extra\""},
      {fixture_with("padding", R"({"strategy": {"Fixed": 99999999999}})"),
       "padding.strategy.Fixed: expected an integer from 0 to 16777216"},
      {fixture_with("padding", R"({"strategy": {"Fixed": "8"}})"), "padding.strategy.Fixed: expected an integer"},
      {fixture_with("padding", R"({"pad_to_multiple_of": 99999999999})"),
       "padding.pad_to_multiple_of: expected an integer from 0 to 16777216"},
      {fixture_with("truncation", R"({"max_length": -1})"), "truncation.max_length: expected a non-negative integer"},
      {fixture_with(
           "post_processor",
           R"({"type": "TemplateProcessing", "single": "$A", "pair": "$A $B", "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": ["x"], "tokens": ["[CLS]"]}}})"),
       "post_processor.special_tokens.[CLS].ids: expected an array of integer ids"},
      // The "$A:1" string shorthand's type id (std::stoi threw a foreign exception on these).
      {fixture_with("post_processor",
                    R"({"type": "TemplateProcessing", "single": "$A:x", "pair": "$A $B:1", "special_tokens": {}})"),
       "post_processor.single: the piece \"$A:x\" has the type id \"x\"; expected a whole number from 0 to 2147483647"},
      {fixture_with(
           "post_processor",
           R"({"type": "TemplateProcessing", "single": "$A", "pair": "$A $B:99999999999", "special_tokens": {}})"),
       "post_processor.pair: the piece \"$B:99999999999\" has the type id \"99999999999\""},
      {fixture_with("post_processor",
                    R"({"type": "TemplateProcessing", "single": "$A:-1", "pair": "$A $B", "special_tokens": {}})"),
       "has the type id \"-1\"; expected a whole number"},
  };
  for (const auto& [json, needle] : cases) {
    try {
      Tokenizer::from_json(json);
      ADD_FAILURE() << "accepted: " << json.substr(0, 200);
    } catch (const ProcessorReconstructionError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  }
}

// The slow-tokenizer fallback reads tokenizer_config.json as transformers does: null is absent;
// other wrong types and unbounded sizes are errors naming the key.
TEST(LegacyTokenizer, ConfigNullIsAbsentAndBadValuesAreNamed) {
  LegacyTokenizerFiles files;
  files.vocab_txt = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n";
  files.tokenizer_config_json = R"({"do_lower_case": null, "tokenize_chinese_chars": null, "strip_accents": null})";
  EXPECT_EQ(Tokenizer::from_legacy(files).encode("Hello").tokens,
            (std::vector<std::string>{"[CLS]", "hello", "[SEP]"}));
  const std::vector<std::pair<LegacyTokenizerFiles, std::string>> bad = {
      {{"[CLS]\n[SEP]\n[UNK]\n", "", "", "", R"({"do_lower_case": "yes"})"},
       "tokenizer_config.json do_lower_case: expected true or false"},
      {{"", R"({"a": 0, "<|endoftext|>": "x"})", "#version: 0.2\n", "", ""},
       "vocab.json \"<|endoftext|>\": expected an integer id"},
      {{"", R"({"a": 0})", "#version: 0.2\n", "", R"({"add_prefix_space": 1})"},
       "tokenizer_config.json add_prefix_space: expected true or false"},
      // Not UTF-8, which transformers cannot read either (fuzz/regressions/fuzz_legacy_tokenizer: it
      // once escaped as nlohmann's type_error.316 while the converted tokenizer.json was written).
      {{"[PAD]\n[UNK]\n[CLS]\n[SEP]\n\xE4\xB8\n[MASK]\n", "", "", "", ""},
       "vocab.txt: not valid UTF-8 at line 5, column 1 (byte 0xE4 at offset 24); expected UTF-8 text"},
      {{"", R"({"a": 0, "b": 1})",
        "#version: 0.2\na \xFF"
        "b\n",
        "", ""},
       "merges.txt: not valid UTF-8 at line 2, column 3 (byte 0xFF at offset 16)"},
      {{"", "", "", std::string("\x0a\x03\x0a\x01\x80", 5), ""},
       "SentencePiece model: piece 0 is not valid UTF-8 at byte 0; expected UTF-8 text"},
  };
  for (const auto& [f, needle] : bad) {
    try {
      Tokenizer::from_legacy(f);
      ADD_FAILURE() << "accepted: " << needle;
    } catch (const ProcessorReconstructionError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  }
}

// The input caps (modelexport/common/limits.h): each refusal names the file or JSON path, the cap
// and its environment variable; the variable moves the cap (small caps here keep the test quick;
// bounded_resources_* measure the defaults through the CLI).
TEST(Tokenizer, InputLimitsAreNamedAndOverridable) {
  auto refused = [](const std::function<void()>& load, const std::string& needle) {
    try {
      load();
      ADD_FAILURE() << "accepted: " << needle;
    } catch (const Error& e) { EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what(); }
  };
  auto json = [](const std::string& text) { return [text] { Tokenizer::from_json(text); }; };
  auto legacy = [](LegacyTokenizerFiles f) { return [f] { Tokenizer::from_legacy(f); }; };
  const std::string wordlevel4 =
      R"({"model": {"type": "WordLevel", "vocab": {"a": 0, "b": 1, "c": 2, "d": 3}, "unk_token": "a"}})";
  const std::string wordlevel5 =
      R"({"model": {"type": "WordLevel", "vocab": {"a": 0, "b": 1, "c": 2, "d": 3, "e": 4}, "unk_token": "a"}})";
  auto piece = [](const std::string& t) {
    return std::string{'\x0a', static_cast<char>(t.size() + 2), '\x0a', static_cast<char>(t.size())} + t;
  };
  // Defaults: a 100-byte tokenizer.json whose one id is 2,000,000,000 (it took 15 GB and 70 s
  // before the cap: ids index a dense table).
  refused(json(R"({"model": {"type": "WordLevel", "vocab": {"a": 2000000000}, "unk_token": "a"}})"),
          "tokenizer.json model.vocab.a: id 2000000000 is not below the limit of 4194304 vocabulary entries "
          "(MODELEXPORT_MAX_VOCAB_SIZE raises it)");
  {
    test::EnvGuard env({{"MODELEXPORT_MAX_VOCAB_SIZE", "4"}, {"MODELEXPORT_MAX_MERGES", "1"}});
    EXPECT_NO_THROW(Tokenizer::from_json(wordlevel4));
    refused(json(wordlevel5),
            "tokenizer.json model.vocab: 5 vocabulary entries, above the limit of 4 (MODELEXPORT_MAX_VOCAB_SIZE raises "
            "it)");
    refused(json(R"({"model": {"type": "WordLevel", "vocab": {"a": 0, "b": 4}, "unk_token": "a"}})"),
            "model.vocab.b: id 4 is not below the limit of 4 vocabulary entries");
    refused(json(R"({"model": {"type": "Unigram", "vocab": [["a", 0], ["b", 0], ["c", 0], ["d", 0], ["e", 0]]}})"),
            "tokenizer.json model.vocab: 5 vocabulary entries, above the limit of 4");
    refused(
        json(R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "abb": 3}, "merges": ["a b", "ab b"]}})"),
        "tokenizer.json model.merges: 2 merges, above the limit of 1 (MODELEXPORT_MAX_MERGES raises it)");
    refused(legacy({"[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]", "", "", "", ""}),
            "vocab.txt: 5 vocabulary entries, above the limit of 4 (MODELEXPORT_MAX_VOCAB_SIZE raises it)");
    refused(legacy({"", R"({"a": 0, "b": 1, "c": 2, "d": 3, "e": 4})", "#version: 0.2\n", "", ""}),
            "vocab.json: 5 vocabulary entries, above the limit of 4");
    EXPECT_NO_THROW(Tokenizer::from_legacy({"", R"({"a": 0, "b": 1, "ab": 2})", "#version: 0.2\na b\n", "", ""}));
    refused(legacy({"", R"({"a": 0, "b": 1, "ab": 2, "abb": 3})", "#version: 0.2\na b\nab b", "", ""}),
            "merges.txt: 2 merges, above the limit of 1 (MODELEXPORT_MAX_MERGES raises it)");
    refused(legacy({"", "", "", piece("a") + piece("b") + piece("c") + piece("d") + piece("e"), ""}),
            "SentencePiece model: at least 5 vocabulary entries, above the limit of 4 (MODELEXPORT_MAX_VOCAB_SIZE "
            "raises it)");
  }
  {
    test::EnvGuard env({{"MODELEXPORT_MAX_JSON_BYTES", std::to_string(wordlevel4.size())}});
    EXPECT_NO_THROW(Tokenizer::from_json(wordlevel4));
    refused(json(wordlevel4 + " "), "tokenizer.json: " + std::to_string(wordlevel4.size() + 1) +
                                        " bytes of JSON, above the limit of " + std::to_string(wordlevel4.size()) +
                                        " (MODELEXPORT_MAX_JSON_BYTES raises it)");
    refused(legacy({"", std::string(wordlevel4.size() + 1, ' '), "#version: 0.2\n", "", ""}),
            "vocab.json: " + std::to_string(wordlevel4.size() + 1) + " bytes of JSON, above the limit");
  }
}

// The factories bound their own recursion, whatever built the JSON they are given.
TEST(Tokenizer, FactoriesBoundSequenceNesting) {
  auto nested = [](size_t levels) {
    Json j = {{"type", "Lowercase"}};
    for (size_t i = 0; i < levels; ++i) j = Json{{"type", "Sequence"}, {"normalizers", Json::array({std::move(j)})}};
    return j;
  };
  EXPECT_NO_THROW(make_normalizer(nested(62), "normalizer"));
  try {
    make_normalizer(nested(63), "normalizer");
    ADD_FAILURE() << "63 nested Sequences accepted";
  } catch (const ProcessorReconstructionError& e) {
    EXPECT_NE(std::string(e.what()).find("Sequence components nested 63 deep"), std::string::npos) << e.what();
  }
}

TEST(Tokenizer, RejectsInvalidUtf8Input) {
  auto tok = fixture();
  EXPECT_THROW(tok.encode(std::string("bad \xC3\x28 text")), ProcessorReconstructionError);
}

// unicode::next on bytes that are not UTF-8 (which the entry points refuse first): one U+FFFD per
// byte that does not start a complete sequence, never a read past the end (found by fuzz_chat_template:
// a truncated sequence at the end of the input was read past it).
TEST(Unicode, NextNeverReadsPastTheEnd) {
  struct Case {
    std::string bytes;
    std::u32string code_points;
  } cases[] = {
      {"a\xC3\xA9\xE6\x9D\xB1\xF0\x9F\xA4\x97", U"a\u00E9\u6771\U0001F917"},  // valid: 1 to 4 bytes
      {"\xE6\x9D", U"\uFFFD\uFFFD"},                                          // truncated at the end
      {"\xF0\x9F\xA4", U"\uFFFD\uFFFD\uFFFD"},
      {"\xC3", U"\uFFFD"},
      {"\x80x", U"\uFFFDx"},  // a lone continuation byte
      {"\xC3(", U"\uFFFD("},  // a lead byte without its continuation
      {"\xE6\x9Dz", U"\uFFFD\uFFFDz"},
      {"\xF9\xF9", U"\uFFFD\uFFFD"},  // bytes that never start a sequence
      {"\xC0\xAF", U"\uFFFD\uFFFD"},  // overlong lead
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.bytes);
    std::u32string got;
    for (size_t i = 0; i < c.bytes.size();) {
      got += unicode::next(c.bytes, i);
      ASSERT_LE(i, c.bytes.size());
    }
    EXPECT_EQ(got, c.code_points);
  }
}

}  // namespace
}  // namespace modelexport::processors

namespace modelexport::processors {
namespace {

// The converters' output against Hugging Face's own converted tokenizer.json shipped beside the
// legacy files: identical encodings on the corpus texts.
TEST(LegacyTokenizer, MatchesTheShippedTokenizerJson) {
  REQUIRE_CORPUS();
  auto models = test::corpus_dir() / "models";
  std::vector<std::string> texts = corpus_texts("edge_cases.jsonl");
  for (const char* name : {"all-MiniLM-L6-v2", "distilbert-base-uncased", "gte-small", "gpt2"}) {
    SCOPED_TRACE(name);
    auto dir = models / name;
    LegacyTokenizerFiles files;
    auto read_if = [&](const char* f) {
      return std::filesystem::exists(dir / f) ? test::read_bytes(dir / f) : std::string();
    };
    files.vocab_txt = read_if("vocab.txt");
    files.vocab_json = read_if("vocab.json");
    files.merges_txt = read_if("merges.txt");
    files.tokenizer_config_json = read_if("tokenizer_config.json");
    Tokenizer legacy = Tokenizer::from_legacy(files);
    Tokenizer shipped = Tokenizer::from_json(test::read_bytes(dir / "tokenizer.json"));
    shipped.set_padding(std::nullopt);
    shipped.set_truncation(std::nullopt);
    size_t compared = 0;
    for (const auto& t : texts) {
      for (bool special : {true, false}) {
        auto a = legacy.encode(t, special), b = shipped.encode(t, special);
        EXPECT_EQ(a.ids, b.ids) << t;
        EXPECT_EQ(a.offsets, b.offsets) << t;
        EXPECT_EQ(legacy.decode(a.ids), shipped.decode(b.ids)) << t;
        ++compared;
      }
    }
    EXPECT_GT(compared, 100u);
  }
}

TEST(LegacyTokenizer, NothingToBuildFromIsAClearError) {
  try {
    Tokenizer::from_legacy({});
    FAIL();
  } catch (const ProcessorReconstructionError& e) {
    EXPECT_NE(std::string(e.what()).find("vocab.txt"), std::string::npos);
  }
}

}  // namespace
}  // namespace modelexport::processors

namespace modelexport::processors {
namespace {

// The SentencePiece .model fallback (converted as T5Converter does) against Hugging Face's
// converted tokenizer.json of the same model, on the corpus texts.
TEST(LegacyTokenizer, SentencePieceModelMatchesTheShippedTokenizerJson) {
  REQUIRE_CORPUS();
  auto dir = test::corpus_dir() / "models" / "t5-small-translation_en_to_fr";
  LegacyTokenizerFiles files;
  files.sentencepiece_model = test::read_bytes(dir / "spiece.model");
  Tokenizer converted = Tokenizer::from_legacy(files);
  Tokenizer shipped = Tokenizer::from_json(test::read_bytes(dir / "tokenizer.json"));
  std::vector<std::string> texts = corpus_texts("edge_cases.jsonl");
  for (auto& t : corpus_texts("multilingual.jsonl", 10)) texts.push_back(std::move(t));
  ASSERT_GT(texts.size(), 1000u);
  for (const auto& t : texts) {
    auto a = converted.encode(t), b = shipped.encode(t);
    ASSERT_EQ(a.ids, b.ids) << t;
    ASSERT_EQ(a.offsets, b.offsets) << t;
    ASSERT_EQ(converted.decode(a.ids), shipped.decode(b.ids)) << t;
  }
  LegacyTokenizerFiles bad;
  bad.sentencepiece_model = "this is not a protobuf";
  EXPECT_THROW(Tokenizer::from_legacy(bad), ProcessorReconstructionError);
}

}  // namespace
}  // namespace modelexport::processors
