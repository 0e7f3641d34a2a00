// UTF-8 ↔ code points for Python's code-point string semantics (len, slicing, methods).
#include <string>

#include "processors/templates/builtins.h"
#include "processors/tokenizers/unicode.h"

namespace modelexport::processors::templates {

std::u32string code_points(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) out += unicode::next(s, i);
  return out;
}

std::string utf8(std::u32string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) unicode::append(out, c);
  return out;
}

// CPython's Py_UNICODE_ISSPACE: bidirectional class WS, B or S, or category Zs.
bool is_space(char32_t c) {
  if (c < 128) return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
  return c == 0x85 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 ||
         c == 0x202f || c == 0x205f || c == 0x3000;
}

}  // namespace modelexport::processors::templates
