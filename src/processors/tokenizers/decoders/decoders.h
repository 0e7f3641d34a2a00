// Decoder components (tokenizers/src/decoders); built by make_decoder.
#pragma once

#include <memory>
#include <string>

#include "processors/tokenizers/components.h"

namespace modelexport::processors::decoders {

// Rust's String::from_utf8_lossy: each maximal invalid subsequence becomes one U+FFFD.
std::string utf8_lossy(std::string_view bytes);
// WordPiece cleanup (" ." -> "." ...), shared with CTC.
std::string cleanup(std::string s);

}  // namespace modelexport::processors::decoders
