// tokenizers normalizers/strip.rs StripAccents: removes non-spacing marks (expects NFD input).
#include "processors/tokenizers/normalizers/normalizers.h"
#include "processors/tokenizers/unicode.h"

namespace modelexport::processors::normalizers {
namespace {
class StripAccents : public Normalizer {
 public:
  void normalize(NormalizedString& s) const override {
    s.filter([](char32_t c) { return !unicode::is_mark_nonspacing(c); });
  }
};
}  // namespace

std::unique_ptr<Normalizer> make_strip_accents() { return std::make_unique<StripAccents>(); }

}  // namespace modelexport::processors::normalizers
