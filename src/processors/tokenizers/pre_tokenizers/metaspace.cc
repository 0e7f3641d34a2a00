// tokenizers pre_tokenizers/metaspace.rs: spaces become the replacement char, which is prepended
// per prepend_scheme (always / first / never) and, with split, starts each piece.
#include "processors/tokenizers/json_access.h"
#include "processors/tokenizers/pre_tokenizers/pre_tokenizers.h"
#include "processors/tokenizers/unicode.h"

namespace modelexport::processors::pre_tokenizers {
namespace {

class Metaspace : public PreTokenizer {
 public:
  enum class Scheme { kAlways, kFirst, kNever };
  Metaspace(std::string replacement, Scheme scheme, bool split)
      : replacement_(std::move(replacement)), scheme_(scheme), split_(split) {
    size_t i = 0;
    replacement_char_ = replacement_.empty() ? U' ' : unicode::next(replacement_, i);
  }

  void pre_tokenize(PreTokenizedString& s) const override {
    s.split([&](size_t, NormalizedString&& piece) {
      piece.replace(find_string_matches(piece.get(), " "), replacement_);
      bool starts = piece.get().rfind(replacement_, 0) == 0;
      if (!starts && (scheme_ == Scheme::kAlways || (scheme_ == Scheme::kFirst && piece.original_start() == 0)))
        piece.prepend(replacement_);
      std::vector<Split> out;
      if (split_) {
        char32_t r = replacement_char_;
        for (auto& p : piece.split(find_char_matches(piece.get(), [r](char32_t c) { return c == r; }), SplitBehavior::kMergedWithNext))
          out.push_back({std::move(p), std::nullopt});
      } else {
        out.push_back({std::move(piece), std::nullopt});
      }
      return out;
    });
  }

 private:
  std::string replacement_;
  char32_t replacement_char_;
  Scheme scheme_;
  bool split_;
};

}  // namespace

std::unique_ptr<PreTokenizer> make_metaspace(const Json& j, const std::string& path) {
  std::string replacement = json::string_or(j, "replacement", path, "\xE2\x96\x81");
  Metaspace::Scheme scheme = Metaspace::Scheme::kAlways;
  std::string p = json::string_or(j, "prepend_scheme", path, "");
  if (p.empty()) scheme = json::bool_or(j, "add_prefix_space", path, true) ? Metaspace::Scheme::kAlways : Metaspace::Scheme::kNever;
  else if (p == "always") scheme = Metaspace::Scheme::kAlways;
  else if (p == "first") scheme = Metaspace::Scheme::kFirst;
  else if (p == "never") scheme = Metaspace::Scheme::kNever;
  else json::fail(path + ".prepend_scheme", "expected always, first or never");
  return std::make_unique<Metaspace>(replacement, scheme, json::bool_or(j, "split", path, true));
}

}  // namespace modelexport::processors::pre_tokenizers
