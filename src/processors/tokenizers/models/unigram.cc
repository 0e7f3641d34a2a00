// tokenizers models/unigram/model.rs (encode_optimized): Viterbi over the pieces that start at each
// char (a byte trie of the vocabulary); a char no piece covers is the unk piece with score
// min_score - 10; consecutive unk pieces fuse; byte_fallback turns unknown pieces into <0xXX>.
#include <algorithm>
#include <array>
#include <cfloat>
#include <unordered_map>

#include "processors/tokenizers/json_access.h"
#include "processors/tokenizers/models/models.h"
#include "processors/tokenizers/models/vocab.h"

namespace modelexport::processors::models {
namespace {

class Unigram : public Model {
 public:
  Unigram(std::vector<std::pair<std::string, double>> pieces, std::optional<int32_t> unk_id, bool byte_fallback, bool fuse_unk)
      : pieces_(std::move(pieces)), unk_id_(unk_id), byte_fallback_(byte_fallback), fuse_unk_(fuse_unk) {
    min_score_ = DBL_MAX;
    for (size_t i = 0; i < pieces_.size(); ++i) {
      vocab_.add(pieces_[i].first, static_cast<int32_t>(i));
      min_score_ = std::min(min_score_, pieces_[i].second);
      add_to_trie(pieces_[i].first, static_cast<int32_t>(i));
    }
    freeze_trie();
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
          std::vector<Token> bytes;
          char code[8];
          for (unsigned char b : piece) {
            std::snprintf(code, sizeof code, "<0x%02X>", b);
            auto id = vocab_.id(code);
            if (!id) break;
            bytes.push_back({*id, code, {offset, offset + len}});
          }
          if (bytes.size() == piece.size()) {
            out.insert(out.end(), bytes.begin(), bytes.end());
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
  size_t vocab_size() const override { return pieces_.size(); }

 private:
  void add_to_trie(const std::string& piece, int32_t id) {
    uint32_t node = 0;
    for (unsigned char c : piece) {
      uint64_t key = static_cast<uint64_t>(node) << 8 | c;
      auto it = edges_.find(key);
      if (it == edges_.end()) {
        node_piece_.push_back(-1);
        uint32_t fresh = static_cast<uint32_t>(node_piece_.size() - 1);
        edges_.emplace(key, fresh);
        node = fresh;
      } else {
        node = it->second;
      }
    }
    node_piece_[node] = id;  // a repeated piece: the last id wins, as in token_to_ids
  }

  // Flat child arrays sorted by byte (and a direct table for the root) for the Viterbi walk.
  void freeze_trie() {
    std::vector<std::vector<std::pair<uint8_t, uint32_t>>> kids(node_piece_.size());
    for (const auto& [key, child] : edges_) kids[static_cast<size_t>(key >> 8)].push_back({static_cast<uint8_t>(key & 0xFF), child});
    first_.assign(node_piece_.size() + 1, 0);
    for (size_t n = 0; n < kids.size(); ++n) {
      std::sort(kids[n].begin(), kids[n].end());
      first_[n + 1] = first_[n] + static_cast<uint32_t>(kids[n].size());
      for (const auto& k : kids[n]) children_.push_back(k);
    }
    root_.fill(0);
    for (const auto& [b, child] : kids[0]) root_[b] = child;
    edges_.clear();
  }

  // Child of `node` by byte `b`, 0 when absent (0 is the root, never a child).
  uint32_t child(uint32_t node, uint8_t b) const {
    if (node == 0) return root_[b];
    auto begin = children_.begin() + first_[node], end = children_.begin() + first_[node + 1];
    auto it = std::lower_bound(begin, end, std::make_pair(b, uint32_t{0}));
    return it != end && it->first == b ? it->second : 0;
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
        double cand = here + pieces_[static_cast<size_t>(id)].second;
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

  std::vector<std::pair<std::string, double>> pieces_;
  Vocab vocab_;
  std::optional<int32_t> unk_id_;
  bool byte_fallback_, fuse_unk_;
  double min_score_;
  std::unordered_map<uint64_t, uint32_t> edges_;  // (node << 8 | byte) -> child, while building
  std::vector<int32_t> node_piece_{-1};           // piece id ending at each node
  std::vector<uint32_t> first_;                   // frozen trie: children_[first_[n], first_[n+1])
  std::vector<std::pair<uint8_t, uint32_t>> children_;
  std::array<uint32_t, 256> root_{};
};

}  // namespace

std::unique_ptr<Model> make_unigram(const Json& j, const std::string& path) {
  const Json& vocab = json::field(j, "vocab", path);
  if (!vocab.is_array()) json::fail(path + ".vocab", "expected an array of [piece, score]");
  std::vector<std::pair<std::string, double>> pieces;
  pieces.reserve(vocab.size());
  for (size_t i = 0; i < vocab.size(); ++i) {
    const Json& p = vocab[i];
    if (!p.is_array() || p.size() != 2 || !p[0].is_string() || !p[1].is_number())
      json::fail(path + ".vocab[" + std::to_string(i) + "]", "expected [piece, score]");
    pieces.emplace_back(p[0].get<std::string>(), p[1].get<double>());
  }
  std::optional<int32_t> unk;
  if (j.contains("unk_id") && j["unk_id"].is_number_integer()) unk = j["unk_id"].get<int32_t>();
  if (unk && (*unk < 0 || static_cast<size_t>(*unk) >= pieces.size())) json::fail(path + ".unk_id", "out of the vocabulary's range");
  return std::make_unique<Unigram>(std::move(pieces), unk, json::bool_or(j, "byte_fallback", path, false),
                                   json::bool_or(j, "fuse_unk", path, true));
}

}  // namespace modelexport::processors::models
