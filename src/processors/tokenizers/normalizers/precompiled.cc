// tokenizers normalizers/precompiled.rs (with the spm_precompiled crate): SentencePiece's compiled
// charsmap, a Darts double-array trie over UTF-8 keys plus a blob of NUL-terminated replacements.
// Applied per extended grapheme cluster (< 6 bytes) and otherwise per char, taking the *first*
// (shortest) prefix match, exactly as tokenizers does.
#include <utf8proc.h>

#include "modelexport/common/codec.h"
#include "processors/tokenizers/json_access.h"
#include "processors/tokenizers/normalizers/normalizers.h"
#include "processors/tokenizers/unicode.h"

namespace modelexport::processors::normalizers {
namespace {

class Precompiled : public Normalizer {
 public:
  Precompiled(std::vector<uint32_t> trie, std::string normalized) : trie_(std::move(trie)), normalized_(std::move(normalized)) {}

  void normalize(NormalizedString& s) const override {
    const std::string& text = s.get();
    std::vector<NormalizedString::Change> dest;
    bool modified = false;
    size_t i = 0;
    while (i < text.size()) {
      size_t g_end = grapheme_end(text, i);
      std::string_view grapheme(text.data() + i, g_end - i);
      if (grapheme.size() < 6) {
        if (auto norm = transform(grapheme)) {
          replace(dest, grapheme, *norm);
          modified = true;
          i = g_end;
          continue;
        }
      }
      for (size_t k = i; k < g_end;) {
        size_t start = k;
        char32_t c = unicode::next(text, k);
        std::string_view part(text.data() + start, k - start);
        if (auto norm = transform(part)) {
          replace(dest, part, *norm);
          modified = true;
        } else {
          dest.emplace_back(c, 0);
        }
      }
      i = g_end;
    }
    if (modified) s.transform(dest, 0);
  }

 private:
  // Darts-clone unit accessors.
  static bool has_leaf(uint32_t u) { return (u >> 8) & 1; }
  static uint32_t value(uint32_t u) { return u & ((1u << 31) - 1); }
  static uint32_t label(uint32_t u) { return u & ((1u << 31) | 0xFF); }
  static uint32_t offset(uint32_t u) { return (u >> 10) << ((u & (1u << 9)) >> 6); }

  std::optional<std::string_view> transform(std::string_view key) const {
    if (trie_.empty()) return std::nullopt;
    size_t pos = offset(trie_[0]);
    for (unsigned char c : key) {
      pos ^= c;
      if (pos >= trie_.size()) return std::nullopt;
      uint32_t unit = trie_[pos];
      if (label(unit) != c) return std::nullopt;
      pos ^= offset(unit);
      if (has_leaf(unit)) {  // the first (shortest) match wins
        if (pos >= trie_.size()) return std::nullopt;
        size_t index = value(trie_[pos]);
        if (index >= normalized_.size()) return std::nullopt;
        size_t end = normalized_.find('\0', index);
        return std::string_view(normalized_).substr(index, (end == std::string::npos ? normalized_.size() : end) - index);
      }
    }
    return std::nullopt;
  }

  // The old chars are replaced one for one; extra new chars are inserted (+1), missing ones are
  // removed by the last pushed char (tokenizers' `replace` helper in precompiled.rs).
  static void replace(std::vector<NormalizedString::Change>& dest, std::string_view old_part, std::string_view new_part) {
    int old_count = static_cast<int>(unicode::count(old_part)), new_count = static_cast<int>(unicode::count(new_part));
    for (size_t k = 0; k < new_part.size();) dest.emplace_back(unicode::next(new_part, k), 0);
    int diff = new_count - old_count;
    if (diff > 0) {
      for (int k = 0; k < diff; ++k) dest[dest.size() - 1 - static_cast<size_t>(k)].second = 1;
    } else if (diff < 0 && !dest.empty()) {
      dest.back().second += diff;
    }
  }

  static size_t grapheme_end(const std::string& s, size_t i) {
    utf8proc_int32_t state = 0;
    size_t k = i;
    char32_t prev = unicode::next(s, k);
    while (k < s.size()) {
      size_t next_pos = k;
      char32_t c = unicode::next(s, next_pos);
      if (utf8proc_grapheme_break_stateful(static_cast<utf8proc_int32_t>(prev), static_cast<utf8proc_int32_t>(c), &state)) break;
      prev = c;
      k = next_pos;
    }
    return k;
  }

  std::vector<uint32_t> trie_;
  std::string normalized_;
};

}  // namespace

std::unique_ptr<Normalizer> make_precompiled(const Json& j, const std::string& path) {
  std::string blob;
  try {
    blob = base64_decode(json::string_or(j, "precompiled_charsmap", path, ""));
  } catch (const Error& e) {
    json::fail(path + ".precompiled_charsmap", std::string("not valid base64: ") + e.what());
  }
  if (blob.empty()) return std::make_unique<Precompiled>(std::vector<uint32_t>{}, std::string());
  if (blob.size() < 4) json::fail(path + ".precompiled_charsmap", "shorter than its 4-byte header");
  uint32_t trie_size = 0;
  for (int k = 0; k < 4; ++k) trie_size |= static_cast<uint32_t>(static_cast<unsigned char>(blob[static_cast<size_t>(k)])) << (8 * k);
  if (4 + static_cast<size_t>(trie_size) > blob.size() || trie_size % 4 != 0)
    json::fail(path + ".precompiled_charsmap", "its trie size does not fit the data");
  std::vector<uint32_t> trie(trie_size / 4);
  for (size_t u = 0; u < trie.size(); ++u)
    for (int k = 0; k < 4; ++k) trie[u] |= static_cast<uint32_t>(static_cast<unsigned char>(blob[4 + u * 4 + static_cast<size_t>(k)])) << (8 * k);
  return std::make_unique<Precompiled>(std::move(trie), blob.substr(4 + trie_size));
}

}  // namespace modelexport::processors::normalizers
