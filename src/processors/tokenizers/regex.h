// Regexes from tokenizer.json ("Regex" patterns; Oniguruma syntax in tokenizers), compiled with
// PCRE2 in UTF + UCP mode and JIT. Immutable after construction; safe to share across threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "processors/tokenizers/normalized_string.h"

namespace modelexport::processors {

class Regex {
 public:
  // Throws ProcessorReconstructionError naming `path` when the pattern does not compile.
  Regex(std::string_view pattern, const std::string& path);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;
  // Pattern::find_matches for a regex: matches and the gaps between them, covering `s`.
  Matches find_matches(std::string_view s) const;

 private:
  struct Code;
  std::unique_ptr<Code> code_;
};

}  // namespace modelexport::processors
