// Unicode helpers for the tokenizer stages: UTF-8 coding and the character properties Rust's `char`
// methods use in Hugging Face tokenizers (White_Space, general categories, case mapping), on utf8proc.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace modelexport::processors::unicode {

inline constexpr char32_t kReplacementCharacter = 0xFFFD;

// Decodes the code point at s[i] (i < s.size()) and advances i. The input is valid UTF-8 (checked on
// entry); a byte that does not start a complete sequence is read as U+FFFD and i advances by one, so
// no input makes it read past s.
char32_t next(std::string_view s, size_t& i);
void append(std::string& out, char32_t c);
size_t utf8_length(char32_t c);
// Number of code points in a valid UTF-8 string.
size_t count(std::string_view s);

bool is_whitespace(char32_t c);          // Rust char::is_whitespace (White_Space property)
bool is_ascii_punctuation(char32_t c);   // Rust char::is_ascii_punctuation
bool is_alphabetic(char32_t c);          // L* | Nl (approximation of the Alphabetic property, see .cc)

// Hugging Face tokenizers' own Unicode tables, which are older than utf8proc's (hf_unicode_tables.inc,
// generated from tokenizers 0.23.2 by scripts/golden/hf_unicode_tables.mjs):
bool is_strip_accents_mark(char32_t c);  // General_Category M of Unicode 9.0: what StripAccents removes
bool is_mark_nonspacing(char32_t c);     // Mn of Unicode 8.0: what BertNormalizer's strip_accents removes
bool is_bert_control(char32_t c);  // NUL, U+FFFD and C* of Unicode 8.0 but \t \n \r and Cn: what clean_text removes
bool is_punctuation(char32_t c);   // P* of Unicode 8.0 and ASCII punctuation (Punctuation, BertPreTokenizer)
bool is_numeric(char32_t c);       // Rust char::is_numeric, Unicode 16.0 (Digits)
bool is_regex_word(char32_t c);    // Oniguruma's \w (the Whitespace pre-tokenizer)
bool is_regex_space(char32_t c);   // Oniguruma's \s (the Whitespace pre-tokenizer)
bool is_script_any(char32_t c);    // no script in tokenizers' table (UnicodeScripts: joins either side)
// Full lowercase mapping as Rust's char::to_lowercase, Unicode 16.0 (U+0130 becomes two code points).
std::u32string to_lowercase(char32_t c);
// Whether NFD (NFKD with `compatibility`) changes c in tokenizers: Unicode 9.0's decompositions.
bool is_decomposable(char32_t c, bool compatibility);
// Canonical/compatibility decomposition of one code point (no reordering), as tokenizers has it:
// code points decomposable only in later Unicode versions stay whole.
std::u32string decompose(char32_t c, bool compatibility);
// The decomposition in utf8proc's Unicode version (15.0), whatever tokenizers knows.
std::u32string decompose_latest(char32_t c, bool compatibility);

}  // namespace modelexport::processors::unicode
