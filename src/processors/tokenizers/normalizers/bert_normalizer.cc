// tokenizers normalizers/bert.rs: clean_text, handle_chinese_chars, strip_accents, lowercase.
#include "processors/tokenizers/json_access.h"
#include "processors/tokenizers/normalizers/normalizers.h"
#include "processors/tokenizers/unicode.h"

namespace modelexport::processors::normalizers {
namespace {

bool is_chinese_char(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

bool is_bert_whitespace(char32_t c) { return c == '\t' || c == '\n' || c == '\r' || unicode::is_whitespace(c); }

class BertNormalizer : public Normalizer {
 public:
  BertNormalizer(bool clean, bool chinese, bool strip_accents, bool lowercase)
      : clean_(clean), chinese_(chinese), strip_accents_(strip_accents), lowercase_(lowercase) {}

  void normalize(NormalizedString& s) const override {
    if (clean_) {
      s.filter([](char32_t c) { return !unicode::is_bert_control(c); });
      s.map([](char32_t c) { return is_bert_whitespace(c) ? U' ' : c; });
    }
    if (chinese_) {
      std::vector<NormalizedString::Change> dest;
      bool any = false;
      for (size_t i = 0; i < s.get().size();) {
        char32_t c = unicode::next(s.get(), i);
        if (is_chinese_char(c)) {
          dest.insert(dest.end(), {{U' ', 0}, {c, 1}, {U' ', 1}});
          any = true;
        } else {
          dest.emplace_back(c, 0);
        }
      }
      if (any) s.transform(dest, 0);
    }
    if (strip_accents_) {
      // bert.rs do_strip_accents: NFD, then Mn removed (tokenizers' Mn table is Unicode 8.0's).
      s.nfd();
      s.filter([](char32_t c) { return !unicode::is_mark_nonspacing(c); });
    }
    if (lowercase_) s.lowercase();
  }

 private:
  bool clean_, chinese_, strip_accents_, lowercase_;
};

}  // namespace

std::unique_ptr<Normalizer> make_bert(const Json& j, const std::string& path) {
  bool lowercase = json::bool_or(j, "lowercase", path, true);
  // strip_accents: null means "same as lowercase".
  bool strip = json::bool_or(j, "strip_accents", path, lowercase);
  return std::make_unique<BertNormalizer>(json::bool_or(j, "clean_text", path, true),
                                          json::bool_or(j, "handle_chinese_chars", path, true), strip, lowercase);
}

}  // namespace modelexport::processors::normalizers
