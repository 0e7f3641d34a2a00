// Model components (tokenizers/src/models), one .cc each; built by make_model.
#pragma once

#include <memory>
#include <string>

#include "processors/tokenizers/components.h"

namespace modelexport::processors::models {

std::unique_ptr<Model> make_wordpiece(const Json& j, const std::string& path);
std::unique_ptr<Model> make_bpe(const Json& j, const std::string& path);
std::unique_ptr<Model> make_wordlevel(const Json& j, const std::string& path);
std::unique_ptr<Model> make_unigram(const Json& j, const std::string& path);

}  // namespace modelexport::processors::models
