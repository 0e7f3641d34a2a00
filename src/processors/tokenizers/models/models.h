// Model components (tokenizers/src/models), one .cc each; built by make_model.
#pragma once

#include <memory>
#include <string>

#include <simdjson.h>

#include "processors/tokenizers/components.h"

namespace modelexport::processors::models {

// Models read straight from the simdjson DOM: their vocabularies are most of tokenizer.json.
std::unique_ptr<Model> make_wordpiece(simdjson::dom::element j, const std::string& path);
std::unique_ptr<Model> make_bpe(simdjson::dom::element j, const std::string& path);
std::unique_ptr<Model> make_wordlevel(simdjson::dom::element j, const std::string& path);
std::unique_ptr<Model> make_unigram(simdjson::dom::element j, const std::string& path);

}  // namespace modelexport::processors::models

namespace modelexport::processors {
std::unique_ptr<Model> make_model(simdjson::dom::element j, const std::string& path);
}
