// tokenizers models/bpe/{model,word}.rs: chars (with continuing_subword_prefix / end_of_word_suffix)
// become symbols, unknown ones byte-fallback tokens <0xXX> or unk (fused when fuse_unk), then merges
// apply lowest rank first, leftmost first among equal ranks.
#include <queue>

#include "modelexport/common/limits.h"
#include "processors/tokenizers/models/models.h"
#include "processors/tokenizers/models/simdjson_access.h"
#include "processors/tokenizers/models/vocab.h"

namespace modelexport::processors::models {
namespace {

uint64_t pair_key(int32_t a, int32_t b) { return static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32 | static_cast<uint32_t>(b); }

struct Symbol {
  int32_t id;
  int prev, next;
  size_t len;  // bytes of the original piece
};

class Bpe : public Model {
 public:
  Bpe(Vocab vocab, PairTable merges, std::optional<std::string> unk, std::string prefix,
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
      out.push_back({s.id, std::string(*vocab_.token_view(s.id)), {offset, offset + s.len}});
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
        if (auto ids = vocab_.byte_fallback(s)) {
          flush_unk();
          for (int32_t id : *ids) add(id, 1);
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
      if (const auto* m = merges_.find(pair_key(word[i].id, word[i + 1].id))) queue.push({m->rank, i, m->id});
    while (!queue.empty()) {
      Candidate top = queue.top();
      queue.pop();
      Symbol& cur = word[top.pos];
      if (cur.len == 0 || cur.next == -1) continue;
      size_t next_pos = static_cast<size_t>(cur.next);
      Symbol right = word[next_pos];
      const auto* m = merges_.find(pair_key(cur.id, right.id));
      if (!m || m->id != top.new_id) continue;  // an outdated entry
      cur.id = top.new_id;
      cur.len += right.len;
      cur.next = right.next;
      word[next_pos].len = 0;
      if (right.next >= 0 && static_cast<size_t>(right.next) < word.size()) word[static_cast<size_t>(right.next)].prev = static_cast<int>(top.pos);
      if (cur.prev >= 0)
        if (const auto* p = merges_.find(pair_key(word[static_cast<size_t>(cur.prev)].id, cur.id)))
          queue.push({p->rank, static_cast<size_t>(cur.prev), p->id});
      if (cur.next >= 0 && static_cast<size_t>(cur.next) < word.size())
        if (const auto* n = merges_.find(pair_key(cur.id, word[static_cast<size_t>(cur.next)].id)))
          queue.push({n->rank, top.pos, n->id});
    }
  }

  Vocab vocab_;
  PairTable merges_;
  std::optional<std::string> unk_;
  std::string prefix_, suffix_;
  bool fuse_unk_, byte_fallback_, ignore_merges_;
};

}  // namespace

std::unique_ptr<Model> make_bpe(simdjson::dom::element j, const std::string& path) {
  Vocab vocab = Vocab::from_object(sj::required(j, "vocab", path), path + ".vocab");
  std::string prefix = sj::string_or(j, "continuing_subword_prefix", path, "");
  simdjson::dom::array list;
  if (sj::required(j, "merges", path).get(list)) json::fail(path + ".merges", "expected an array");
  if (!within_limit(kMaxMerges, list.size())) json::fail(path + ".merges", limit_exceeded(kMaxMerges, list.size()));
  PairTable merges;
  merges.reserve(list.size());
  std::string merged;
  size_t i = 0;
  for (simdjson::dom::element m : list) {
    auto where = [&] { return path + ".merges[" + std::to_string(i) + "]"; };
    std::string_view a, b, s;
    simdjson::dom::array pair;
    if (!m.get(s)) {  // "a b"
      size_t space = s.find(' ');
      if (space == std::string_view::npos || s.find(' ', space + 1) != std::string_view::npos)
        json::fail(where(), "expected two tokens separated by one space");
      a = s.substr(0, space);
      b = s.substr(space + 1);
    } else if (!m.get(pair) && pair.size() == 2 && !pair.at(0).get(a) && !pair.at(1).get(b)) {  // ["a", "b"]
    } else {
      json::fail(where(), "expected \"a b\" or [\"a\", \"b\"]");
    }
    auto ia = vocab.id(a), ib = vocab.id(b);
    if (!ia) json::fail(where(), "token \"" + std::string(a) + "\" is not in the vocabulary");
    if (!ib) json::fail(where(), "token \"" + std::string(b) + "\" is not in the vocabulary");
    merged.assign(a);
    merged.append(b.substr(0, prefix.size()) == prefix ? b.substr(prefix.size()) : b);
    auto id = vocab.id(merged);
    if (!id) json::fail(where(), "the merged token \"" + merged + "\" is not in the vocabulary");
    merges.put(pair_key(*ia, *ib), {static_cast<uint32_t>(i), *id});  // a repeated pair: the last wins, as in tokenizers
    ++i;
  }
  return std::make_unique<Bpe>(std::move(vocab), std::move(merges), sj::optional_string(j, "unk_token", path), prefix,
                               sj::string_or(j, "end_of_word_suffix", path, ""), sj::bool_or(j, "fuse_unk", path, false),
                               sj::bool_or(j, "byte_fallback", path, false), sj::bool_or(j, "ignore_merges", path, false));
}

}  // namespace modelexport::processors::models
