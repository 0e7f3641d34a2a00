// tokenizers pre_tokenizers/bert.rs: whitespace removed, then punctuation isolated.
#include "processors/tokenizers/pre_tokenizers/pre_tokenizers.h"
#include "processors/tokenizers/unicode.h"

namespace modelexport::processors::pre_tokenizers {
namespace {
class Bert : public PreTokenizer {
 public:
  void pre_tokenize(PreTokenizedString& s) const override {
    split_by_chars(s, unicode::is_whitespace, SplitBehavior::kRemoved);
    split_by_chars(s, [](char32_t c) { return unicode::is_ascii_punctuation(c) || unicode::is_punctuation(c); },
                   SplitBehavior::kIsolated);
  }
};
}  // namespace

std::unique_ptr<PreTokenizer> make_bert() { return std::make_unique<Bert>(); }

}  // namespace modelexport::processors::pre_tokenizers
