// tokenizers normalizers/strip.rs StripAccents: removes every combining mark (General_Category M:
// Mn, Mc and Me, as unicode-normalization-alignments' Unicode 9.0 table has them), spacing vowel
// signs of Indic scripts included; meant to follow NFD or NFKD.
#include "processors/tokenizers/normalizers/normalizers.h"
#include "processors/tokenizers/unicode.h"

namespace modelexport::processors::normalizers {
namespace {
class StripAccents : public Normalizer {
 public:
  void normalize(NormalizedString& s) const override {
    s.filter([](char32_t c) { return !unicode::is_strip_accents_mark(c); });
  }
};
}  // namespace

std::unique_ptr<Normalizer> make_strip_accents() { return std::make_unique<StripAccents>(); }

}  // namespace modelexport::processors::normalizers
