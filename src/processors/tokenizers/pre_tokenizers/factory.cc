#include "processors/tokenizers/json_access.h"
#include "processors/tokenizers/pre_tokenizers/pre_tokenizers.h"

namespace modelexport::processors {

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const Json& j, const std::string& path) {
  json::check_depth(path);
  using namespace pre_tokenizers;
  std::string type = json::type_of(j, path);
  if (type == "BertPreTokenizer") return make_bert();
  if (type == "ByteLevel") return make_byte_level(j, path);
  if (type == "Whitespace") return make_whitespace();
  if (type == "WhitespaceSplit") return make_whitespace_split();
  if (type == "Metaspace") return make_metaspace(j, path);
  if (type == "Split") return make_split(j, path);
  if (type == "Punctuation") return make_punctuation(j, path);
  if (type == "Digits") return make_digits(j, path);
  if (type == "CharDelimiterSplit") return make_char_delimiter_split(j, path);
  if (type == "FixedLength") return make_fixed_length(j, path);
  if (type == "Sequence") return make_sequence(j, path);
  if (type == "UnicodeScripts") return make_unicode_scripts();
  json::unknown_type(path, type, "BertPreTokenizer, ByteLevel, Whitespace, WhitespaceSplit, Metaspace, Split, Punctuation, Digits, CharDelimiterSplit, FixedLength, UnicodeScripts, Sequence");
}

namespace pre_tokenizers {

SplitBehavior parse_behavior(const Json& j, const char* key, const std::string& path, SplitBehavior fallback) {
  std::string b = json::string_or(j, key, path, "");
  if (b.empty()) return fallback;
  if (b == "Removed") return SplitBehavior::kRemoved;
  if (b == "Isolated") return SplitBehavior::kIsolated;
  if (b == "MergedWithPrevious") return SplitBehavior::kMergedWithPrevious;
  if (b == "MergedWithNext") return SplitBehavior::kMergedWithNext;
  if (b == "Contiguous") return SplitBehavior::kContiguous;
  json::fail(path + "." + key, "unknown behavior \"" + b + "\"; expected Removed, Isolated, MergedWithPrevious, MergedWithNext or Contiguous");
}

void split_by_chars(PreTokenizedString& s, const std::function<bool(char32_t)>& is_match, SplitBehavior behavior) {
  s.split([&](size_t, NormalizedString&& piece) {
    std::vector<Split> out;
    for (auto& p : piece.split(find_char_matches(piece.get(), is_match), behavior)) out.push_back({std::move(p), std::nullopt});
    return out;
  });
}

}  // namespace pre_tokenizers
}  // namespace modelexport::processors
