#include "processors/tokenizers/added_vocabulary.h"

#include "processors/tokenizers/unicode.h"

namespace modelexport::processors {

void AddedVocabulary::Trie::add(std::string_view pattern, int token) {
  if (pattern.empty()) return;
  int n = 0;
  for (unsigned char c : pattern) {
    auto it = nodes[static_cast<size_t>(n)].next.find(c);
    if (it == nodes[static_cast<size_t>(n)].next.end()) {
      nodes.emplace_back();
      int fresh = static_cast<int>(nodes.size()) - 1;
      nodes[static_cast<size_t>(n)].next[c] = fresh;
      n = fresh;
    } else {
      n = it->second;
    }
  }
  if (nodes[static_cast<size_t>(n)].token < 0) nodes[static_cast<size_t>(n)].token = token;
}

std::pair<int, size_t> AddedVocabulary::Trie::longest(std::string_view s, size_t pos) const {
  std::pair<int, size_t> best{-1, 0};
  int n = 0;
  for (size_t i = pos; i < s.size(); ++i) {
    auto it = nodes[static_cast<size_t>(n)].next.find(static_cast<unsigned char>(s[i]));
    if (it == nodes[static_cast<size_t>(n)].next.end()) break;
    n = it->second;
    if (nodes[static_cast<size_t>(n)].token >= 0) best = {nodes[static_cast<size_t>(n)].token, i + 1 - pos};
  }
  return best;
}

AddedVocabulary::AddedVocabulary(std::vector<AddedToken> tokens, const Normalizer* normalizer) : tokens_(std::move(tokens)) {
  for (size_t i = 0; i < tokens_.size(); ++i) {
    by_content_.emplace(tokens_[i].content, i);
    by_id_.emplace(tokens_[i].id, i);
    const AddedToken& t = tokens_[i];
    if (t.normalized) {
      NormalizedString n(t.content);
      if (normalizer) normalizer->normalize(n);
      normalized_.add(n.get(), static_cast<int>(i));
    } else {
      raw_.add(t.content, static_cast<int>(i));
    }
  }
}

std::optional<int32_t> AddedVocabulary::id(std::string_view content) const {
  auto it = by_content_.find(std::string(content));
  if (it == by_content_.end()) return std::nullopt;
  return tokens_[it->second].id;
}

bool AddedVocabulary::is_special(std::string_view content) const {
  auto it = by_content_.find(std::string(content));
  return it != by_content_.end() && tokens_[it->second].special;
}

const AddedToken* AddedVocabulary::by_id(int32_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &tokens_[it->second];
}

namespace {
bool is_word_char(char32_t c) { return unicode::is_alphabetic(c) || unicode::is_numeric(c) || c == '_'; }
char32_t last_char(std::string_view s) {
  size_t i = s.size() - 1;
  while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  return unicode::next(s, i);
}
}  // namespace

std::vector<Split> AddedVocabulary::split_with(NormalizedString&& s, const Trie& trie) const {
  const std::string& text = s.get();
  std::vector<std::pair<int, std::pair<size_t, size_t>>> found;  // (token index or -1, byte range)
  size_t start_offset = 0, pos = 0;
  while (pos < text.size()) {
    auto [token, len] = trie.longest(text, pos);
    if (token < 0) {
      ++pos;
      while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) ++pos;
      continue;
    }
    size_t start = pos, stop = pos + len;
    pos = stop;  // matches do not overlap, whether kept or discarded
    const AddedToken& t = tokens_[static_cast<size_t>(token)];
    if (t.single_word) {
      bool start_space = start == 0 || !is_word_char(last_char(std::string_view(text).substr(0, start)));
      size_t k = stop;
      bool stop_space = stop == text.size() || !is_word_char(unicode::next(text, k));
      if (!start_space || !stop_space) continue;
    }
    if (t.lstrip) {
      size_t ns = start;
      while (ns > 0) {
        size_t b = ns - 1;
        while (b > 0 && (static_cast<unsigned char>(text[b]) & 0xC0) == 0x80) --b;
        size_t k = b;
        if (!unicode::is_whitespace(unicode::next(text, k))) break;
        ns = b;
      }
      start = std::max(ns, start_offset);
    }
    if (t.rstrip) {
      while (stop < text.size()) {
        size_t k = stop;
        if (!unicode::is_whitespace(unicode::next(text, k))) break;
        stop = k;
      }
      pos = stop;
    }
    if (start_offset < start) found.push_back({-1, {start_offset, start}});
    found.push_back({token, {start, stop}});
    start_offset = stop;
  }
  if (start_offset != text.size() || text.empty()) found.push_back({-1, {start_offset, text.size()}});
  std::vector<Split> out;
  for (const auto& [token, range] : found) {
    NormalizedString piece = s.slice(range.first, range.second);
    if (token >= 0) {
      // The token's value is the matched text, stripped spaces included (as tokenizers does).
      std::string value = piece.get();
      out.push_back({std::move(piece), std::vector<Token>{{tokens_[static_cast<size_t>(token)].id, value, {0, value.size()}}}});
    } else {
      out.push_back({std::move(piece), std::nullopt});
    }
  }
  return out;
}

void AddedVocabulary::extract_and_normalize(PreTokenizedString& s, const Normalizer* normalizer) const {
  s.split([&](size_t, NormalizedString&& piece) { return split_with(std::move(piece), raw_); });
  s.split([&](size_t, NormalizedString&& piece) {
    if (normalizer) normalizer->normalize(piece);
    return split_with(std::move(piece), normalized_);
  });
}

}  // namespace modelexport::processors
