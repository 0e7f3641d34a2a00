// JSON helpers for src/ (nlohmann::json never appears in public headers).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace modelexport {

using Json = nlohmann::ordered_json;

// Parses JSON text; on failure throws MetadataReadError naming `what` (a file name or metadata
// key), the line and column, and the parser's reason.
Json parse_json(std::string_view text, std::string_view what);

// Like parse_json, but the top-level value must be an object.
Json parse_json_object(std::string_view text, std::string_view what);

// True when `text` is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view text);

}  // namespace modelexport
