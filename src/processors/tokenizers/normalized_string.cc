#include "processors/tokenizers/normalized_string.h"

#include <algorithm>
#include <cstdlib>

#include <utf8proc.h>

#include "processors/tokenizers/unicode.h"

namespace modelexport::processors {

NormalizedString::NormalizedString(std::string_view text, size_t original_start)
    : normalized_(text), original_start_(original_start), original_end_(original_start + text.size()) {
  align_.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t start = i;
    unicode::next(text, i);
    for (size_t k = start; k < i; ++k)
      align_.emplace_back(static_cast<uint32_t>(original_start + start), static_cast<uint32_t>(original_start + i));
  }
}

// tokenizers normalizer.rs transform_range, with alignments kept absolute.
void NormalizedString::transform_range(size_t start, size_t end, const std::vector<Change>& dest, size_t initial_offset) {
  std::string_view replaced(normalized_.data() + start, end - start);
  size_t rpos = 0;  // byte position in `replaced` of the next char not yet consumed
  for (size_t k = 0; k < initial_offset && rpos < replaced.size(); ++k) unicode::next(replaced, rpos);
  size_t offset = start + rpos;
  std::string out;
  std::vector<std::pair<uint32_t, uint32_t>> aligns;
  out.reserve(end - start + dest.size());
  aligns.reserve(end - start + dest.size());
  for (const auto& [c, change] : dest) {
    std::pair<uint32_t, uint32_t> a;
    if (change > 0) {
      // An inserted char shares the alignment of the one before it.
      a = offset < 1 ? std::pair<uint32_t, uint32_t>(static_cast<uint32_t>(original_start_), static_cast<uint32_t>(original_start_))
                     : align_[offset - 1];
    } else {
      a = offset < align_.size() ? align_[offset]
                                 : std::pair<uint32_t, uint32_t>(static_cast<uint32_t>(original_end_), static_cast<uint32_t>(original_end_));
    }
    if (change <= 0 && rpos < replaced.size()) {  // this char replaces the current one
      size_t before = rpos;
      unicode::next(replaced, rpos);
      offset += rpos - before;
    }
    for (int r = 0; r < -change && rpos < replaced.size(); ++r) {  // and removes -change more
      size_t before = rpos;
      unicode::next(replaced, rpos);
      offset += rpos - before;
    }
    size_t len = unicode::utf8_length(c);
    unicode::append(out, c);
    aligns.insert(aligns.end(), len, a);
  }
  normalized_.replace(start, end - start, out);
  align_.erase(align_.begin() + static_cast<ptrdiff_t>(start), align_.begin() + static_cast<ptrdiff_t>(end));
  align_.insert(align_.begin() + static_cast<ptrdiff_t>(start), aligns.begin(), aligns.end());
}

void NormalizedString::filter(const std::function<bool(char32_t)>& keep) {
  // tokenizers NormalizedString::filter: removed chars are folded into the next kept char's change.
  std::vector<Change> dest;
  int removed = 0;
  size_t removed_start = 0;
  bool have_last = false;
  char32_t last = 0;
  for (size_t i = 0; i < normalized_.size();) {
    char32_t c = unicode::next(normalized_, i);
    if (keep(c)) {
      if (have_last) dest.emplace_back(last, -removed);
      else removed_start = static_cast<size_t>(removed);
      last = c;
      have_last = true;
      removed = 0;
    } else {
      ++removed;
    }
  }
  if (have_last) dest.emplace_back(last, -removed);
  if (!have_last) {
    normalized_.clear();
    align_.clear();
    return;
  }
  transform(dest, removed_start);
}

void NormalizedString::map(const std::function<char32_t(char32_t)>& f) {
  std::vector<Change> dest;
  for (size_t i = 0; i < normalized_.size();) dest.emplace_back(f(unicode::next(normalized_, i)), 0);
  transform(dest, 0);
}

void NormalizedString::lowercase() {
  std::vector<Change> dest;
  for (size_t i = 0; i < normalized_.size();) {
    auto lower = unicode::to_lowercase(unicode::next(normalized_, i));
    for (size_t k = 0; k < lower.size(); ++k) dest.emplace_back(lower[k], k > 0 ? 1 : 0);
  }
  transform(dest, 0);
}

namespace {
// Canonical ordering (UAX #15) of a decomposed sequence, keeping each char's change with it.
void reorder(std::vector<NormalizedString::Change>& v);
}  // namespace

void NormalizedString::decompose(bool compatibility) {
  std::vector<Change> dest;
  for (size_t i = 0; i < normalized_.size();) {
    auto d = unicode::decompose(unicode::next(normalized_, i), compatibility);
    for (size_t k = 0; k < d.size(); ++k) dest.emplace_back(d[k], k > 0 ? 1 : 0);
  }
  reorder(dest);
  transform(dest, 0);
}

