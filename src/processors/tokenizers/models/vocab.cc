#include "processors/tokenizers/models/vocab.h"

#include <cstdio>

#include "modelexport/common/limits.h"

namespace modelexport::processors {

uint64_t Vocab::hash(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h ^ (h >> 29);
}

void Vocab::reserve(size_t n, size_t text_bytes) {
  arena_.reserve(text_bytes);
  spans_.reserve(n);
  size_t cap = 16;
  while (cap < n * 2) cap <<= 1;
  slots_.assign(cap, -1);
}

void Vocab::grow() {
  std::vector<int32_t> old = std::move(slots_);
  slots_.assign(std::max<size_t>(16, old.size() * 2), -1);
  size_t mask = slots_.size() - 1;
  for (int32_t id : old) {
    if (id < 0) continue;
    size_t i = hash(text_of(id)) & mask;
    while (slots_[i] >= 0) i = (i + 1) & mask;
    slots_[i] = id;
  }
}

void Vocab::add(std::string_view token, int32_t id) {
  if (id < 0) return;
  if ((count_ + 1) * 2 > slots_.size()) grow();
  if (static_cast<size_t>(id) >= spans_.size()) spans_.resize(static_cast<size_t>(id) + 1, {0, UINT32_MAX});
  size_t mask = slots_.size() - 1;
  size_t i = hash(token) & mask;
  for (; slots_[i] >= 0; i = (i + 1) & mask) {
    if (text_of(slots_[i]) == token) {  // a repeated token: the last id wins
      spans_[static_cast<size_t>(id)] = spans_[static_cast<size_t>(slots_[i])];
      slots_[i] = id;
      return;
    }
  }
  spans_[static_cast<size_t>(id)] = {static_cast<uint32_t>(arena_.size()), static_cast<uint32_t>(token.size())};
  arena_.append(token);
  slots_[i] = id;
  ++count_;
}

std::optional<int32_t> Vocab::id(std::string_view token) const {
  if (slots_.empty()) return std::nullopt;
  size_t mask = slots_.size() - 1;
  for (size_t i = hash(token) & mask; slots_[i] >= 0; i = (i + 1) & mask)
    if (text_of(slots_[i]) == token) return slots_[i];
  return std::nullopt;
}

std::optional<std::string_view> Vocab::token_view(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= spans_.size() || spans_[static_cast<size_t>(id)].second == UINT32_MAX) return std::nullopt;
  return text_of(id);
}

std::optional<std::string> Vocab::token(int32_t id) const {
  auto v = token_view(id);
  return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
}

std::optional<std::vector<int32_t>> Vocab::byte_fallback(std::string_view piece) const {
  std::vector<int32_t> ids;
  ids.reserve(piece.size());
  char code[8];
  for (unsigned char b : piece) {
    std::snprintf(code, sizeof code, "<0x%02X>", b);
    auto id = this->id(code);
    if (!id) return std::nullopt;
    ids.push_back(*id);
  }
  return ids;
}

size_t Vocab::memory_bytes() const {
  return arena_.capacity() + spans_.capacity() * sizeof(spans_[0]) + slots_.capacity() * sizeof(int32_t);
}

Vocab Vocab::from_object(simdjson::dom::element j, const std::string& path) {
  simdjson::dom::object obj;
  if (j.get(obj)) json::fail(path, "expected an object of token: id");
  Vocab v;
  size_t n = 0, bytes = 0;
  for (auto field : obj) {
    ++n;
    bytes += field.key.size();
  }
  if (!within_limit(kMaxVocabSize, n)) json::fail(path, limit_exceeded(kMaxVocabSize, n));
  v.reserve(n, bytes);
  const uint64_t max_id = limit_value(kMaxVocabSize);
  for (auto field : obj) {
    int64_t id;
    if (field.value.get(id)) json::fail(path + "." + std::string(field.key), "expected an integer id");
    // Ids index a dense table (spans_): an id past the cap would allocate 8 bytes per id below it.
    if (id >= 0 && static_cast<uint64_t>(id) >= max_id)
      json::fail(path + "." + std::string(field.key), "id " + std::to_string(id) + " is not below the limit of " +
                                                          std::to_string(max_id) + " " + kMaxVocabSize.unit + " (" +
                                                          kMaxVocabSize.env_var + " raises it)");
    v.add(field.key, static_cast<int32_t>(id));
  }
  return v;
}

void PairTable::reserve(size_t n) {
  size_t cap = 16;
  while (cap < n * 2) cap <<= 1;
  keys_.assign(cap, kEmpty);
  values_.assign(cap, {0, 0});
}

void PairTable::put(uint64_t key, Value v) {
  if ((count_ + 1) * 2 > keys_.size()) {
    std::vector<uint64_t> old_keys = std::move(keys_);
    std::vector<Value> old_values = std::move(values_);
    reserve(std::max<size_t>(8, old_keys.size()));
    count_ = 0;
    for (size_t i = 0; i < old_keys.size(); ++i)
      if (old_keys[i] != kEmpty) put(old_keys[i], old_values[i]);
  }
  size_t mask = keys_.size() - 1;
  size_t i = mix(key) & mask;
  while (keys_[i] != kEmpty && keys_[i] != key) i = (i + 1) & mask;
  if (keys_[i] == kEmpty) ++count_;
  keys_[i] = key;
  values_[i] = v;
}

}  // namespace modelexport::processors
