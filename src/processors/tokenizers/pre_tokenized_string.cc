#include "processors/tokenizers/components.h"

namespace modelexport::processors {

void PreTokenizedString::split(const std::function<std::vector<Split>(size_t, NormalizedString&&)>& f) {
  std::vector<Split> out;
  out.reserve(splits.size());
  for (size_t i = 0; i < splits.size(); ++i) {
    if (splits[i].tokens) {
      out.push_back(std::move(splits[i]));
      continue;
    }
    for (auto& piece : f(i, std::move(splits[i].normalized)))
      if (!piece.normalized.empty()) out.push_back(std::move(piece));
  }
  splits = std::move(out);
}

void PreTokenizedString::normalize(const std::function<void(NormalizedString&)>& f) {
  for (auto& s : splits)
    if (!s.tokens) f(s.normalized);
}

namespace {
void append_plain(Encoding& to, const Encoding& from) {
  to.ids.insert(to.ids.end(), from.ids.begin(), from.ids.end());
  to.tokens.insert(to.tokens.end(), from.tokens.begin(), from.tokens.end());
  to.offsets.insert(to.offsets.end(), from.offsets.begin(), from.offsets.end());
  to.type_ids.insert(to.type_ids.end(), from.type_ids.begin(), from.type_ids.end());
  to.attention_mask.insert(to.attention_mask.end(), from.attention_mask.begin(), from.attention_mask.end());
  to.special_tokens_mask.insert(to.special_tokens_mask.end(), from.special_tokens_mask.begin(), from.special_tokens_mask.end());
  to.word_ids.insert(to.word_ids.end(), from.word_ids.begin(), from.word_ids.end());
  to.sequence_ids.insert(to.sequence_ids.end(), from.sequence_ids.begin(), from.sequence_ids.end());
}
}  // namespace

// tokenizers Encoding::merge_with: every combination of the two sides' overflowing windows becomes
// an overflowing encoding of the result.
void append_encoding(Encoding& to, const Encoding& from) {
  std::vector<Encoding> overflowing;
  for (const auto& mine : to.overflowing) {
    Encoding n = mine;
    append_encoding(n, from);
    overflowing.push_back(std::move(n));
    for (const auto& theirs : from.overflowing) {
      Encoding m = mine;
      append_encoding(m, theirs);
      overflowing.push_back(std::move(m));
    }
  }
  for (const auto& theirs : from.overflowing) {
    Encoding n = to;
    n.overflowing.clear();
    append_encoding(n, theirs);
    overflowing.push_back(std::move(n));
  }
  append_plain(to, from);
  to.overflowing = std::move(overflowing);
}

Encoding special_token_encoding(const std::vector<int32_t>& ids, const std::vector<std::string>& tokens, int32_t type_id) {
  Encoding e;
  e.ids = ids;
  e.tokens = tokens;
  e.offsets.assign(ids.size(), {0, 0});
  e.type_ids.assign(ids.size(), type_id);
  e.attention_mask.assign(ids.size(), 1);
  e.special_tokens_mask.assign(ids.size(), 1);
  e.word_ids.assign(ids.size(), std::nullopt);
  e.sequence_ids.assign(ids.size(), UINT32_MAX);
  return e;
}

}  // namespace modelexport::processors
