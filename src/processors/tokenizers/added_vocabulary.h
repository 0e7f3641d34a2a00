// Added tokens (tokenizers tokenizer/added_vocabulary.rs): matched in the raw text (normalized=false)
// and then in the normalized pieces (normalized=true), leftmost-longest, before pre-tokenization;
// a matched piece becomes one token and is not tokenized further.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "processors/tokenizers/components.h"

namespace modelexport::processors {

struct AddedToken {
  int32_t id = 0;
  std::string content;
  bool single_word = false, lstrip = false, rstrip = false, normalized = true, special = false;
};

class AddedVocabulary {
 public:
  AddedVocabulary(std::vector<AddedToken> tokens, const Normalizer* normalizer);
  // Splits out added tokens, normalizing the rest (with `normalizer`, if any).
  void extract_and_normalize(PreTokenizedString& s, const Normalizer* normalizer) const;
  std::optional<int32_t> id(std::string_view content) const;
  const AddedToken* by_id(int32_t id) const;
  bool is_special(std::string_view content) const;
  size_t size() const { return tokens_.size(); }

 private:
  struct Trie {
    struct Node {
      std::map<unsigned char, int> next;
      int token = -1;  // index into tokens_
    };
    std::vector<Node> nodes{1};
    void add(std::string_view pattern, int token);
    // Longest pattern starting at `pos`: (token index, length) or (-1, 0).
    std::pair<int, size_t> longest(std::string_view s, size_t pos) const;
  };
  std::vector<Split> split_with(NormalizedString&& s, const Trie& trie) const;

  std::vector<AddedToken> tokens_;
  std::unordered_map<std::string, size_t> by_content_;
  std::unordered_map<int32_t, size_t> by_id_;
  Trie raw_, normalized_;
};

}  // namespace modelexport::processors
