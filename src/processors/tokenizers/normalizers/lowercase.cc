// tokenizers normalizers/utils.rs Lowercase: Rust char::to_lowercase per char.
#include "processors/tokenizers/normalizers/normalizers.h"

namespace modelexport::processors::normalizers {
namespace {
class Lowercase : public Normalizer {
 public:
  void normalize(NormalizedString& s) const override { s.lowercase(); }
};
}  // namespace

std::unique_ptr<Normalizer> make_lowercase() { return std::make_unique<Lowercase>(); }

}  // namespace modelexport::processors::normalizers
