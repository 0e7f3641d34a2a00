// NormalizedString: a piece of text being normalized, that keeps for every byte of the normalized
// text the byte range of the original text it came from, so that token offsets map back exactly.
// Mirrors Hugging Face tokenizers' NormalizedString (tokenizer/normalizer.rs): the same transform
// semantics (each output char with a change: 0 replaces, +1 is inserted, -n also removes n chars),
// the same split behaviors.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace modelexport::processors {

// How a split treats the matched delimiters (SplitDelimiterBehavior).
enum class SplitBehavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext, kContiguous };

// Byte ranges of the normalized text covering it whole, each flagged as a match or not.
using Matches = std::vector<std::pair<std::pair<size_t, size_t>, bool>>;

class NormalizedString {
 public:
  NormalizedString() = default;
  // A whole original text; `original_start` is its byte offset in the caller's text.
  explicit NormalizedString(std::string_view text, size_t original_start = 0);

  const std::string& get() const { return normalized_; }
  bool empty() const { return normalized_.empty(); }

  // One (char, change) per output char; see the file comment. Replaces bytes [start, end) of the
  // normalized text; `initial_offset` chars of it are removed before the first output char.
  using Change = std::pair<char32_t, int>;
  void transform_range(size_t start, size_t end, const std::vector<Change>& dest, size_t initial_offset);
  void transform(const std::vector<Change>& dest, size_t initial_offset) {
    transform_range(0, normalized_.size(), dest, initial_offset);
  }

  void filter(const std::function<bool(char32_t)>& keep);
  void map(const std::function<char32_t(char32_t)>& f);
  void lowercase();
  void nfd() { decompose(false); }
  void nfkd() { decompose(true); }
  void nfc();   // nfd, then each starter and its combining marks composed (the composed char
  void nfkc();  // replaces the first and removes the rest)
  void prepend(std::string_view s);
  void append(std::string_view s);
  void lstrip();
  void rstrip();
  void replace(const Matches& matches, std::string_view content);

  // Byte range [start, end) of the normalized text as its own NormalizedString.
  NormalizedString slice(size_t start, size_t end) const;
  std::vector<NormalizedString> split(const Matches& matches, SplitBehavior behavior) const;

  // Original byte range (absolute) covered by normalized bytes [start, end).
  std::pair<size_t, size_t> original_range(size_t start, size_t end) const;
  size_t original_start() const { return original_start_; }

 private:
  void decompose(bool compatibility);  // per char, then canonical ordering
  std::string normalized_;
  std::vector<std::pair<uint32_t, uint32_t>> align_;  // per normalized byte: absolute original byte range
  size_t original_start_ = 0;
  size_t original_end_ = 0;
};

// Match finders (Pattern::find_matches): every char for which `is_match` holds is its own match.
Matches find_char_matches(std::string_view s, const std::function<bool(char32_t)>& is_match);
// Every occurrence of a literal string.
Matches find_string_matches(std::string_view s, std::string_view needle);

}  // namespace modelexport::processors
