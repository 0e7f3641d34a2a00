#include "runtime/generation/text_streamer.h"

#include <utility>

namespace modelexport::runtime::generation {
namespace {

// Byte offset of code point number `cp_index` in UTF-8 `text` (text.size() when past the end).
size_t byte_offset(std::string_view text, size_t cp_index) {
  size_t i = 0;
  for (size_t n = 0; i < text.size() && n < cp_index; ++n) {
    ++i;
    while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
  }
  return i;
}

size_t code_points(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

char32_t last_code_point(std::string_view text) {
  size_t i = text.size();
  while (i > 0 && (static_cast<unsigned char>(text[i - 1]) & 0xC0) == 0x80) --i;
  if (i == 0) return 0;
  --i;
  unsigned char c = static_cast<unsigned char>(text[i]);
  int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
  char32_t cp = extra == 0 ? c : c & (0x3F >> extra);
  for (int k = 1; k <= extra && i + k < text.size(); ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
  return cp;
}

}  // namespace

// transformers streamers.py TextStreamer._is_chinese_char.
bool is_cjk_codepoint(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) ||
         (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

TextStreamer::TextStreamer(Detokenizer decode, TextCallback on_text, bool skip_prompt)
    : decode_(std::move(decode)), on_text_(std::move(on_text)), skip_prompt_(skip_prompt) {}

// Python's print_len counts characters (code points); so does printed_.
void TextStreamer::put(std::span<const int64_t> tokens) {
  if (skip_prompt_ && next_is_prompt_) {
    next_is_prompt_ = false;
    return;
  }
  cache_.insert(cache_.end(), tokens.begin(), tokens.end());
  std::string text = decode_(cache_);
  std::string piece;
  if (!text.empty() && text.back() == '\n') {
    piece = text.substr(byte_offset(text, printed_));
    cache_.clear();
    printed_ = 0;
  } else if (!text.empty() && is_cjk_codepoint(last_code_point(text))) {
    piece = text.substr(byte_offset(text, printed_));
    printed_ += code_points(piece);
  } else {
    size_t space = text.rfind(' ');
    size_t end = space == std::string::npos ? 0 : space + 1;  // bytes
    size_t begin = byte_offset(text, printed_);
    if (end > begin) piece = text.substr(begin, end - begin);
    printed_ += code_points(piece);
  }
  if (!piece.empty()) on_text_(piece);
}

void TextStreamer::end() {
  std::string piece;
  if (!cache_.empty()) {
    std::string text = decode_(cache_);
    piece = text.substr(byte_offset(text, printed_));
    cache_.clear();
    printed_ = 0;
  }
  next_is_prompt_ = true;
  if (!piece.empty()) on_text_(piece);
}

}  // namespace modelexport::runtime::generation
