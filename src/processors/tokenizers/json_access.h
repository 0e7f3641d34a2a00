// Reading tokenizer.json fields with errors that name the JSON path and what was expected.
#pragma once

#include <algorithm>
#include <string>

#include "common/json_util.h"
#include "modelexport/common/error.h"

namespace modelexport::processors::json {

[[noreturn]] inline void fail(const std::string& path, const std::string& what) {
  throw ProcessorReconstructionError("tokenizer.json " + path + ": " + what);
}

// serde_json's recursion limit, which tokenizers 0.23.2 reads tokenizer.json with: a document
// nests at most 127 arrays/objects ("recursion limit exceeded" past it) — common/json_util's limit.
using ::modelexport::kMaxJsonDepth;

// The stage factories recurse into Sequence components. Whatever built the JSON they are given,
// they stop where tokenizer.json itself must: the root, the component and two levels per Sequence
// (its object and its list) within kMaxJsonDepth. `path` names the component
// ("normalizer.normalizers[0].normalizers[0]"); each Sequence level adds one "[".
inline void check_depth(const std::string& path) {
  auto sequences = static_cast<size_t>(std::count(path.begin(), path.end(), '['));
  if (2 + 2 * sequences > kMaxJsonDepth)
    fail(path, "Sequence components nested " + std::to_string(sequences) + " deep; tokenizer.json nests at most " +
                   std::to_string(kMaxJsonDepth) + " arrays/objects (Hugging Face: \"recursion limit exceeded\")");
}

inline const Json& field(const Json& j, const char* key, const std::string& path) {
  if (!j.is_object() || !j.contains(key)) fail(path, std::string("missing \"") + key + "\"");
  return j[key];
}

inline std::string string_or(const Json& j, const char* key, const std::string& path, const std::string& fallback) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return fallback;
  if (!j[key].is_string()) fail(path + "." + key, "expected a string");
  return j[key].get<std::string>();
}

inline bool bool_or(const Json& j, const char* key, const std::string& path, bool fallback) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return fallback;
  if (!j[key].is_boolean()) fail(path + "." + key, "expected true or false");
  return j[key].get<bool>();
}

inline int64_t int_or(const Json& j, const char* key, const std::string& path, int64_t fallback) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return fallback;
  if (!j[key].is_number_integer()) fail(path + "." + key, "expected an integer");
  return j[key].get<int64_t>();
}

inline std::string type_of(const Json& j, const std::string& path) {
  if (!j.is_object()) fail(path, "expected an object");
  return string_or(j, "type", path, "");
}

[[noreturn]] inline void unknown_type(const std::string& path, const std::string& type, const std::string& supported) {
  fail(path + ".type", "unsupported type \"" + type + "\"; supported: " + supported);
}

}  // namespace modelexport::processors::json