namespace {
// Composes canonically decomposed text. Since NFD(NFC(s)) = NFD(s), each composed char stands for
// exactly the chars of its own canonical decomposition: it replaces the first and removes the rest.
std::vector<NormalizedString::Change> compose(const std::string& text) {
  // Composes only (the text is already decomposed as tokenizers decomposes it), so a code point
  // tokenizers does not decompose is never taken apart here either.
  std::vector<utf8proc_int32_t> cps;
  for (size_t i = 0; i < text.size();) cps.push_back(static_cast<utf8proc_int32_t>(unicode::next(text, i)));
  std::vector<utf8proc_int32_t> composed = cps;
  utf8proc_ssize_t len = utf8proc_normalize_utf32(composed.data(), static_cast<utf8proc_ssize_t>(composed.size()),
                                                  static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (len < 0) len = static_cast<utf8proc_ssize_t>((composed = cps).size());
  std::vector<NormalizedString::Change> out;
  for (utf8proc_ssize_t k = 0; k < len; ++k) {
    auto c = static_cast<char32_t>(composed[static_cast<size_t>(k)]);
    size_t parts = unicode::decompose_latest(c, false).size();
    if (parts > 1 && !unicode::is_decomposable(c, false) &&
        std::find(cps.begin(), cps.end(), composed[static_cast<size_t>(k)]) == cps.end()) {
      // A composite of a later Unicode version than tokenizers' (U+11938, Unicode 13.0): its parts stay.
      for (char32_t part : unicode::decompose_latest(c, false)) out.emplace_back(part, 0);
      continue;
    }
    out.emplace_back(c, unicode::is_decomposable(c, false) ? 1 - static_cast<int>(parts) : 0);
  }
  return out;
}
}  // namespace

void NormalizedString::nfc() {
  nfd();
  transform(compose(normalized_), 0);
}

void NormalizedString::nfkc() {
  nfkd();
  transform(compose(normalized_), 0);
}

void NormalizedString::prepend(std::string_view s) {
  if (normalized_.empty() || s.empty()) return;
  size_t first_len = 0;
  char32_t first = unicode::next(normalized_, first_len);
  std::vector<Change> dest;
  size_t k = 0;
  for (size_t i = 0; i < s.size(); ++k) dest.emplace_back(unicode::next(s, i), k != 0 ? 1 : 0);
  dest.emplace_back(first, 1);
  transform_range(0, first_len, dest, 0);
}

void NormalizedString::append(std::string_view s) {
  if (normalized_.empty() || s.empty()) return;
  size_t last_start = normalized_.size() - 1;
  while (last_start > 0 && (static_cast<unsigned char>(normalized_[last_start]) & 0xC0) == 0x80) --last_start;
  size_t i = last_start;
  char32_t last = unicode::next(normalized_, i);
  std::vector<Change> dest = {{last, 0}};
  for (size_t j = 0; j < s.size();) dest.emplace_back(unicode::next(s, j), 1);
  transform_range(last_start, normalized_.size(), dest, 0);
}

void NormalizedString::lstrip() {
  size_t i = 0, removed = 0;
  while (i < normalized_.size()) {
    size_t before = i;
    if (!unicode::is_whitespace(unicode::next(normalized_, i))) {
      i = before;
      break;
    }
    ++removed;
  }
  if (removed == 0) return;
  std::vector<Change> dest;
  for (size_t j = i; j < normalized_.size();) dest.emplace_back(unicode::next(normalized_, j), 0);
  transform(dest, removed);
}

void NormalizedString::rstrip() {
  size_t end = normalized_.size();
  while (end > 0) {
    size_t start = end - 1;
    while (start > 0 && (static_cast<unsigned char>(normalized_[start]) & 0xC0) == 0x80) --start;
    size_t i = start;
    if (!unicode::is_whitespace(unicode::next(normalized_, i))) break;
    end = start;
  }
  if (end == normalized_.size()) return;
  if (end == 0) {
    normalized_.clear();
    align_.clear();
    return;
  }
  // The last kept char absorbs the stripped ones (change -n), as tokenizers does.
  size_t removed = unicode::count(std::string_view(normalized_).substr(end));
  std::vector<Change> dest;
  for (size_t j = 0; j < end;) dest.emplace_back(unicode::next(normalized_, j), 0);
  dest.back().second = -static_cast<int>(removed);
  transform(dest, 0);
}

void NormalizedString::replace(const Matches& matches, std::string_view content) {
  // tokenizers NormalizedString::replace removes each match's chars (initial_offset) and inserts the
  // replacement (+1 each), so every replacement byte takes the alignment of the match's last char
  // (the byte before the insertion point). Done in one linear pass instead of a transform per match.
  std::string out;
  std::vector<std::pair<uint32_t, uint32_t>> aligns;
  out.reserve(normalized_.size());
  aligns.reserve(normalized_.size());
  size_t copied = 0;
  for (const auto& [range, is_match] : matches) {
    if (!is_match) continue;
    auto [start, end] = range;
    out.append(normalized_, copied, start - copied);
    aligns.insert(aligns.end(), align_.begin() + static_cast<ptrdiff_t>(copied), align_.begin() + static_cast<ptrdiff_t>(start));
    std::pair<uint32_t, uint32_t> a =
        end > 0 ? align_[end - 1] : std::pair<uint32_t, uint32_t>(static_cast<uint32_t>(original_start_), static_cast<uint32_t>(original_start_));
    out.append(content);
    aligns.insert(aligns.end(), content.size(), a);
    copied = end;
  }
  if (copied == 0 && out.empty()) return;  // no match
  out.append(normalized_, copied, std::string::npos);
  aligns.insert(aligns.end(), align_.begin() + static_cast<ptrdiff_t>(copied), align_.end());
  normalized_ = std::move(out);
  align_ = std::move(aligns);
}

NormalizedString NormalizedString::slice(size_t start, size_t end) const {
  NormalizedString s;
  s.normalized_ = normalized_.substr(start, end - start);
  s.align_.assign(align_.begin() + static_cast<ptrdiff_t>(start), align_.begin() + static_cast<ptrdiff_t>(end));
  auto [os, oe] = original_range(start, end);
  s.original_start_ = os;
  s.original_end_ = oe;
  return s;
}

std::pair<size_t, size_t> NormalizedString::original_range(size_t start, size_t end) const {
  if (start >= end) {
    size_t at = start < align_.size() ? align_[start].first : original_end_;
    return {at, at};
  }
  size_t lo = SIZE_MAX, hi = 0;
  for (size_t i = start; i < end; ++i) {
    lo = std::min<size_t>(lo, align_[i].first);
    hi = std::max<size_t>(hi, align_[i].second);
  }
  return {lo, hi};
}

std::vector<NormalizedString> NormalizedString::split(const Matches& matches, SplitBehavior behavior) const {
  // tokenizers NormalizedString::split: (range, remove) pairs per behavior, then slices.
  std::vector<std::pair<std::pair<size_t, size_t>, bool>> splits;
  switch (behavior) {
    case SplitBehavior::kIsolated:
      for (const auto& [r, m] : matches) splits.push_back({r, false});
      break;
    case SplitBehavior::kRemoved:
      splits = matches;
      break;
    case SplitBehavior::kContiguous: {
      bool previous = false;
      for (const auto& [r, m] : matches) {
        if (m == previous && !splits.empty()) splits.back().first.second = r.second;
        else splits.push_back({r, false});
        previous = m;
      }
      break;
    }
    case SplitBehavior::kMergedWithPrevious: {
      bool previous = false;
      for (const auto& [r, m] : matches) {
        if (m && !previous && !splits.empty()) splits.back().first.second = r.second;
        else splits.push_back({r, false});
        previous = m;
      }
      break;
    }
    case SplitBehavior::kMergedWithNext: {
      bool previous = false;
      for (auto it = matches.rbegin(); it != matches.rend(); ++it) {
        if (it->second && !previous && !splits.empty()) splits.back().first.first = it->first.first;
        else splits.push_back({it->first, false});
        previous = it->second;
      }
      std::reverse(splits.begin(), splits.end());
      break;
    }
  }
  std::vector<NormalizedString> out;
  for (const auto& [r, remove] : splits)
    if (!remove) out.push_back(slice(r.first, r.second));
  return out;
}

Matches find_char_matches(std::string_view s, const std::function<bool(char32_t)>& is_match) {
  if (s.empty()) return {{{0, 0}, false}};
  Matches out;
  size_t last = 0;
  for (size_t i = 0; i < s.size();) {
    size_t start = i;
    char32_t c = unicode::next(s, i);
    if (!is_match(c)) continue;
    if (last < start) out.push_back({{last, start}, false});
    out.push_back({{start, i}, true});
    last = i;
  }
  if (last < s.size()) out.push_back({{last, s.size()}, false});
  return out;
}

Matches find_string_matches(std::string_view s, std::string_view needle) {
  if (s.empty()) return {{{0, 0}, false}};
  if (needle.empty()) return {{{0, s.size()}, false}};
  Matches out;
  size_t prev = 0, pos = 0;
  while ((pos = s.find(needle, pos)) != std::string_view::npos) {
    if (prev < pos) out.push_back({{prev, pos}, false});
    out.push_back({{pos, pos + needle.size()}, true});
    prev = pos = pos + needle.size();
  }
  if (prev < s.size()) out.push_back({{prev, s.size()}, false});
  return out;
}

namespace {
void reorder(std::vector<NormalizedString::Change>& v) {
  // Stable sort of each run of non-starters by canonical combining class.
  auto ccc = [](char32_t c) { return utf8proc_get_property(static_cast<utf8proc_int32_t>(c))->combining_class; };
  size_t i = 0;
  while (i < v.size()) {
    if (ccc(v[i].first) == 0) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < v.size() && ccc(v[j].first) != 0) ++j;
    std::stable_sort(v.begin() + static_cast<ptrdiff_t>(i), v.begin() + static_cast<ptrdiff_t>(j),
                     [&](const auto& a, const auto& b) { return ccc(a.first) < ccc(b.first); });
    i = j;
  }
}
}  // namespace

}  // namespace modelexport::processors
