// The languages of a multilingual translation model (internal), as its tokenizer names them, and
// the two things translation does with them (Python transformers v4.57 TranslationPipeline.preprocess
// → tokenizer._build_translation_inputs; transformers.js 4.3.1 tokenization_utils.js
// _build_translation_inputs, the same rules):
//   - the source language replaces the language token the tokenizer's template adds to every input
//     (M2M100 / mBART-50 / NLLB put it first, mBART-cc25 and legacy NLLB after </s>);
//   - the target language's token becomes forced_bos_token_id.
// A language token is a special added token named as M2M100 ("__fr__", code "fr"), mBART
// ("fr_XX") or NLLB ("fra_Latn") name theirs; the code of the last two is the token itself.
//
//   TranslationLanguages langs = TranslationLanguages::from_tokenizer_json(text);
//   if (langs.multilingual()) config.forced_bos_token_id = langs.token("fr", "--tgt-lang");
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "modelexport/processors/tokenizer.h"

namespace modelexport::runtime {

class TranslationLanguages {
 public:
  // From tokenizer.json's added_tokens (special ones only, in their order). Empty text: none.
  static TranslationLanguages from_tokenizer_json(std::string_view tokenizer_json);

  bool multilingual() const { return !codes_.empty(); }
  const std::vector<std::string>& codes() const { return codes_; }
  std::string known() const;  // "en, de, fr, ro"

  // The token id of a language code. Throws UsageError "OPTION CODE: not a language of this model;
  // its languages: ..." for an unknown code.
  int32_t token(const std::string& code, const std::string& option) const;

  // Replaces, in each encoding, the first language token its template added (special_tokens_mask 1)
  // by `token` (one of this model's language tokens, from token()). Throws UsageError when an encoding has none (the
  // template adds no language token).
  void set_source(std::vector<processors::Encoding>& encodings, int32_t token) const;

 private:
  std::vector<std::string> codes_;
  std::vector<int32_t> ids_;         // codes_[i]'s token
  std::vector<std::string> tokens_;  // and its text
};

}  // namespace modelexport::runtime
