// tokenizers models/wordpiece/mod.rs: greedy longest-match-first; a word with any unknown piece,
// or longer than max_input_chars_per_word, becomes the unk token.
#include "processors/tokenizers/models/simdjson_access.h"
#include "processors/tokenizers/models/models.h"
#include "processors/tokenizers/models/vocab.h"
#include "processors/tokenizers/unicode.h"

namespace modelexport::processors::models {
namespace {

class WordPiece : public Model {
 public:
  WordPiece(Vocab vocab, std::string unk, std::string prefix, size_t max_chars)
      : vocab_(std::move(vocab)), unk_(std::move(unk)), prefix_(std::move(prefix)), max_chars_(max_chars) {}

  std::vector<Token> tokenize(std::string_view seq) const override {
    if (unicode::count(seq) > max_chars_) return {unk_token(seq)};
    std::vector<Token> out;
    std::string candidate;
    size_t start = 0;
    while (start < seq.size()) {
      size_t end = seq.size();
      bool found = false;
      while (start < end) {
        candidate.clear();
        if (start > 0) candidate = prefix_;
        candidate.append(seq.substr(start, end - start));
        if (auto id = vocab_.id(candidate)) {
          out.push_back({*id, candidate, {start, end}});
          found = true;
          break;
        }
        do --end; while (end > start && (static_cast<unsigned char>(seq[end]) & 0xC0) == 0x80);
      }
      if (!found) return {unk_token(seq)};
      start = end;
    }
    return out;
  }

  std::optional<int32_t> token_to_id(std::string_view t) const override { return vocab_.id(t); }
  std::optional<std::string> id_to_token(int32_t id) const override { return vocab_.token(id); }
  size_t vocab_size() const override { return vocab_.size(); }

 private:
  Token unk_token(std::string_view seq) const {
    auto id = vocab_.id(unk_);
    if (!id) throw ProcessorReconstructionError("WordPiece: the unk token \"" + unk_ + "\" is not in the vocabulary");
    return {*id, unk_, {0, seq.size()}};
  }
  Vocab vocab_;
  std::string unk_, prefix_;
  size_t max_chars_;
};

}  // namespace

std::unique_ptr<Model> make_wordpiece(simdjson::dom::element j, const std::string& path) {
  return std::make_unique<WordPiece>(Vocab::from_object(sj::required(j, "vocab", path), path + ".vocab"),
                                     sj::string_or(j, "unk_token", path, "[UNK]"),
                                     sj::string_or(j, "continuing_subword_prefix", path, "##"),
                                     static_cast<size_t>(sj::int_or(j, "max_input_chars_per_word", path, 100)));
}

}  // namespace modelexport::processors::models
