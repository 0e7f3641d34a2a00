// When a row is finished (transformers v4.57 src/transformers/generation/stopping_criteria.py):
// MaxLengthCriteria (cur_len >= max_length), EosTokenCriteria (the last token is one of the eos ids),
// StopStringCriteria (a stop string occurs in the decoded text and ends inside the last token, i.e.
// it was not already complete before it; overhangs on both sides count, as in Python), and a cancel
// flag (Ctrl-C in chat). Stop strings need a detokenizer from the caller.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace modelexport::runtime::generation {

enum class FinishReason {
  kNone,        // still running
  kEos,         // generated an eos token
  kStopString,  // the text contains a stop string
  kMaxLength,   // reached max_length / max_new_tokens
  kCancelled,   // the caller's cancel flag was set
};

// Text of tokens (generated ones: the caller decides about special tokens).
using Detokenizer = std::function<std::string(std::span<const int64_t>)>;

class StopStrings {
 public:
  // `stop_strings` non-empty requires `detokenize`; UsageError otherwise.
  StopStrings(std::vector<std::string> stop_strings, Detokenizer detokenize);
  bool empty() const { return stops_.empty(); }
  // True when `generated` (the row's new tokens; the last one just appended) completes a stop string.
  // Decodes only a tail of the tokens long enough for the longest stop string.
  bool matches(std::span<const int64_t> generated) const;

 private:
  std::vector<std::string> stops_;
  Detokenizer detokenize_;
  size_t longest_ = 0;
};

}  // namespace modelexport::runtime::generation
