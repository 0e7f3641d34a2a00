// Whisper's --language rule (runtime/pipelines/whisper_languages.h) as a table: each input resolved
// as Python transformers' language_to_id resolves it (models/whisper/generation_whisper.py at commit
// 000dccdb, over tokenization_whisper.py's LANGUAGES / TO_LANGUAGE_CODE), hand-traced through that
// code on a four-language lang_to_id: lower-cased, a lang_to_id key first, then a name or alias, then a
// code; anything else a UsageError listing codes (two letters) or names, and a Whisper language the
// model lacks a UsageError listing the model's. The decoding against transformers.js 4.3.1 with names
// and tokens is in whisper_test.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "modelexport/common/error.h"
#include "runtime/pipelines/whisper_languages.h"

namespace modelexport::runtime {
namespace {

const std::map<std::string, int64_t> kLangToId = {
    {"<|en|>", 50259}, {"<|zh|>", 50260}, {"<|es|>", 50262}, {"<|fr|>", 50265}};

TEST(WhisperLanguages, ResolvedAsPythonsLanguageToId) {
  struct Case {
    const char* input;
    const char* token;  // nullptr: a UsageError whose message holds `message`
    const char* message;
  };
  const Case cases[] = {
      {"en", "<|en|>", nullptr},
      {"EN", "<|en|>", nullptr},
      {"english", "<|en|>", nullptr},
      {"French", "<|fr|>", nullptr},
      {"<|fr|>", "<|fr|>", nullptr},
      {"<|FR|>", "<|fr|>", nullptr},
      {"castilian", "<|es|>", nullptr},  // an alias of TO_LANGUAGE_CODE
      {"Mandarin", "<|zh|>", nullptr},   // an alias transformers.js 4.3.1 lacks
      {"xx", nullptr, "language codes (en, zh, de,"},
      {"klingon", nullptr, "language names (english, chinese,"},
      {"<|xx|>", nullptr, "language names ("},  // not a key, not two letters: names are listed
      {"german", nullptr,
       "<|de|> is not a language of this model (generation_config.json lang_to_id has: en, es, fr, zh)"},
      {"yue", nullptr, "<|yue|> is not a language of this model"},
      {"", nullptr, "not a Whisper language"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.input);
    if (c.token) {
      EXPECT_EQ(whisper_language_token(c.input, kLangToId), c.token);
      continue;
    }
    try {
      whisper_language_token(c.input, kLangToId);
      ADD_FAILURE() << "no error";
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("--language"), std::string::npos) << e.what();
    }
  }
}

TEST(WhisperLanguages, NamesAsLanguagesHasThem) {
  EXPECT_EQ(whisper_languages().size(), 100u);
  EXPECT_EQ(whisper_languages().front().first, "en");
  EXPECT_EQ(whisper_languages().back().first, "yue");
  EXPECT_EQ(whisper_language_name("fr").value_or(""), "french");
  EXPECT_EQ(whisper_language_name("he").value_or(""), "hebrew");
  EXPECT_EQ(whisper_language_name("ht").value_or(""), "haitian creole");
  EXPECT_EQ(whisper_language_name("yue").value_or(""), "cantonese");
  EXPECT_FALSE(whisper_language_name("iw").has_value());  // the old Hebrew code
  EXPECT_FALSE(whisper_language_name("english").has_value());
}

}  // namespace
}  // namespace modelexport::runtime
