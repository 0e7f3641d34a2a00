// Unicode helpers for the tokenizer stages: UTF-8 coding and the character properties Rust's `char`
// methods use in Hugging Face tokenizers (White_Space, general categories, case mapping), on utf8proc.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace modelexport::processors::unicode {

// Decodes the code point at s[i] and advances i. The input is valid UTF-8 (checked on entry).
char32_t next(std::string_view s, size_t& i);
void append(std::string& out, char32_t c);
size_t utf8_length(char32_t c);
// Number of code points in a valid UTF-8 string.
size_t count(std::string_view s);

bool is_whitespace(char32_t c);          // Rust char::is_whitespace (White_Space property)
bool is_punctuation(char32_t c);         // general category P*
bool is_ascii_punctuation(char32_t c);   // Rust char::is_ascii_punctuation
bool is_other(char32_t c);               // general category C* (Rust's is_other in tokenizers)
bool is_mark_nonspacing(char32_t c);     // Mn
bool is_mark(char32_t c);                // M*
bool is_numeric(char32_t c);             // Nd | Nl | No (Rust char::is_numeric)
bool is_alphabetic(char32_t c);          // L* | Nl (approximation of the Alphabetic property, see .cc)
// Full lowercase mapping as Rust's char::to_lowercase (U+0130 becomes two code points).
std::u32string to_lowercase(char32_t c);
// Canonical/compatibility decomposition of one code point (no reordering).
std::u32string decompose(char32_t c, bool compatibility);

}  // namespace modelexport::processors::unicode
