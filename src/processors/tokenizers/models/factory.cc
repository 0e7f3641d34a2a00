#include "processors/tokenizers/json_access.h"
#include "processors/tokenizers/models/models.h"

namespace modelexport::processors {

std::unique_ptr<Model> make_model(const Json& j, const std::string& path) {
  using namespace models;
  std::string type = json::type_of(j, path);
  // Old files omit "type": tell the models apart by their fields, as tokenizers' deserializer does.
  if (type.empty()) {
    if (j.contains("merges")) type = "BPE";
    else if (j.contains("continuing_subword_prefix") || j.contains("max_input_chars_per_word")) type = "WordPiece";
    else if (j.contains("vocab") && j["vocab"].is_array()) type = "Unigram";
    else type = "WordLevel";
  }
  if (type == "WordPiece") return make_wordpiece(j, path);
  if (type == "BPE") return make_bpe(j, path);
  if (type == "WordLevel") return make_wordlevel(j, path);
  if (type == "Unigram") return make_unigram(j, path);
  json::unknown_type(path, type, "WordPiece, BPE, WordLevel, Unigram");
}

}  // namespace modelexport::processors
