// tokenizers normalizers/precompiled.rs Precompiled (SentencePiece's compiled charsmap): not yet
// implemented; refused by name so a tokenizer that needs it fails loudly instead of mis-tokenizing.
#include "processors/tokenizers/json_access.h"
#include "processors/tokenizers/normalizers/normalizers.h"

namespace modelexport::processors::normalizers {

std::unique_ptr<Normalizer> make_precompiled(const Json&, const std::string& path) {
  json::fail(path, "the Precompiled normalizer (SentencePiece charsmap) is not supported yet");
}

}  // namespace modelexport::processors::normalizers
