// Parity with Hugging Face tokenizers (npm tokenizers@0.23.2) on every corpus tokenizer and every
// trained fixture (tests/fixtures/tokenizers, scripts/fixtures/make_tokenizers.mjs), over the
// corpus texts: ids, tokens, offsets, type ids, masks, word ids and decoded text must be identical.
// Golden data: tests/processors/golden_tokenizers.sh (CTest fixture) → $GOLDEN_TOKENIZERS.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "modelexport/processors/tokenizer.h"
#include "processors/tokenizers/components.h"
#include "processors/tokenizers/unicode.h"
#include "support/test_support.h"

namespace modelexport::processors {
namespace {

namespace fs = std::filesystem;

fs::path golden_path() {
  const char* p = std::getenv("GOLDEN_TOKENIZERS");
  return p ? fs::path(p) : fs::path();
}

Json fields_json(const Encoding& e) {
  Json words = Json::array();
  for (const auto& w : e.word_ids) words.push_back(w ? Json(*w) : Json(nullptr));
  Json offsets = Json::array();
  for (const auto& [a, b] : e.offsets) offsets.push_back({a, b});
  return {{"ids", e.ids}, {"tokens", e.tokens}, {"offsets", offsets}, {"type_ids", e.type_ids},
          {"attention_mask", e.attention_mask}, {"special_tokens_mask", e.special_tokens_mask}, {"word_ids", words}};
}

Json actual_json(const Encoding& e, const std::string& decoded) {
  Json j = fields_json(e);
  j["decoded"] = decoded;
  return j;
}

// The golden line's truncation, applied to a copy of the tokenizer.
Tokenizer with_truncation(const Tokenizer& base, const Json& t) {
  Tokenizer tok = base;
  TruncationParams p;
  p.max_length = t["maxLength"].get<size_t>();
  p.stride = t["stride"].get<size_t>();
  std::string s = t["strategy"];
  p.strategy = s == "OnlyFirst" ? TruncationParams::Strategy::kOnlyFirst
               : s == "OnlySecond" ? TruncationParams::Strategy::kOnlySecond : TruncationParams::Strategy::kLongestFirst;
  p.left = t["direction"] == "Left";
  tok.set_truncation(p);
  return tok;
}

struct Tally {
  size_t total = 0, equal = 0;
  std::string load_status;
  std::vector<std::string> examples;
};

TEST(TokenizerConformance, MatchesHuggingFaceTokenizers) {
  fs::path golden = golden_path();
  if (golden.empty() || !fs::exists(golden)) GTEST_SKIP() << "no golden data (corpus or node_modules missing)";
  auto corpus = test::corpus_dir();
  std::ifstream in(golden);
  std::string line;
  std::map<std::string, Tally> tally;
  std::map<std::string, std::optional<Tokenizer>> loaded;
  while (std::getline(in, line)) {
    Json g = parse_json_object(line, "golden line");
    if (g.contains("sweep")) continue;  // CodePointSweeps
    std::string name = g["tokenizer"];
    Tally& t = tally[name];
    if (!loaded.count(name)) {
      try {
        loaded[name] = Tokenizer::from_json(test::read_bytes(g["file"].get<std::string>()));
        t.load_status = "loaded";
      } catch (const Error& e) {
        loaded[name] = std::nullopt;
        t.load_status = std::string("refused: ") + e.what();
      }
    }
    if (g.contains("load_error")) {
      // Hugging Face refuses this file: so must we, with a clear error.
      EXPECT_FALSE(loaded[name].has_value()) << name << ": Hugging Face refuses it (" << g["load_error"] << ") but we loaded it";
      t.load_status += " (Hugging Face refuses it too)";
      continue;
    }
    ++t.total;
    if (!loaded[name]) continue;
    bool truncated = g.contains("truncation");
    Tokenizer tok = truncated ? with_truncation(*loaded[name], g["truncation"]) : *loaded[name];
    std::string text = g["text"];
    bool special = g["special"];
    Json actual;
    try {
      Encoding e = g["pair"].is_null() ? tok.encode(text, special) : tok.encode_pair(text, g["pair"].get<std::string>(), special);
      actual = actual_json(e, tok.decode(e.ids, true));
    } catch (const Error& e) {
      actual = {{"encode_error", e.what()}};
    }
    bool same;
    if (g.contains("encode_error")) {
      same = actual.contains("encode_error");
    } else {
      Json expected = g;
      for (const char* k : {"tokenizer", "file", "text", "pair", "special", "truncation"}) expected.erase(k);
      // tokenizers 0.23 gives left-truncated encodings the word ids of the first window (ids,
      // tokens and offsets are those of the last one): a reference bug we do not copy.
      if (truncated && g["truncation"]["direction"] == "Left") {
        expected.erase("word_ids");
        actual.erase("word_ids");
      }
      same = actual == expected;
      if (!same && t.examples.size() < 3) {
        std::string diff = "  text: " + Json(text).dump() + (g["pair"].is_null() ? "" : " | pair: " + g["pair"].dump()) +
                           (special ? "" : " (no special tokens)") + "\n";
        for (const auto& [k, v] : expected.items())
          if (!actual.contains(k) || actual[k] != v)
            diff += "    " + k + "\n      hf:   " + v.dump().substr(0, 400) + "\n      ours: " +
                    (actual.contains(k) ? actual[k].dump().substr(0, 400) : actual.dump().substr(0, 400)) + "\n";
        t.examples.push_back(diff);
      }
    }
    t.equal += same;
  }
  size_t total = 0, equal = 0;
  for (const auto& [name, t] : tally) {
    total += t.total;
    equal += t.equal;
    std::printf("[conformance] %-42s %5zu/%-5zu %6.2f%%  %s\n", name.c_str(), t.equal, t.total,
                t.total ? 100.0 * static_cast<double>(t.equal) / static_cast<double>(t.total) : 100.0, t.load_status.substr(0, 150).c_str());
    for (const auto& ex : t.examples) std::printf("%s", ex.c_str());
    // Every tokenizer Hugging Face loads must match it exactly.
    EXPECT_EQ(t.equal, t.total) << name << ": " << t.total - t.equal << " encodings differ from Hugging Face";
  }
  std::printf("[conformance] all: %zu/%zu = %.2f%%\n", equal, total, total ? 100.0 * static_cast<double>(equal) / static_cast<double>(total) : 0.0);
}

// Every code point through the normalizers and pre-tokenizers whose results depend on Unicode
// character tables (marks, categories, case, decompositions): Hugging Face's tables are its own
// (older than utf8proc's), so each component must give what tokenizers gives, code point by code point.
std::string describe_code_point(char32_t c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
  return buf;
}

TEST(TokenizerConformance, CodePointSweeps) {
  fs::path golden = golden_path();
  if (golden.empty() || !fs::exists(golden)) GTEST_SKIP() << "no golden data (corpus or node_modules missing)";
  std::ifstream in(golden);
  size_t sweeps = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("{\"sweep\"", 0) != 0) continue;
    Json g = parse_json_object(line, "golden line");
    ++sweeps;
    const Json& config = g["config"];
    std::vector<std::string> diffs;
    size_t differing = 0;
    auto note = [&](char32_t c, const std::string& hf, const std::string& ours) {
      if (++differing <= 8) diffs.push_back("    " + describe_code_point(c) + " hf: " + hf + " ours: " + ours + "\n");
    };
    if (g["sweep"] == "normalizer") {
      auto normalizer = make_normalizer(config, "normalizer");
      std::map<char32_t, std::string> expected;
      for (const auto& e : g["changed"]) expected[e[0].get<char32_t>()] = e[1].get<std::string>();
      for (char32_t c = 0; c <= 0x10FFFF; ++c) {
        if (c >= 0xD800 && c <= 0xDFFF) continue;
        std::string s;
        unicode::append(s, c);
        NormalizedString n(s);
        normalizer->normalize(n);
        auto it = expected.find(c);
        const std::string& want = it == expected.end() ? s : it->second;
        if (n.get() != want) note(c, Json(want).dump(), Json(n.get()).dump());
      }
    } else {
      auto pre_tokenizer = make_pre_tokenizer(config, "pre_tokenizer");
      const Json& runs = g["runs"];
      size_t run = 0;
      for (char32_t c = 0; c <= 0x10FFFF; ++c) {
        if (c >= 0xD800 && c <= 0xDFFF) continue;
        while (run + 1 < runs.size() && runs[run + 1][0].get<char32_t>() <= c) ++run;
        std::string s = "a";
        unicode::append(s, c);
        s += "b";
        PreTokenizedString pts(s);
        pre_tokenizer->pre_tokenize(pts);
        Json pieces = Json::array();
        for (const auto& split : pts.splits) {
          auto [a, b] = split.normalized.original_range(0, split.normalized.get().size());
          pieces.push_back(
              {unicode::count(std::string_view(s).substr(0, a)), unicode::count(std::string_view(s).substr(0, b))});
        }
        if (pieces != runs[run][1]) note(c, runs[run][1].dump(), pieces.dump());
      }
    }
    std::printf("[sweep] %-120s %7zu code points differ\n", config.dump().c_str(), differing);
    for (const auto& d : diffs) std::printf("%s", d.c_str());
    // Known and measured: ByteLevel's regex classes (\p{L}, \p{N}, \s) are Oniguruma's in
    // tokenizers and PCRE2's here; they split 9,272 of the 1,112,064 code points differently (none
    // occurs in the corpus texts). Any change to that count, either way, fails.
    size_t known = config["type"] == "ByteLevel" ? 9272 : 0;
    EXPECT_EQ(differing, known) << config.dump();
  }
  EXPECT_GT(sweeps, 0u) << "the golden data has no code-point sweeps";
}

}  // namespace
}  // namespace modelexport::processors
