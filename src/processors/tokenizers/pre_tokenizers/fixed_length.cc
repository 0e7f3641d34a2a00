// tokenizers pre_tokenizers/fixed_length.rs: pieces of `length` chars (the last may be shorter).
#include "processors/tokenizers/json_access.h"
#include "processors/tokenizers/pre_tokenizers/pre_tokenizers.h"
#include "processors/tokenizers/unicode.h"

namespace modelexport::processors::pre_tokenizers {
namespace {
class FixedLength : public PreTokenizer {
 public:
  explicit FixedLength(size_t length) : length_(length) {}
  void pre_tokenize(PreTokenizedString& s) const override {
    s.split([&](size_t, NormalizedString&& piece) {
      std::vector<Split> out;
      const std::string& text = piece.get();
      size_t start = 0, count = 0;
      for (size_t i = 0; i < text.size();) {
        unicode::next(text, i);
        if (++count == length_) {
          out.push_back({piece.slice(start, i), std::nullopt});
          start = i;
          count = 0;
        }
      }
      if (start < text.size()) out.push_back({piece.slice(start, text.size()), std::nullopt});
      return out;
    });
  }

 private:
  size_t length_;
};
}  // namespace

std::unique_ptr<PreTokenizer> make_fixed_length(const Json& j, const std::string& path) {
  int64_t length = json::int_or(j, "length", path, 5);
  if (length <= 0) json::fail(path + ".length", "expected a positive length");
  return std::make_unique<FixedLength>(static_cast<size_t>(length));
}

}  // namespace modelexport::processors::pre_tokenizers
