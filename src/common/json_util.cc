#include "common/json_util.h"

#include <cstdio>

#include "modelexport/common/error.h"
#include "modelexport/common/limits.h"

namespace modelexport {

namespace {

[[noreturn]] void throw_parse_error(std::string_view text, std::string_view what, size_t byte, std::string reason) {
  // byte is 1-based and points just past the offending character.
  size_t pos = byte > 0 ? byte - 1 : 0;
  if (pos > text.size()) pos = text.size();
  size_t line = 1, col = 1;
  for (size_t i = 0; i < pos; ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  if (auto p = reason.find("parse error"); p != std::string::npos) reason = reason.substr(p);
  throw MetadataReadError("invalid JSON in " + std::string(what) + " at line " + std::to_string(line) + ", column " +
                          std::to_string(col) + " (byte " + std::to_string(pos) + "): " + reason);
}

// Only on the error path: the 1-based byte just past the bracket that opens nesting level
// kMaxJsonDepth + 1 (SAX events carry no position). Strings are skipped, escapes included.
size_t too_deep_at(std::string_view text) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return i + 1;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return text.size();
}

// The size cap comes before any parsing: a DOM costs up to ~16 bytes per input byte.
void check_json_size(std::string_view text, std::string_view what) {
  if (!within_limit(kMaxJsonBytes, text.size()))
    throw MetadataReadError(std::string(what) + ": " + limit_exceeded(kMaxJsonBytes, text.size()));
}

[[noreturn]] void throw_too_deep(std::string_view text, std::string_view what) {
  throw_parse_error(text, what, too_deep_at(text),
                    "nesting deeper than " + std::to_string(kMaxJsonDepth) +
                        " levels (recursion limit exceeded; Hugging Face tokenizers refuses it too)");
}

// Tracks nesting; refuses to open level kMaxJsonDepth + 1.
struct DepthLimit {
  size_t depth = 0;
  bool exceeded = false;
  bool enter() {
    if (++depth > kMaxJsonDepth) {
      exceeded = true;
      return false;
    }
    return true;
  }
  bool leave() {
    --depth;
    return true;
  }
};

// nlohmann's own DOM builder behind a depth check: the DOM is never built past the limit, so nothing
// later (copy, dump, destruction, recursive walks) can recurse deeper than kMaxJsonDepth.
struct DomWithDepthLimit {
  using Dom = nlohmann::detail::json_sax_dom_parser<Json>;
  using number_integer_t = Json::number_integer_t;
  using number_unsigned_t = Json::number_unsigned_t;
  using number_float_t = Json::number_float_t;
  using string_t = Json::string_t;
  using binary_t = Json::binary_t;

  explicit DomWithDepthLimit(Json& root) : dom(root, true) {}
  bool null() { return dom.null(); }
  bool boolean(bool v) { return dom.boolean(v); }
  bool number_integer(number_integer_t v) { return dom.number_integer(v); }
  bool number_unsigned(number_unsigned_t v) { return dom.number_unsigned(v); }
  bool number_float(number_float_t v, const string_t& s) { return dom.number_float(v, s); }
  bool string(string_t& s) { return dom.string(s); }
  bool binary(binary_t& b) { return dom.binary(b); }
  bool start_object(std::size_t n) { return limit.enter() && dom.start_object(n); }
  bool key(string_t& k) { return dom.key(k); }
  bool end_object() { return limit.leave() && dom.end_object(); }
  bool start_array(std::size_t n) { return limit.enter() && dom.start_array(n); }
  bool end_array() { return limit.leave() && dom.end_array(); }
  // Every syntax error, and numbers past double's range ("1e999", nlohmann's out_of_range.406),
  // is remembered here and reported as a MetadataReadError: none of nlohmann's exceptions escapes.
  template <class Exception>
  bool parse_error(std::size_t position, const std::string&, const Exception& ex) {
    error_byte = position;
    error = ex.what();
    return false;
  }

  Dom dom;
  DepthLimit limit;
  size_t error_byte = 0;
  std::string error;
};

// Accepts every event; remembers the first error.
struct SyntaxOnly : nlohmann::json_sax<Json> {
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return limit.enter(); }
  bool key(string_t&) override { return true; }
  bool end_object() override { return limit.leave(); }
  bool start_array(std::size_t) override { return limit.enter(); }
  bool end_array() override { return limit.leave(); }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) override {
    error_byte = position;
    error = ex.what();
    return false;
  }
  size_t error_byte = 0;
  std::string error;
  DepthLimit limit;
};

}  // namespace

