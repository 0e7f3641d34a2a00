// Pre-tokenizer components (tokenizers/src/pre_tokenizers), one .cc each; built by make_pre_tokenizer.
#pragma once

#include <memory>
#include <string>

#include "processors/tokenizers/components.h"

namespace modelexport::processors::pre_tokenizers {

std::unique_ptr<PreTokenizer> make_bert();
std::unique_ptr<PreTokenizer> make_byte_level(const Json& j, const std::string& path);
std::unique_ptr<PreTokenizer> make_whitespace();
std::unique_ptr<PreTokenizer> make_whitespace_split();
std::unique_ptr<PreTokenizer> make_metaspace(const Json& j, const std::string& path);
std::unique_ptr<PreTokenizer> make_split(const Json& j, const std::string& path);
std::unique_ptr<PreTokenizer> make_punctuation(const Json& j, const std::string& path);
std::unique_ptr<PreTokenizer> make_digits(const Json& j, const std::string& path);
std::unique_ptr<PreTokenizer> make_char_delimiter_split(const Json& j, const std::string& path);
std::unique_ptr<PreTokenizer> make_fixed_length(const Json& j, const std::string& path);
std::unique_ptr<PreTokenizer> make_unicode_scripts();
std::unique_ptr<PreTokenizer> make_sequence(const Json& j, const std::string& path);

// "Removed", "Isolated", ... as in tokenizer.json.
SplitBehavior parse_behavior(const Json& j, const char* key, const std::string& path, SplitBehavior fallback);
// Splits every piece by char-predicate matches.
void split_by_chars(PreTokenizedString& s, const std::function<bool(char32_t)>& is_match, SplitBehavior behavior);

}  // namespace modelexport::processors::pre_tokenizers
