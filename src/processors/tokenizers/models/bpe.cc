// tokenizers models/bpe/{model,word}.rs: chars (with continuing_subword_prefix / end_of_word_suffix)
// become symbols, unknown ones byte-fallback tokens <0xXX> or unk (fused when fuse_unk), then merges
// apply lowest rank first, leftmost first among equal ranks.
#include <queue>

#include "processors/tokenizers/json_access.h"
#include "processors/tokenizers/models/models.h"
#include "processors/tokenizers/models/vocab.h"

namespace modelexport::processors::models {
namespace {

struct PairHash {
  size_t operator()(uint64_t k) const { return std::hash<uint64_t>{}(k * 0x9E3779B97F4A7C15ull); }
};
uint64_t pair_key(int32_t a, int32_t b) { return static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32 | static_cast<uint32_t>(b); }

struct Symbol {
  int32_t id;
  int prev, next;
  size_t len;  // bytes of the original piece
};

class Bpe : public Model {
 public:
  struct Merge {
    uint32_t rank;
    int32_t new_id;
  };
  Bpe(Vocab vocab, std::unordered_map<uint64_t, Merge, PairHash> merges, std::optional<std::string> unk, std::string prefix,
      std::string suffix, bool fuse_unk, bool byte_fallback, bool ignore_merges)
      : vocab_(std::move(vocab)), merges_(std::move(merges)), unk_(std::move(unk)), prefix_(std::move(prefix)),
        suffix_(std::move(suffix)), fuse_unk_(fuse_unk), byte_fallback_(byte_fallback), ignore_merges_(ignore_merges) {}

  std::vector<Token> tokenize(std::string_view seq) const override {
    if (seq.empty()) return {};
    if (ignore_merges_)
      if (auto id = vocab_.id(seq)) return {{*id, std::string(seq), {0, seq.size()}}};
    std::vector<Symbol> word = initial_symbols(seq);
    merge_all(word);
    std::vector<Token> out;
    size_t offset = 0;
    for (const auto& s : word) {
      if (s.len == 0) continue;
      out.push_back({s.id, *vocab_.token(s.id), {offset, offset + s.len}});
      offset += s.len;
    }
    return out;
  }

  std::optional<int32_t> token_to_id(std::string_view t) const override { return vocab_.id(t); }
  std::optional<std::string> id_to_token(int32_t id) const override { return vocab_.token(id); }
  size_t vocab_size() const override { return vocab_.size(); }

 private:
  std::vector<Symbol> initial_symbols(std::string_view w) const {
    std::vector<Symbol> word;
    auto add = [&](int32_t id, size_t len) {
      int idx = static_cast<int>(word.size());
      word.push_back({id, idx - 1, idx + 1, len});
    };
    // A pending unk piece (id, bytes), flushed before the next known symbol.
    bool has_unk = false;
    int32_t unk_id_pending = 0;
    size_t unk_len = 0;
    auto flush_unk = [&] {
      if (has_unk) add(unk_id_pending, unk_len);
      has_unk = false;
    };
    std::string s;
    for (size_t i = 0; i < w.size();) {
      size_t len = (static_cast<unsigned char>(w[i]) < 0x80) ? 1 : (static_cast<unsigned char>(w[i]) >= 0xF0) ? 4
                   : (static_cast<unsigned char>(w[i]) >= 0xE0) ? 3 : 2;
      bool first = i == 0, last = i + len >= w.size();
      s.assign(first ? "" : prefix_);
      s.append(w.substr(i, len));
      if (last) s.append(suffix_);
      i += len;
      if (auto id = vocab_.id(s)) {
        flush_unk();
        add(*id, len);
        continue;
      }
      if (byte_fallback_) {
        std::vector<int32_t> ids;
        char code[8];
        for (unsigned char b : s) {
          std::snprintf(code, sizeof code, "<0x%02X>", b);
          auto id = vocab_.id(code);
          if (!id) break;
          ids.push_back(*id);
        }
        if (ids.size() == s.size()) {
          flush_unk();
          for (int32_t id : ids) add(id, 1);
          continue;
        }
      }
      if (unk_) {
        auto unk_id = vocab_.id(*unk_);
        if (!unk_id) throw ProcessorReconstructionError("BPE: the unk token \"" + *unk_ + "\" is not in the vocabulary");
        if (has_unk && fuse_unk_) {
          unk_len += len;
        } else {
          flush_unk();
          has_unk = true;
          unk_id_pending = *unk_id;
          unk_len = len;
        }
      }
    }
    flush_unk();
    if (!word.empty()) word.back().next = -1;
    return word;
  }