Json parse_json(std::string_view text, std::string_view what) {
  check_json_size(text, what);
  Json root;
  DomWithDepthLimit sax(root);
  if (!Json::sax_parse(text.begin(), text.end(), &sax)) {
    if (sax.limit.exceeded) throw_too_deep(text, what);
    if (!sax.error.empty()) throw_parse_error(text, what, sax.error_byte, sax.error);
    throw MetadataReadError("invalid JSON in " + std::string(what));
  }
  return root;
}

void check_json_syntax(std::string_view text, std::string_view what) {
  check_json_size(text, what);
  SyntaxOnly sax;
  if (Json::sax_parse(text.begin(), text.end(), &sax)) return;
  if (sax.limit.exceeded) throw_too_deep(text, what);
  throw_parse_error(text, what, sax.error_byte, sax.error);
}

Json parse_json_object(std::string_view text, std::string_view what) {
  Json j = parse_json(text, what);
  if (!j.is_object())
    throw MetadataReadError("invalid " + std::string(what) + ": expected a JSON object at the top level, found " +
                            j.type_name());
  return j;
}

std::string dump_json(const Json& j, int indent) { return j.dump(indent, ' ', false, Json::error_handler_t::replace); }

// ---- JsonReader

JsonReader::JsonReader(const Json& j, std::string file, std::string path)
    : j_(&j), file_(std::move(file)), path_(std::move(path)) {}

std::string JsonReader::path_of(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

const Json* JsonReader::find(std::string_view key) const {
  if (!j_->is_object()) return nullptr;
  auto it = j_->find(key);
  if (it == j_->end() || it->is_null()) return nullptr;
  return &*it;
}

bool JsonReader::has(std::string_view key) const { return find(key) != nullptr; }

void JsonReader::fail(std::string_view key, std::string_view expected) const {
  const Json* v = j_->is_object() && j_->contains(key) ? &(*j_)[std::string(key)] : nullptr;
  throw MetadataReadError(file_ + ": " + path_of(key) + ": expected " + std::string(expected) +
                          (v ? std::string(", found ") + v->type_name() : std::string()));
}

std::optional<std::string> JsonReader::string(std::string_view key) const {
  const Json* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_string()) fail(key, "a string");
  return v->get<std::string>();
}

std::string JsonReader::string_or(std::string_view key, std::string fallback) const {
  auto v = string(key);
  return v ? *v : std::move(fallback);
}

std::optional<int64_t> JsonReader::integer(std::string_view key) const {
  const Json* v = find(key);
  if (!v) return std::nullopt;
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
    fail(key, "an integer up to " + std::to_string(INT64_MAX));
  if (!v->is_number_integer()) fail(key, "an integer");
  return v->get<int64_t>();
}

int64_t JsonReader::integer_or(std::string_view key, int64_t fallback) const { return integer(key).value_or(fallback); }

std::optional<double> JsonReader::number(std::string_view key) const {
  const Json* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_number()) fail(key, "a number");
  return v->get<double>();
}

std::optional<bool> JsonReader::boolean(std::string_view key) const {
  const Json* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) fail(key, "true or false");
  return v->get<bool>();
}

bool JsonReader::boolean_or(std::string_view key, bool fallback) const { return boolean(key).value_or(fallback); }

std::optional<JsonReader> JsonReader::object(std::string_view key) const {
  const Json* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_object()) fail(key, "an object");
  return JsonReader(*v, file_, path_of(key));
}

const Json* JsonReader::array(std::string_view key) const {
  const Json* v = find(key);
  if (v && !v->is_array()) fail(key, "an array");
  return v;
}

// ---- text

bool is_valid_utf8(std::string_view s) { return invalid_utf8_offset(s) == std::string_view::npos; }

size_t invalid_utf8_offset(std::string_view s) {
  constexpr size_t kValid = std::string_view::npos;
  size_t i = 0, n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (int k = 1; k < len; ++k) {
      unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return i;
      cp = cp << 6 | (d & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += len;
  }
  return kValid;
}

std::string utf8_error_position(std::string_view text, size_t offset) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++column;
    }
  }
  char byte[8];
  std::snprintf(byte, sizeof byte, "0x%02X", offset < text.size() ? static_cast<unsigned char>(text[offset]) : 0);
  return "line " + std::to_string(line) + ", column " + std::to_string(column) + " (byte " + byte + " at offset " +
         std::to_string(offset) + ")";
}

std::string token_content(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
  return "";
}

}  // namespace modelexport
