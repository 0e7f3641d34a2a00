// Reading model fields straight from simdjson (the models hold the bulky part of tokenizer.json),
// with the same path-naming errors as json_access.h.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>

#include "processors/tokenizers/json_access.h"

namespace modelexport::processors::sj {

using simdjson::dom::element;

inline std::optional<element> field(element j, const char* key) {
  element v;
  if (j.at_key(key).get(v) || v.is_null()) return std::nullopt;
  return v;
}

inline element required(element j, const char* key, const std::string& path) {
  auto v = field(j, key);
  if (!v) json::fail(path, std::string("missing \"") + key + "\"");
  return *v;
}

inline std::optional<std::string> optional_string(element j, const char* key, const std::string& path) {
  auto v = field(j, key);
  if (!v) return std::nullopt;
  std::string_view s;
  if (v->get(s)) json::fail(path + "." + key, "expected a string");
  return std::string(s);
}

inline std::string string_or(element j, const char* key, const std::string& path, const std::string& fallback) {
  return optional_string(j, key, path).value_or(fallback);
}

inline bool bool_or(element j, const char* key, const std::string& path, bool fallback) {
  auto v = field(j, key);
  if (!v) return fallback;
  bool b;
  if (v->get(b)) json::fail(path + "." + key, "expected true or false");
  return b;
}

inline int64_t int_or(element j, const char* key, const std::string& path, int64_t fallback) {
  auto v = field(j, key);
  if (!v) return fallback;
  int64_t i;
  if (v->get(i)) json::fail(path + "." + key, "expected an integer");
  return i;
}

}  // namespace modelexport::processors::sj
