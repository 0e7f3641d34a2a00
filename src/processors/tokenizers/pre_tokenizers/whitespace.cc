// tokenizers pre_tokenizers/whitespace.rs: Whitespace keeps \w+ and [^\w\s]+ runs; WhitespaceSplit
// splits on whitespace.
#include "processors/tokenizers/pre_tokenizers/pre_tokenizers.h"
#include "processors/tokenizers/regex.h"
#include "processors/tokenizers/unicode.h"

namespace modelexport::processors::pre_tokenizers {
namespace {

class Whitespace : public PreTokenizer {
 public:
  void pre_tokenize(PreTokenizedString& s) const override {
    static const Regex re(R"(\w+|[^\w\s]+)", "Whitespace");
    s.split([](size_t, NormalizedString&& piece) {
      Matches m = re.find_matches(piece.get());
      for (auto& x : m) x.second = !x.second;  // Invert: the runs are kept, the gaps removed
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
