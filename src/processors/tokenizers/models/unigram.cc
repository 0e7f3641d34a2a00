// tokenizers models/unigram/model.rs (encode_optimized): Viterbi over the pieces that start at each
// char (a byte trie of the vocabulary); a char no piece covers is the unk piece with score
// min_score - 10; consecutive unk pieces fuse; byte_fallback turns unknown pieces into <0xXX>.
#include <algorithm>
#include <array>
#include <cfloat>

#include "modelexport/common/limits.h"
#include "processors/tokenizers/models/models.h"
#include "processors/tokenizers/models/simdjson_access.h"
#include "processors/tokenizers/models/vocab.h"

namespace modelexport::processors::models {
namespace {

class Unigram : public Model {
 public:
  Unigram(std::vector<std::pair<std::string, double>> pieces, std::optional<int32_t> unk_id, bool byte_fallback, bool fuse_unk)
      : unk_id_(unk_id), byte_fallback_(byte_fallback), fuse_unk_(fuse_unk) {
    size_t text = 0;
    for (const auto& p : pieces) text += p.first.size();
    vocab_.reserve(pieces.size(), text);
    scores_.reserve(pieces.size());
    min_score_ = DBL_MAX;
    for (size_t i = 0; i < pieces.size(); ++i) {
      vocab_.add(pieces[i].first, static_cast<int32_t>(i));
      scores_.push_back(pieces[i].second);
      min_score_ = std::min(min_score_, pieces[i].second);
    }
    build_trie(pieces);
  }

  std::vector<Token> tokenize(std::string_view s) const override {
    std::vector<Token> out;
    size_t offset = 0;
    for (auto& [piece, known] : encode(s)) {
      size_t len = piece.size();
      std::optional<int32_t> id = known >= 0 ? std::optional<int32_t>(known) : vocab_.id(piece);
      if (id) {
        out.push_back({*id, std::move(piece), {offset, offset + len}});
      } else {
        bool done = false;
        if (byte_fallback_) {
          if (auto ids = vocab_.byte_fallback(piece)) {
            for (int32_t bid : *ids) out.push_back({bid, *vocab_.token(bid), {offset, offset + len}});
            done = true;
          }
        }
        if (!done) {
          if (!unk_id_) throw ProcessorReconstructionError("Unigram: a piece is unknown and the model has no unk_id");
          out.push_back({*unk_id_, std::move(piece), {offset, offset + len}});
        }
      }
      offset += len;
    }
    return out;
  }

  std::optional<int32_t> token_to_id(std::string_view t) const override { return vocab_.id(t); }
  std::optional<std::string> id_to_token(int32_t id) const override { return vocab_.token(id); }
  size_t vocab_size() const override { return scores_.size(); }

 private:
  // A byte trie of the pieces, built from the sorted pieces in one pass: nodes are created in
  // depth-first order and each node's children come out in byte order, so a counting sort by parent
  // yields flat child arrays. A repeated piece keeps the last id (as token_to_ids does).
  void build_trie(const std::vector<std::pair<std::string, double>>& pieces) {
    std::vector<uint32_t> order(pieces.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return pieces[a].first < pieces[b].first; });
    struct Edge {
      uint32_t parent;
      uint8_t byte;
      uint32_t child;
    };
    std::vector<Edge> edges;
    std::vector<uint32_t> path = {0};  // node per depth for the previous piece
    std::string_view prev;
    node_piece_.assign(1, -1);
    for (uint32_t id : order) {
      std::string_view p = pieces[id].first;
      if (p.empty()) continue;
      size_t common = 0;
      while (common < p.size() && common < prev.size() && p[common] == prev[common]) ++common;
      path.resize(common + 1);
      for (size_t k = common; k < p.size(); ++k) {
        uint32_t child = static_cast<uint32_t>(node_piece_.size());
        node_piece_.push_back(-1);
        edges.push_back({path.back(), static_cast<uint8_t>(p[k]), child});
        path.push_back(child);
      }
      node_piece_[path.back()] = static_cast<int32_t>(id);
      prev = p;
    }
    if (node_piece_.size() >= (1u << 24)) throw ProcessorReconstructionError("Unigram: the vocabulary's trie is too large");
    first_.assign(node_piece_.size() + 1, 0);
    for (const auto& e : edges) ++first_[e.parent + 1];
    for (size_t n = 1; n < first_.size(); ++n) first_[n] += first_[n - 1];
    children_.assign(edges.size(), 0);
    std::vector<uint32_t> fill(first_.begin(), first_.end() - 1);
    for (const auto& e : edges) children_[fill[e.parent]++] = static_cast<uint32_t>(e.byte) << 24 | e.child;
    root_.fill(0);
    for (uint32_t k = first_[0]; k < first_[1]; ++k) root_[children_[k] >> 24] = children_[k] & 0xFFFFFF;
  }

