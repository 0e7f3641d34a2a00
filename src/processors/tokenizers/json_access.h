// Reading tokenizer.json fields with errors that name the JSON path and what was expected.
#pragma once

#include <string>

#include "common/json_util.h"
#include "modelexport/common/error.h"

namespace modelexport::processors::json {

[[noreturn]] inline void fail(const std::string& path, const std::string& what) {
  throw ProcessorReconstructionError("tokenizer.json " + path + ": " + what);
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
