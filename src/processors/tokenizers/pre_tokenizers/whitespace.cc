// tokenizers pre_tokenizers/whitespace.rs: Whitespace keeps \w+ and [^\w\s]+ runs; WhitespaceSplit
// splits on whitespace.
#include "processors/tokenizers/pre_tokenizers/pre_tokenizers.h"
#include "processors/tokenizers/unicode.h"

namespace modelexport::processors::pre_tokenizers {
namespace {

class Whitespace : public PreTokenizer {
 public:
  // The regex \w+|[^\w\s]+ classifies each character on its own, so it is run as character classes
  // from tokenizers' own engine (Oniguruma's \w and \s, hf_unicode_tables.inc): runs of word
  // characters and runs of other non-space characters are kept, spaces removed.
  void pre_tokenize(PreTokenizedString& s) const override {
    s.split([](size_t, NormalizedString&& piece) {
      enum Kind { kWord, kSpace, kOther };
      const std::string& text = piece.get();
      Matches m;  // space runs are the matches (removed); word and other runs are the pieces
      Kind run = kOther;
      for (size_t i = 0; i < text.size();) {
        size_t start = i;
        char32_t c = unicode::next(text, i);
        Kind k = unicode::is_regex_word(c) ? kWord : unicode::is_regex_space(c) ? kSpace : kOther;
        if (!m.empty() && k == run) m.back().first.second = i;
        else m.push_back({{start, i}, k == kSpace});
        run = k;
      }
      std::vector<Split> out;
      for (auto& p : piece.split(m, SplitBehavior::kRemoved)) out.push_back({std::move(p), std::nullopt});
      return out;
    });
  }
};

class WhitespaceSplit : public PreTokenizer {
 public:
  void pre_tokenize(PreTokenizedString& s) const override { split_by_chars(s, unicode::is_whitespace, SplitBehavior::kRemoved); }
};

}  // namespace

std::unique_ptr<PreTokenizer> make_whitespace() { return std::make_unique<Whitespace>(); }
std::unique_ptr<PreTokenizer> make_whitespace_split() { return std::make_unique<WhitespaceSplit>(); }

}  // namespace modelexport::processors::pre_tokenizers
