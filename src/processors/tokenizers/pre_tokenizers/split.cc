// tokenizers pre_tokenizers/split.rs: split on a string or regex pattern, with a behavior, optionally
// inverted (the matches are the pieces).
#include "processors/tokenizers/json_access.h"
#include "processors/tokenizers/pattern.h"
#include "processors/tokenizers/pre_tokenizers/pre_tokenizers.h"

namespace modelexport::processors::pre_tokenizers {
namespace {

class SplitPattern : public PreTokenizer {
 public:
  SplitPattern(Pattern pattern, SplitBehavior behavior, bool invert)
      : pattern_(std::move(pattern)), behavior_(behavior), invert_(invert) {}
  void pre_tokenize(PreTokenizedString& s) const override {
    s.split([&](size_t, NormalizedString&& piece) {
      Matches m = pattern_.find_matches(piece.get());
      if (invert_)
        for (auto& x : m) x.second = !x.second;
      std::vector<Split> out;
      for (auto& p : piece.split(m, behavior_)) out.push_back({std::move(p), std::nullopt});
      return out;
    });
  }

 private:
  Pattern pattern_;
  SplitBehavior behavior_;
  bool invert_;
};

}  // namespace

std::unique_ptr<PreTokenizer> make_split(const Json& j, const std::string& path) {
  return std::make_unique<SplitPattern>(Pattern(json::field(j, "pattern", path), path + ".pattern"),
                                        parse_behavior(j, "behavior", path, SplitBehavior::kRemoved),
                                        json::bool_or(j, "invert", path, false));
}

}  // namespace modelexport::processors::pre_tokenizers