  void merge_all(std::vector<Symbol>& word) const {
    struct Candidate {
      uint32_t rank;
      size_t pos;
      int32_t new_id;
      bool operator<(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }  // min-heap
    };
    std::priority_queue<Candidate> queue;
    for (size_t i = 0; i + 1 < word.size(); ++i)
      if (auto it = merges_.find(pair_key(word[i].id, word[i + 1].id)); it != merges_.end())
        queue.push({it->second.rank, i, it->second.new_id});
    while (!queue.empty()) {
      Candidate top = queue.top();
      queue.pop();
      Symbol& cur = word[top.pos];
      if (cur.len == 0 || cur.next == -1) continue;
      size_t next_pos = static_cast<size_t>(cur.next);
      Symbol right = word[next_pos];
      auto it = merges_.find(pair_key(cur.id, right.id));
      if (it == merges_.end() || it->second.new_id != top.new_id) continue;  // an outdated entry
      cur.id = top.new_id;
      cur.len += right.len;
      cur.next = right.next;
      word[next_pos].len = 0;
      if (right.next >= 0 && static_cast<size_t>(right.next) < word.size()) word[static_cast<size_t>(right.next)].prev = static_cast<int>(top.pos);
      if (cur.prev >= 0)
        if (auto p = merges_.find(pair_key(word[static_cast<size_t>(cur.prev)].id, cur.id)); p != merges_.end())
          queue.push({p->second.rank, static_cast<size_t>(cur.prev), p->second.new_id});
      if (cur.next >= 0 && static_cast<size_t>(cur.next) < word.size())
        if (auto n = merges_.find(pair_key(cur.id, word[static_cast<size_t>(cur.next)].id)); n != merges_.end())
          queue.push({n->second.rank, top.pos, n->second.new_id});
    }
  }

  Vocab vocab_;
  std::unordered_map<uint64_t, Merge, PairHash> merges_;
  std::optional<std::string> unk_;
  std::string prefix_, suffix_;
  bool fuse_unk_, byte_fallback_, ignore_merges_;
};

}  // namespace

std::unique_ptr<Model> make_bpe(const Json& j, const std::string& path) {
  Vocab vocab = Vocab::from_object(json::field(j, "vocab", path), path + ".vocab");
  std::string prefix = json::string_or(j, "continuing_subword_prefix", path, "");
  std::unordered_map<uint64_t, Bpe::Merge, PairHash> merges;
  const Json& list = json::field(j, "merges", path);
  if (!list.is_array()) json::fail(path + ".merges", "expected an array");
  merges.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    std::string where = path + ".merges[" + std::to_string(i) + "]";
    std::string a, b;
    const Json& m = list[i];
    if (m.is_string()) {  // "a b"
      std::string s = m.get<std::string>();
      size_t space = s.find(' ');
      if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos)
        json::fail(where, "expected two tokens separated by one space");
      a = s.substr(0, space);
      b = s.substr(space + 1);
    } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {  // ["a", "b"]
      a = m[0].get<std::string>();
      b = m[1].get<std::string>();
    } else {
      json::fail(where, "expected \"a b\" or [\"a\", \"b\"]");
    }
    auto ia = vocab.id(a), ib = vocab.id(b);
    if (!ia) json::fail(where, "token \"" + a + "\" is not in the vocabulary");
    if (!ib) json::fail(where, "token \"" + b + "\" is not in the vocabulary");
    std::string merged = a + (b.compare(0, prefix.size(), prefix) == 0 ? b.substr(prefix.size()) : b);
    auto id = vocab.id(merged);
    if (!id) json::fail(where, "the merged token \"" + merged + "\" is not in the vocabulary");
    merges[pair_key(*ia, *ib)] = Bpe::Merge{static_cast<uint32_t>(i), *id};  // a repeated pair: the last wins, as in tokenizers
  }
  std::optional<std::string> unk;
  if (j.contains("unk_token") && j["unk_token"].is_string()) unk = j["unk_token"].get<std::string>();
  return std::make_unique<Bpe>(std::move(vocab), std::move(merges), unk, prefix,
                               json::string_or(j, "end_of_word_suffix", path, ""), json::bool_or(j, "fuse_unk", path, false),
                               json::bool_or(j, "byte_fallback", path, false), json::bool_or(j, "ignore_merges", path, false));
}

}  // namespace modelexport::processors::models
