// Compact token <-> id maps for the models: every token in one string arena, an open-addressing hash
// table of ids, and (offset, length) per id. About 12 bytes per token plus the token text, instead
// of a node-based map's ~70. Lookups take string_views and never allocate.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "processors/tokenizers/json_access.h"

namespace modelexport::processors {

class Vocab {
 public:
  Vocab() = default;
  // From {"token": id, ...} (simdjson, straight from tokenizer.json).
  static Vocab from_object(simdjson::dom::element j, const std::string& path);
  // Reserve for n tokens before add().
  void reserve(size_t n, size_t text_bytes);
  // Insert or replace (a repeated token: the last id wins, as in tokenizers' maps).
  void add(std::string_view token, int32_t id);
  std::optional<int32_t> id(std::string_view token) const;
  std::optional<std::string> token(int32_t id) const;
  std::optional<std::string_view> token_view(int32_t id) const;
  size_t size() const { return count_; }
  size_t memory_bytes() const;
  // The ids of "<0xXX>" for every byte of `piece` (byte fallback), or nullopt if one is missing.
  std::optional<std::vector<int32_t>> byte_fallback(std::string_view piece) const;

 private:
  static uint64_t hash(std::string_view s);
  void grow();
  std::string_view text_of(int32_t id) const { return std::string_view(arena_).substr(spans_[static_cast<size_t>(id)].first, spans_[static_cast<size_t>(id)].second); }

  std::string arena_;
  std::vector<std::pair<uint32_t, uint32_t>> spans_;  // per id: (offset, length) in arena_; length UINT32_MAX = none
  std::vector<int32_t> slots_;                        // open addressing, -1 empty
  size_t count_ = 0;
};

// uint64 key -> (rank, id) with open addressing (BPE merges).
class PairTable {
 public:
  struct Value {
    uint32_t rank;
    int32_t id;
  };
  void reserve(size_t n);
  void put(uint64_t key, Value v);
  const Value* find(uint64_t key) const {
    if (keys_.empty()) return nullptr;
    size_t mask = keys_.size() - 1;
    for (size_t i = mix(key) & mask;; i = (i + 1) & mask) {
      if (keys_[i] == kEmpty) return nullptr;
      if (keys_[i] == key) return &values_[i];
    }
  }
  size_t memory_bytes() const { return keys_.size() * (sizeof(uint64_t) + sizeof(Value)); }

 private:
  static constexpr uint64_t kEmpty = ~0ull;
  static size_t mix(uint64_t k) {  // splitmix64's finalizer: every key bit reaches the low bits
    k ^= k >> 30;
    k *= 0xBF58476D1CE4E5B9ull;
    k ^= k >> 27;
    k *= 0x94D049BB133111EBull;
    return static_cast<size_t>(k ^ (k >> 31));
  }
  std::vector<uint64_t> keys_;
  std::vector<Value> values_;
  size_t count_ = 0;
};

}  // namespace modelexport::processors
