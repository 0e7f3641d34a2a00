#include "runtime/generation/stopping_criteria.h"

#include <algorithm>

#include "modelexport/common/error.h"

namespace modelexport::runtime::generation {

StopStrings::StopStrings(std::vector<std::string> stop_strings, Detokenizer detokenize)
    : detokenize_(std::move(detokenize)) {
  for (auto& s : stop_strings) {
    if (s.empty()) throw UsageError("generation option stop_strings: an empty stop string would stop at once");
    longest_ = std::max(longest_, s.size());
    stops_.push_back(std::move(s));
  }
  if (!stops_.empty() && !detokenize_)
    throw UsageError("generation option stop_strings: needs the tokenizer (no detokenizer was given)");
}

bool StopStrings::matches(std::span<const int64_t> generated) const {
  if (stops_.empty() || generated.empty()) return false;
  // A stop string that ends inside the last token starts at most longest_ - 1 bytes before that
  // token's text: decode a tail whose earlier tokens cover that many bytes (or everything). Earlier
  // occurrences were found at earlier steps.
  size_t tail = std::min(generated.size(), longest_ + 1);
  for (;;) {
    std::span<const int64_t> window = generated.subspan(generated.size() - tail);
    if (tail == generated.size() || detokenize_(window.first(tail - 1)).size() + 1 >= longest_) {
      std::string text = detokenize_(window);
      for (const std::string& s : stops_)
        if (text.find(s) != std::string::npos) return true;
      return false;
    }
    tail = std::min(generated.size(), tail * 2);
  }
}

}  // namespace modelexport::runtime::generation
