#include "processors/tokenizers/unicode.h"

#include <utf8proc.h>

#include <algorithm>
#include <iterator>

namespace modelexport::processors::unicode {

char32_t next(std::string_view s, size_t& i) {
  auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    ++i;
    return b;
  }
  int len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
  // Entry points check UTF-8 first; should a broken sequence get past them anyway, it becomes one
  // U+FFFD per byte instead of a read past the end of s.
  if (b < 0xC2 || b > 0xF4 || i + len > s.size()) {
    ++i;
    return kReplacementCharacter;
  }
  char32_t c = b & (len == 4 ? 0x07 : len == 3 ? 0x0F : 0x1F);
  for (int k = 1; k < len; ++k) {
    auto d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) {
      ++i;
      return kReplacementCharacter;
    }
    c = c << 6 | (d & 0x3F);
  }
  i += len;
  return c;
}

void append(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

size_t utf8_length(char32_t c) { return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4; }

size_t count(std::string_view s) {
  size_t n = 0;
  for (char ch : s) n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
  return n;
}

namespace {
utf8proc_category_t category(char32_t c) { return utf8proc_category(static_cast<utf8proc_int32_t>(c)); }
}  // namespace

bool is_whitespace(char32_t c) {
  // The White_Space property (PropList.txt).
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
         c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool is_ascii_punctuation(char32_t c) {
  return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
}

namespace {
struct CodePointRange {
  char32_t first, last;
};
struct LowercaseMapping {
  char32_t from, to, second;  // second: 0 when the mapping is one code point
};
#include "processors/tokenizers/hf_unicode_tables.inc"

template <size_t N>
bool in_ranges(const CodePointRange (&ranges)[N], char32_t c) {
  auto it = std::upper_bound(std::begin(ranges), std::end(ranges), c,
                             [](char32_t v, const CodePointRange& r) { return v < r.first; });
  return it != std::begin(ranges) && c <= std::prev(it)->last;
}
}  // namespace

bool is_strip_accents_mark(char32_t c) { return in_ranges(kStripAccentsMarks, c); }
bool is_mark_nonspacing(char32_t c) { return in_ranges(kBertNonspacingMarks, c); }
bool is_bert_control(char32_t c) { return in_ranges(kBertControls, c); }
bool is_punctuation(char32_t c) { return in_ranges(kPunctuation, c); }
bool is_numeric(char32_t c) { return in_ranges(kNumeric, c); }
bool is_regex_word(char32_t c) { return in_ranges(kRegexWord, c); }
bool is_regex_space(char32_t c) { return in_ranges(kRegexSpace, c); }
bool is_script_any(char32_t c) { return in_ranges(kScriptAny, c); }

std::u32string to_lowercase(char32_t c) {
  auto it = std::lower_bound(std::begin(kLowercase), std::end(kLowercase), c,
                             [](const LowercaseMapping& m, char32_t v) { return m.from < v; });
  if (it == std::end(kLowercase) || it->from != c) return {c};
  return it->second ? std::u32string{it->to, it->second} : std::u32string{it->to};
}

bool is_alphabetic(char32_t c) {
  // Alphabetic = L* + Nl + Other_Alphabetic; utf8proc has no Other_Alphabetic table, so combining
  // vowel signs (Mc/Mn with that property) are not covered. Used only where tokenizers uses \w-like
  // classes through its own code, not through regexes (PCRE2 handles those).
  auto k = category(c);
  return k == UTF8PROC_CATEGORY_LU || k == UTF8PROC_CATEGORY_LL || k == UTF8PROC_CATEGORY_LT ||
         k == UTF8PROC_CATEGORY_LM || k == UTF8PROC_CATEGORY_LO || k == UTF8PROC_CATEGORY_NL;
}

bool is_decomposable(char32_t c, bool compatibility) {
  return compatibility ? in_ranges(kCompatibilityDecomposable, c) : in_ranges(kCanonicalDecomposable, c);
}

std::u32string decompose(char32_t c, bool compatibility) {
  if (!is_decomposable(c, compatibility)) return {c};
  return decompose_latest(c, compatibility);
}

std::u32string decompose_latest(char32_t c, bool compatibility) {
  utf8proc_int32_t buf[32];
  int options = UTF8PROC_DECOMPOSE | (compatibility ? UTF8PROC_COMPAT : 0);
  int last = 0;
  utf8proc_ssize_t n = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(c), buf, 32, static_cast<utf8proc_option_t>(options), &last);
  if (n <= 0) return {c};
  return std::u32string(buf, buf + n);
}

}  // namespace modelexport::processors::unicode