  // Child of `node` by byte `b`, 0 when absent (0 is the root, never a child).
  uint32_t child(uint32_t node, uint8_t b) const {
    if (node == 0) return root_[b];
    auto begin = children_.begin() + first_[node], end = children_.begin() + first_[node + 1];
    auto it = std::lower_bound(begin, end, static_cast<uint32_t>(b) << 24);
    return it != end && (*it >> 24) == b ? (*it & 0xFFFFFF) : 0;
  }

  // Pieces with their vocabulary id (-1 for unknown pieces).
  std::vector<std::pair<std::string, int32_t>> encode(std::string_view s) const {
    struct Best {
      int32_t id = -1;
      double score = 0;
      bool set = false;
      size_t starts_at = 0;
    };
    const double unk_score = min_score_ - 10.0;
    std::vector<Best> best(s.size() + 1);
    best[0].set = true;
    size_t pos = 0;
    while (pos < s.size()) {
      double here = best[pos].score;
      auto b = static_cast<unsigned char>(s[pos]);
      size_t mblen = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
      bool single = false;
      uint32_t node = 0;
      for (size_t k = pos; k < s.size(); ++k) {
        node = child(node, static_cast<uint8_t>(s[k]));
        if (node == 0) break;
        int32_t id = node_piece_[node];
        if (id < 0) continue;
        size_t end = k + 1;
        double cand = here + scores_[static_cast<size_t>(id)];
        if (!best[end].set || cand > best[end].score) best[end] = {id, cand, true, pos};
        if (end - pos == mblen) single = true;
      }
      if (!single) {
        if (!unk_id_) throw ProcessorReconstructionError("Unigram: text needs the unk piece but the model has no unk_id");
        double cand = here + unk_score;
        size_t end = pos + mblen;
        if (!best[end].set || cand > best[end].score) best[end] = {*unk_id_, cand, true, pos};
      }
      pos += mblen;
    }
    std::vector<std::pair<std::string, int32_t>> out;
    std::string fused;
    for (size_t end = s.size(); end > 0;) {
      const Best& n = best[end];
      std::string piece(s.substr(n.starts_at, end - n.starts_at));
      bool unk = unk_id_ && n.id == *unk_id_;
      if (fuse_unk_ && unk) {
        fused.insert(0, piece);
      } else {
        if (!fused.empty()) out.emplace_back(std::move(fused), -1), fused.clear();
        out.emplace_back(std::move(piece), unk ? -1 : n.id);
      }
      end = n.starts_at;
    }
    if (!fused.empty()) out.emplace_back(std::move(fused), -1);
    std::reverse(out.begin(), out.end());
    return out;
  }

  Vocab vocab_;
  std::vector<double> scores_;
  std::optional<int32_t> unk_id_;
  bool byte_fallback_, fuse_unk_;
  double min_score_;
  std::vector<int32_t> node_piece_;  // piece id ending at each node, -1 for none
  std::vector<uint32_t> first_;      // children_[first_[n], first_[n+1]) are node n's children
  std::vector<uint32_t> children_;   // byte << 24 | child node
  std::array<uint32_t, 256> root_{};
};

}  // namespace

std::unique_ptr<Model> make_unigram(simdjson::dom::element j, const std::string& path) {
  simdjson::dom::array vocab;
  if (sj::required(j, "vocab", path).get(vocab)) json::fail(path + ".vocab", "expected an array of [piece, score]");
  if (!within_limit(kMaxVocabSize, vocab.size()))
    json::fail(path + ".vocab", limit_exceeded(kMaxVocabSize, vocab.size()));
  std::vector<std::pair<std::string, double>> pieces;
  pieces.reserve(vocab.size());
  size_t i = 0;
  for (simdjson::dom::element p : vocab) {
    simdjson::dom::array pair;
    std::string_view piece;
    double score;
    if (p.get(pair) || pair.size() != 2 || pair.at(0).get(piece) || pair.at(1).get(score))
      json::fail(path + ".vocab[" + std::to_string(i) + "]", "expected [piece, score]");
    pieces.emplace_back(std::string(piece), score);
    ++i;
  }
  std::optional<int32_t> unk;
  if (auto u = sj::field(j, "unk_id")) {
    int64_t v;
    if (u->get(v)) json::fail(path + ".unk_id", "expected an integer");
    unk = static_cast<int32_t>(v);
  }
  if (unk && (*unk < 0 || static_cast<size_t>(*unk) >= pieces.size())) json::fail(path + ".unk_id", "out of the vocabulary's range");
  return std::make_unique<Unigram>(std::move(pieces), unk, sj::bool_or(j, "byte_fallback", path, false),
                                   sj::bool_or(j, "fuse_unk", path, true));
}

}  // namespace modelexport::processors::models
