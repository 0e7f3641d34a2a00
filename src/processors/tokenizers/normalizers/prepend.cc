// tokenizers normalizers/prepend.rs Prepend: adds a prefix to non-empty text.
#include "processors/tokenizers/json_access.h"
#include "processors/tokenizers/normalizers/normalizers.h"

namespace modelexport::processors::normalizers {
namespace {
class Prepend : public Normalizer {
 public:
  explicit Prepend(std::string prefix) : prefix_(std::move(prefix)) {}
  void normalize(NormalizedString& s) const override { s.prepend(prefix_); }

 private:
  std::string prefix_;
};
}  // namespace

std::unique_ptr<Normalizer> make_prepend(const Json& j, const std::string& path) {
  return std::make_unique<Prepend>(json::string_or(j, "prepend", path, ""));
}

}  // namespace modelexport::processors::normalizers
