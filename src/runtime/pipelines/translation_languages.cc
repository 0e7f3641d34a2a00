#include "runtime/pipelines/translation_languages.h"

#include <algorithm>
#include <cctype>

#include "common/json_util.h"
#include "modelexport/common/error.h"

namespace modelexport::runtime {

namespace {

bool all_of(std::string_view s, int (*pred)(int)) {
  return std::all_of(s.begin(), s.end(), [pred](char c) { return pred(static_cast<unsigned char>(c)) != 0; });
}

// The language code a token names, or "" (the three patterns transformers.js 4.3.1 uses:
// M2M100Tokenizer /^__[a-z]{2,3}__$/, MBartTokenizer /^[a-z]{2}_[A-Z]{2}$/, NllbTokenizer
// /^[a-z]{3}_[A-Z][a-z]{3}$/).
std::string language_code(std::string_view t) {
  if (t.size() >= 6 && t.size() <= 7 && t.substr(0, 2) == "__" && t.substr(t.size() - 2) == "__" &&
      all_of(t.substr(2, t.size() - 4), islower))
    return std::string(t.substr(2, t.size() - 4));
  if (t.size() == 5 && t[2] == '_' && all_of(t.substr(0, 2), islower) && all_of(t.substr(3), isupper))
    return std::string(t);
  if (t.size() == 8 && t[3] == '_' && all_of(t.substr(0, 3), islower) && isupper(static_cast<unsigned char>(t[4])) &&
      all_of(t.substr(5), islower))
    return std::string(t);
  return "";
}

}  // namespace

TranslationLanguages TranslationLanguages::from_tokenizer_json(std::string_view tokenizer_json) {
  TranslationLanguages out;
  if (tokenizer_json.empty()) return out;
  Json tok = parse_json(tokenizer_json, "tokenizer.json");
  if (!tok.is_object() || !tok.contains("added_tokens") || !tok["added_tokens"].is_array()) return out;
  for (const auto& t : tok["added_tokens"]) {
    if (!t.is_object() || !t.value("special", false) || !t.contains("content") || !t["content"].is_string() ||
        !t.contains("id") || !t["id"].is_number_integer())
      continue;
    std::string code = language_code(t["content"].get<std::string>());
    if (code.empty() || std::find(out.codes_.begin(), out.codes_.end(), code) != out.codes_.end()) continue;
    out.codes_.push_back(code);
    out.ids_.push_back(t["id"].get<int32_t>());
    out.tokens_.push_back(t["content"].get<std::string>());
  }
  return out;
}

std::string TranslationLanguages::known() const {
  std::string s;
  for (const auto& c : codes_) s += (s.empty() ? "" : ", ") + c;
  return s;
}

int32_t TranslationLanguages::token(const std::string& code, const std::string& option) const {
  auto it = std::find(codes_.begin(), codes_.end(), code);
  if (it == codes_.end())
    throw UsageError(option + " " + code + ": not a language of this model; its languages: " + known());
  return ids_[it - codes_.begin()];
}

void TranslationLanguages::set_source(std::vector<processors::Encoding>& encodings, int32_t token) const {
  for (auto& e : encodings) {
    bool replaced = false;
    for (size_t k = 0; k < e.ids.size() && !replaced; ++k)
      if (k < e.special_tokens_mask.size() && e.special_tokens_mask[k] == 1 &&
          std::find(ids_.begin(), ids_.end(), e.ids[k]) != ids_.end()) {
        e.ids[k] = token;
        if (k < e.tokens.size()) e.tokens[k] = tokens_[std::find(ids_.begin(), ids_.end(), token) - ids_.begin()];
        replaced = true;
      }
    if (!replaced)
      throw UsageError(
          "--src-lang: the tokenizer's template adds no language token to its inputs, so the source language "
          "cannot be set");
  }
}

}  // namespace modelexport::runtime
