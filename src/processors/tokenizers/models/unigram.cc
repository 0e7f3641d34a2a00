// tokenizers models/unigram: not yet implemented; refused by name.
#include "processors/tokenizers/json_access.h"
#include "processors/tokenizers/models/models.h"

namespace modelexport::processors::models {

std::unique_ptr<Model> make_unigram(const Json&, const std::string& path) {
  json::fail(path, "the Unigram model is not supported yet");
}

}  // namespace modelexport::processors::models
