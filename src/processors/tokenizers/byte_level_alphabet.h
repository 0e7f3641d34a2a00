// GPT-2's bytes_to_unicode table (tokenizers pre_tokenizers/byte_level.rs BYTES_CHAR): printable
// bytes map to themselves, the others to U+0100 onwards, in order.
#pragma once

#include <array>
#include <cstdint>

namespace modelexport::processors {

inline const std::array<char32_t, 256>& byte_to_char() {
  static const std::array<char32_t, 256> table = [] {
    std::array<char32_t, 256> t{};
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
      t[b] = printable ? static_cast<char32_t>(b) : next++;
    }
    return t;
  }();
  return table;
}

// Inverse table: code point (< 324) to byte, -1 when not a byte-level char.
inline int char_to_byte(char32_t c) {
  static const std::array<int, 324> inverse = [] {
    std::array<int, 324> t{};
    t.fill(-1);
    for (int b = 0; b < 256; ++b) t[byte_to_char()[b]] = b;
    return t;
  }();
  return c < inverse.size() ? inverse[c] : -1;
}

}  // namespace modelexport::processors
