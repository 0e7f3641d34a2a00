// JSON helpers for src/ (nlohmann::json never appears in public headers): parsing with a nesting
// limit, checked typed access that names the file and JSON path, and output that is always valid JSON.
//
//   Json config = parse_json_object(bytes, "bert/config.json");        // MetadataReadError on bad JSON
//   JsonReader r(config, "bert/config.json");
//   std::string problem = r.string_or("problem_type", "");            // null or absent -> ""
//   int64_t vocab = r.integer_or("vocab_size", -1);                   // "x" -> "bert/config.json: vocab_size:
//                                                                     //  expected an integer, found string"
//   if (auto vision = r.object("vision_config")) vision->integer_or("num_channels", 3);
//   std::cout << dump_json(config, 2);                                 // invalid UTF-8 shown as U+FFFD
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace modelexport {

// The unordered DOM: ordered_json inserts in O(n) per key, quadratic on 50k-entry vocabularies.
using Json = nlohmann::json;

// Deepest nesting of arrays/objects accepted (the top-level value is depth 1). Hugging Face tokenizers
// 0.23.2 (serde_json) accept 127 and refuse 128 with "recursion limit exceeded" (measured through the
// npm package); Python's json (transformers' config.json reader) refuses near 1000. One limit for every
// JSON file we read: deeper input is an error, never a stack overflow in a recursive walk or dump.
inline constexpr size_t kMaxJsonDepth = 127;

// Parses JSON text; on failure (syntax, or nesting deeper than kMaxJsonDepth) throws
// MetadataReadError naming `what` (a file name or metadata key), the line and column, and the reason.
// Text longer than kMaxJsonBytes (modelexport/common/limits.h) is refused before parsing, naming
// `what`, the cap and MODELEXPORT_MAX_JSON_BYTES.
Json parse_json(std::string_view text, std::string_view what);

// Checks JSON syntax and nesting depth without building a DOM (SAX); same errors as parse_json.
void check_json_syntax(std::string_view text, std::string_view what);

// Like parse_json, but the top-level value must be an object.
Json parse_json_object(std::string_view text, std::string_view what);

// Serializes JSON for output or storage. Strings that are not valid UTF-8 (file paths, foreign metadata
// keys and values; parsed JSON is always valid) are written with each invalid byte replaced by U+FFFD,
// so the result is always valid JSON and never throws.
std::string dump_json(const Json& j, int indent = -1);

// Checked, typed access to a JSON object read from a file. Every getter treats a missing key and an
// explicit null alike (as Hugging Face's Python and JavaScript libraries do: `"problem_type": null`
// means "not set"); a present value of the wrong type throws MetadataReadError
// "<file>: <json path>: expected <what>, found <type>". The reader refers to `j`, which must outlive it.
class JsonReader {
 public:
  // `j` need not be an object: then every key is absent. `path` is this value's JSON path ("" = root).
  JsonReader(const Json& j, std::string file, std::string path = "");

  const Json& json() const { return *j_; }
  const std::string& file() const { return file_; }
  // "model.vocab_size" style path of a key under this value.
  std::string path_of(std::string_view key) const;

  // Present and not null.
  bool has(std::string_view key) const;
  // The raw value (nullptr when absent or null).
  const Json* find(std::string_view key) const;

  std::optional<std::string> string(std::string_view key) const;
  std::string string_or(std::string_view key, std::string fallback) const;
  std::optional<int64_t> integer(std::string_view key) const;  // integers only (5.0 is refused)
  int64_t integer_or(std::string_view key, int64_t fallback) const;
  std::optional<double> number(std::string_view key) const;  // any JSON number
  std::optional<bool> boolean(std::string_view key) const;
  bool boolean_or(std::string_view key, bool fallback) const;
  // A nested object; nullopt when absent or null; throws when present with another type.
  std::optional<JsonReader> object(std::string_view key) const;
  // A nested array; nullptr when absent or null; throws when present with another type.
  const Json* array(std::string_view key) const;

  [[noreturn]] void fail(std::string_view key, std::string_view expected) const;

 private:
  const Json* j_;
  std::string file_, path_;
};

// A special token as tokenizer_config.json / special_tokens_map.json write it: a string, or an
// AddedToken object {"content": ...}. Empty when neither.
std::string token_content(const Json& value);

// True when `text` is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view text);
// The byte offset of the first sequence in `text` that is not valid UTF-8 (as is_valid_utf8 judges),
// std::string_view::npos when there is none.
size_t invalid_utf8_offset(std::string_view text);
// Where invalid_utf8_offset's answer is, for an error message: "line L, column C (byte 0xBB at offset N)".
std::string utf8_error_position(std::string_view text, size_t offset);

}  // namespace modelexport
