// tokenizers pre_tokenizers/unicode_scripts: a split wherever the Unicode script changes, with
// Hiragana, Katakana and U+30FC counted as Han and a space as "Any" (it joins either side), like
// every code point tokenizers' own script table lacks (hf_unicode_tables.inc). The Script property of
// the others comes from ICU.
#include <unicode/uscript.h>

#include "processors/tokenizers/pre_tokenizers/pre_tokenizers.h"
#include "processors/tokenizers/unicode.h"

namespace modelexport::processors::pre_tokenizers {
namespace {

constexpr int kAny = -1;

int fixed_script(char32_t c) {
  if (c == 0x30FC) return USCRIPT_HAN;
  // A space, and code points tokenizers' script table (older than ICU's) does not have, are "Any".
  if (c == U' ' || unicode::is_script_any(c)) return kAny;
  UErrorCode err = U_ZERO_ERROR;
  UScriptCode s = uscript_getScript(static_cast<UChar32>(c), &err);
  if (U_FAILURE(err)) return USCRIPT_UNKNOWN;
  if (s == USCRIPT_HIRAGANA || s == USCRIPT_KATAKANA) return USCRIPT_HAN;
  return s;
}

class UnicodeScripts : public PreTokenizer {
 public:
  void pre_tokenize(PreTokenizedString& s) const override {
    s.split([](size_t, NormalizedString&& piece) {
      const std::string& text = piece.get();
      std::vector<size_t> cuts = {0};
      std::optional<int> last;
      for (size_t i = 0; i < text.size();) {
        size_t start = i;
        int script = fixed_script(unicode::next(text, i));
        if (script != kAny && last && *last != kAny && *last != script && start > 0) cuts.push_back(start);
        if (script != kAny) last = script;
      }
      cuts.push_back(text.size());
      std::vector<Split> out;
      for (size_t k = 0; k + 1 < cuts.size(); ++k) out.push_back({piece.slice(cuts[k], cuts[k + 1]), std::nullopt});
      return out;
    });
  }
};

}  // namespace

std::unique_ptr<PreTokenizer> make_unicode_scripts() { return std::make_unique<UnicodeScripts>(); }

}  // namespace modelexport::processors::pre_tokenizers
