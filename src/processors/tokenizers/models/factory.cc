#include "processors/tokenizers/models/models.h"
#include "processors/tokenizers/models/simdjson_access.h"

namespace modelexport::processors {

std::unique_ptr<Model> make_model(simdjson::dom::element j, const std::string& path) {
  using namespace models;
  if (!j.is_object()) json::fail(path, "expected an object");
  std::string type = sj::string_or(j, "type", path, "");
  // Old files omit "type": tell the models apart by their fields, as tokenizers' deserializer does.
  if (type.empty()) {
    auto vocab = sj::field(j, "vocab");
    if (sj::field(j, "merges")) type = "BPE";
    else if (sj::field(j, "continuing_subword_prefix") || sj::field(j, "max_input_chars_per_word")) type = "WordPiece";
    else if (vocab && vocab->is_array()) type = "Unigram";
    else type = "WordLevel";
  }
  if (type == "WordPiece") return make_wordpiece(j, path);
  if (type == "BPE") return make_bpe(j, path);
  if (type == "WordLevel") return make_wordlevel(j, path);
  if (type == "Unigram") return make_unigram(j, path);
  json::unknown_type(path, type, "WordPiece, BPE, WordLevel, Unigram");
}

}  // namespace modelexport::processors
