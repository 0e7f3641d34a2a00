// Post-processor components (tokenizers/src/processors), one .cc each; built by make_post_processor.
#pragma once

#include <memory>
#include <string>

#include "processors/tokenizers/components.h"

namespace modelexport::processors::post_processors {

std::unique_ptr<PostProcessor> make_template(const Json& j, const std::string& path);
std::unique_ptr<PostProcessor> make_bert(const Json& j, const std::string& path);
std::unique_ptr<PostProcessor> make_roberta(const Json& j, const std::string& path);
std::unique_ptr<PostProcessor> make_byte_level(const Json& j, const std::string& path);
std::unique_ptr<PostProcessor> make_sequence(const Json& j, const std::string& path);

// tokenizers processors/byte_level.rs process_offsets: offsets exclude leading/trailing spaces
// (Ġ or whitespace), except the one prefix space added to the first token.
void trim_offsets(Encoding& e, bool add_prefix_space);
// ["token", id] pairs of Bert/RobertaProcessing.
std::pair<std::string, int32_t> token_pair(const Json& j, const char* key, const std::string& path);

}  // namespace modelexport::processors::post_processors
