// processors::TokenizerConfig: the one tokenizer_config.json / special_tokens_map.json policy the
// tokenize command and runtime::AutoProcessor share, row by row (transformers' rules: null is
// absent, model_max_length above LARGE_INTEGER = 1e20 means no limit, special_tokens_map.json
// fills the roles tokenizer_config.json does not name).
#include "modelexport/processors/tokenizer_config.h"

#include <gtest/gtest.h>

#include "modelexport/common/error.h"
#include "support/test_support.h"

namespace modelexport::processors {
namespace {

struct Row {
  const char* config;
  const char* special_tokens_map;
  std::optional<size_t> model_max_length;
  std::optional<bool> padding_left;
  std::optional<std::string> pad_token;
  std::optional<bool> clean_up;
};

TEST(TokenizerConfig, ReadsWhatTransformersReads) {
  const std::vector<Row> rows = {
      {"", "", std::nullopt, std::nullopt, std::nullopt, std::nullopt},
      {"{}", "{}", std::nullopt, std::nullopt, std::nullopt, std::nullopt},
      {R"({"model_max_length": 512})", "", 512, std::nullopt, std::nullopt, std::nullopt},
      // transformers' "no limit" sentinel int(1e30), as 5 corpus tokenizer_config.json files write it
      {R"({"model_max_length": 1000000000000000019884624838656})", "", std::nullopt, std::nullopt, std::nullopt,
       std::nullopt},
      // long-context limits are limits (both callers used to drop anything from 1e6 up)
      {R"({"model_max_length": 1010000})", "", 1010000, std::nullopt, std::nullopt, std::nullopt},
      {R"({"model_max_length": 512.0})", "", 512, std::nullopt, std::nullopt, std::nullopt},
      {R"({"model_max_length": null, "padding_side": null, "pad_token": null, "clean_up_tokenization_spaces": null})",
       "", std::nullopt, std::nullopt, std::nullopt, std::nullopt},
      {R"({"padding_side": "left"})", "", std::nullopt, true, std::nullopt, std::nullopt},
      {R"({"padding_side": "right"})", "", std::nullopt, false, std::nullopt, std::nullopt},
      {R"({"pad_token": {"content": "<pad>", "lstrip": false}})", R"({"pad_token": "[PAD]"})", std::nullopt,
       std::nullopt, "<pad>", std::nullopt},
      // the tokenize command used to ignore special_tokens_map.json's pad token
      {R"({})", R"({"pad_token": "[PAD]"})", std::nullopt, std::nullopt, "[PAD]", std::nullopt},
      {R"({"pad_token": null})", R"({"pad_token": {"content": "[PAD]"}})", std::nullopt, std::nullopt, "[PAD]",
       std::nullopt},
      {R"({"clean_up_tokenization_spaces": false})", "", std::nullopt, std::nullopt, std::nullopt, false},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(std::string(r.config) + " | " + r.special_tokens_map);
    TokenizerConfig c = TokenizerConfig::parse(r.config, r.special_tokens_map);
    EXPECT_EQ(c.model_max_length, r.model_max_length);
    EXPECT_EQ(c.padding_left, r.padding_left);
    auto pad = c.special_tokens.find("pad_token");
    EXPECT_EQ(pad == c.special_tokens.end() ? std::nullopt : std::optional<std::string>(pad->second), r.pad_token);
    EXPECT_EQ(c.clean_up_tokenization_spaces, r.clean_up);
  }
}

TEST(TokenizerConfig, BadValuesNameTheFileAndKey) {
  const std::vector<std::pair<const char*, const char*>> rows = {
      {R"({"model_max_length": "512"})",
       "tokenizer_config.json model_max_length: expected a positive integer, got \"512\""},
      {R"({"model_max_length": -1})", "tokenizer_config.json model_max_length: expected a positive integer, got -1"},
      {R"({"model_max_length": 0})", "tokenizer_config.json model_max_length: expected a positive integer, got 0"},
      {R"({"model_max_length": 1.5})", "tokenizer_config.json model_max_length: expected a positive integer, got 1.5"},
      {R"({"padding_side": "up"})", "tokenizer_config.json padding_side: expected \"left\" or \"right\", got \"up\""},
      {R"({"padding_side": 1})", "tokenizer_config.json padding_side: expected \"left\" or \"right\", got 1"},
      {R"({"clean_up_tokenization_spaces": "yes"})",
       "tokenizer_config.json clean_up_tokenization_spaces: expected true or false"},
      {R"({"model_max_length": )", "tokenizer_config.json"},
  };
  for (const auto& [config, needle] : rows) {
    try {
      TokenizerConfig::parse(config);
      ADD_FAILURE() << "accepted: " << config;
    } catch (const Error& e) { EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what(); }
  }
}

TEST(TokenizerConfig, PaddingTakesTheSideAndAPadTokenTheVocabularyHas) {
  Tokenizer tok =
      Tokenizer::from_json(test::read_bytes(test::fixtures_dir() / "tiny-text-classifier" / "tokenizer.json"));
  PaddingParams base;
  base.pad_id = 7;
  base.pad_token = "x";
  PaddingParams same = TokenizerConfig::parse("{}").padding(tok, base);
  EXPECT_EQ(same.pad_id, 7);
  EXPECT_FALSE(same.left);
  PaddingParams p = TokenizerConfig::parse(R"({"padding_side": "left", "pad_token": "[PAD]"})").padding(tok, base);
  EXPECT_TRUE(p.left);
  EXPECT_EQ(p.pad_token, "[PAD]");
  EXPECT_EQ(p.pad_id, *tok.token_to_id("[PAD]"));
  PaddingParams unknown = TokenizerConfig::parse(R"({"pad_token": "<nope>"})").padding(tok, base);
  EXPECT_EQ(unknown.pad_token, "x");  // not in the vocabulary: the tokenizer's own stays
}

}  // namespace
}  // namespace modelexport::processors
