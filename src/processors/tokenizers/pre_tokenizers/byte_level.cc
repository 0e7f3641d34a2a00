// tokenizers pre_tokenizers/byte_level.rs: optional prefix space, GPT-2 regex split, then every
// byte mapped to a visible char (continuation bytes inserted with change +1).
#include "processors/tokenizers/byte_level_alphabet.h"
#include "processors/tokenizers/json_access.h"
#include "processors/tokenizers/pre_tokenizers/pre_tokenizers.h"
#include "processors/tokenizers/regex.h"

namespace modelexport::processors::pre_tokenizers {
namespace {

const Regex& gpt2_regex() {
  static const Regex re(R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)", "ByteLevel");
  return re;
}

class ByteLevel : public PreTokenizer {
 public:
  ByteLevel(bool add_prefix_space, bool use_regex) : add_prefix_space_(add_prefix_space), use_regex_(use_regex) {}

  void pre_tokenize(PreTokenizedString& s) const override {
    s.split([&](size_t, NormalizedString&& piece) {
      if (add_prefix_space_ && piece.get().rfind(' ', 0) != 0) piece.prepend(" ");
      std::vector<Split> out;
      if (use_regex_) {
        for (auto& p : piece.split(gpt2_regex().find_matches(piece.get()), SplitBehavior::kIsolated))
          out.push_back({std::move(p), std::nullopt});
      } else {
        out.push_back({std::move(piece), std::nullopt});
      }
      return out;
    });
    s.normalize([](NormalizedString& n) {
      std::vector<NormalizedString::Change> dest;
      const std::string& text = n.get();
      dest.reserve(text.size());
      size_t i = 0;
      while (i < text.size()) {
        size_t len = (static_cast<unsigned char>(text[i]) < 0x80) ? 1 : (static_cast<unsigned char>(text[i]) >= 0xF0) ? 4
                     : (static_cast<unsigned char>(text[i]) >= 0xE0) ? 3 : 2;
        for (size_t k = 0; k < len; ++k) dest.emplace_back(byte_to_char()[static_cast<unsigned char>(text[i + k])], k > 0 ? 1 : 0);
        i += len;
      }
      n.transform(dest, 0);
    });
  }

 private:
  bool add_prefix_space_, use_regex_;
};

}  // namespace

std::unique_ptr<PreTokenizer> make_byte_level(const Json& j, const std::string& path) {
  return std::make_unique<ByteLevel>(json::bool_or(j, "add_prefix_space", path, true), json::bool_or(j, "use_regex", path, true));
}

}  // namespace modelexport::processors::pre_tokenizers
