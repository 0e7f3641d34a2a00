// tokenizers pre_tokenizers/{punctuation,digits,delimiter}.rs: splits by a class of chars.
#include "processors/tokenizers/json_access.h"
#include "processors/tokenizers/pre_tokenizers/pre_tokenizers.h"
#include "processors/tokenizers/unicode.h"

namespace modelexport::processors::pre_tokenizers {
namespace {

class ByChar : public PreTokenizer {
 public:
  ByChar(std::function<bool(char32_t)> is_match, SplitBehavior behavior) : is_match_(std::move(is_match)), behavior_(behavior) {}
  void pre_tokenize(PreTokenizedString& s) const override { split_by_chars(s, is_match_, behavior_); }

 private:
  std::function<bool(char32_t)> is_match_;
  SplitBehavior behavior_;
};

}  // namespace

std::unique_ptr<PreTokenizer> make_punctuation(const Json& j, const std::string& path) {
  return std::make_unique<ByChar>([](char32_t c) { return unicode::is_ascii_punctuation(c) || unicode::is_punctuation(c); },
                                  parse_behavior(j, "behavior", path, SplitBehavior::kIsolated));
}

std::unique_ptr<PreTokenizer> make_digits(const Json& j, const std::string& path) {
  bool individual = json::bool_or(j, "individual_digits", path, false);
  return std::make_unique<ByChar>(unicode::is_numeric, individual ? SplitBehavior::kIsolated : SplitBehavior::kContiguous);
}

std::unique_ptr<PreTokenizer> make_char_delimiter_split(const Json& j, const std::string& path) {
  std::string d = json::string_or(j, "delimiter", path, "");
  size_t i = 0;
  if (d.empty()) json::fail(path + ".delimiter", "expected one character");
  char32_t c = unicode::next(d, i);
  return std::make_unique<ByChar>([c](char32_t x) { return x == c; }, SplitBehavior::kRemoved);
}

}  // namespace modelexport::processors::pre_tokenizers
