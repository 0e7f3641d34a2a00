// tokenizers normalizers/unicode.rs: NFC, NFD, NFKC, NFKD.
#include "processors/tokenizers/normalizers/normalizers.h"

namespace modelexport::processors::normalizers {
namespace {
class UnicodeForm : public Normalizer {
 public:
  explicit UnicodeForm(std::string form) : form_(std::move(form)) {}
  void normalize(NormalizedString& s) const override {
    if (form_ == "NFD") s.nfd();
    else if (form_ == "NFKD") s.nfkd();
    else if (form_ == "NFC") s.nfc();
    else s.nfkc();
  }

 private:
  std::string form_;
};
}  // namespace

std::unique_ptr<Normalizer> make_unicode_form(const std::string& form) { return std::make_unique<UnicodeForm>(form); }

}  // namespace modelexport::processors::normalizers
