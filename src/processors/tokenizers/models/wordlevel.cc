// tokenizers models/wordlevel/mod.rs: the whole piece is one token, or the unk token.
#include "processors/tokenizers/models/simdjson_access.h"
#include "processors/tokenizers/models/models.h"
#include "processors/tokenizers/models/vocab.h"

namespace modelexport::processors::models {
namespace {

class WordLevel : public Model {
 public:
  WordLevel(Vocab vocab, std::string unk) : vocab_(std::move(vocab)), unk_(std::move(unk)) {}
  std::vector<Token> tokenize(std::string_view seq) const override {
    if (auto id = vocab_.id(seq)) return {{*id, std::string(seq), {0, seq.size()}}};
    if (auto unk = vocab_.id(unk_)) return {{*unk, unk_, {0, seq.size()}}};
    throw ProcessorReconstructionError("WordLevel: \"" + std::string(seq) + "\" is not in the vocabulary and the unk token \"" +
                                       unk_ + "\" is missing from it too");
  }
  std::optional<int32_t> token_to_id(std::string_view t) const override { return vocab_.id(t); }
  std::optional<std::string> id_to_token(int32_t id) const override { return vocab_.token(id); }
  size_t vocab_size() const override { return vocab_.size(); }

 private:
  Vocab vocab_;
  std::string unk_;
};

}  // namespace

std::unique_ptr<Model> make_wordlevel(simdjson::dom::element j, const std::string& path) {
  return std::make_unique<WordLevel>(Vocab::from_object(sj::required(j, "vocab", path), path + ".vocab"),
                                     sj::string_or(j, "unk_token", path, "<unk>"));
}

}  // namespace modelexport::processors::models
