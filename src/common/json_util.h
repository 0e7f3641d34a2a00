// JSON helpers for src/ (nlohmann::json never appears in public headers).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace modelexport {

// The unordered DOM: ordered_json inserts in O(n) per key, quadratic on 50k-entry vocabularies.
using Json = nlohmann::json;

// Parses JSON text; on failure throws MetadataReadError naming `what` (a file name or metadata
// key), the line and column, and the parser's reason.
Json parse_json(std::string_view text, std::string_view what);

// Checks JSON syntax without building a DOM (SAX); same errors as parse_json.
void check_json_syntax(std::string_view text, std::string_view what);

// Like parse_json, but the top-level value must be an object.
Json parse_json_object(std::string_view text, std::string_view what);

// A special token as tokenizer_config.json / special_tokens_map.json write it: a string, or an
// AddedToken object {"content": ...}. Empty when neither.
std::string token_content(const Json& value);

// True when `text` is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view text);

}  // namespace modelexport
