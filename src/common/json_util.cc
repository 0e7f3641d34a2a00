#include "common/json_util.h"

#include "modelexport/common/error.h"

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

// Accepts every event; remembers the first error.
struct SyntaxOnly : nlohmann::json_sax<Json> {
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) override {
    error_byte = position;
    error = ex.what();
    return false;
  }
  size_t error_byte = 0;
  std::string error;
};

}  // namespace

Json parse_json(std::string_view text, std::string_view what) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    throw_parse_error(text, what, e.byte, e.what());
  }
}

void check_json_syntax(std::string_view text, std::string_view what) {
  SyntaxOnly sax;
  if (!Json::sax_parse(text.begin(), text.end(), &sax)) throw_parse_error(text, what, sax.error_byte, sax.error);
}

Json parse_json_object(std::string_view text, std::string_view what) {
  Json j = parse_json(text, what);
  if (!j.is_object())
    throw MetadataReadError("invalid " + std::string(what) + ": expected a JSON object at the top level, found " +
                            j.type_name());
  return j;
}

bool is_valid_utf8(std::string_view s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
    else return false;
    if (i + len > n) return false;
    for (int k = 1; k < len; ++k) {
      unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = cp << 6 | (d & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

std::string token_content(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
  return "";
}

}  // namespace modelexport
