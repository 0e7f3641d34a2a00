// tokenizers normalizers/replace.rs Replace: pattern (string or regex) -> content.
#include "processors/tokenizers/normalizers/normalizers.h"
#include "processors/tokenizers/pattern.h"

namespace modelexport::processors::normalizers {
namespace {
class Replace : public Normalizer {
 public:
  Replace(Pattern pattern, std::string content) : pattern_(std::move(pattern)), content_(std::move(content)) {}
  void normalize(NormalizedString& s) const override { s.replace(pattern_.find_matches(s.get()), content_); }

 private:
  Pattern pattern_;
  std::string content_;
};
}  // namespace

std::unique_ptr<Normalizer> make_replace(const Json& j, const std::string& path) {
  return std::make_unique<Replace>(Pattern(json::field(j, "pattern", path), path + ".pattern"),
                                   json::string_or(j, "content", path, ""));
}

}  // namespace modelexport::processors::normalizers
