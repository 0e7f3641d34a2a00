// The five stages of a tokenizer, one interface each, as in Hugging Face tokenizers:
// normalizers, pre_tokenizers, models, post_processors, decoders. Each stage has a factory that
// builds a component from its tokenizer.json object, dispatching on "type" (unknown types are an
// error listing the supported ones).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/json_util.h"
#include "modelexport/processors/tokenizer.h"
#include "processors/tokenizers/normalized_string.h"

namespace modelexport::processors {

struct Token {
  int32_t id = 0;
  std::string value;
  std::pair<size_t, size_t> offsets;  // byte range in the split's normalized text
};

// A text cut into pieces (splits), each normalized on its own and, once tokenized, with its tokens.
struct Split {
  NormalizedString normalized;
  std::optional<std::vector<Token>> tokens;
};

class PreTokenizedString {
 public:
  explicit PreTokenizedString(std::string_view text) { splits.push_back({NormalizedString(text), std::nullopt}); }
  // Replaces every split that has no tokens yet by the non-empty pieces f returns.
  void split(const std::function<std::vector<Split>(size_t index, NormalizedString&& piece)>& f);
  void normalize(const std::function<void(NormalizedString&)>& f);
  std::vector<Split> splits;
};

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual void normalize(NormalizedString& s) const = 0;
};

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  virtual void pre_tokenize(PreTokenizedString& s) const = 0;
};

class Model {
 public:
  virtual ~Model() = default;
  virtual std::vector<Token> tokenize(std::string_view sequence) const = 0;
  virtual std::optional<int32_t> token_to_id(std::string_view token) const = 0;
  virtual std::optional<std::string> id_to_token(int32_t id) const = 0;
  virtual size_t vocab_size() const = 0;
};

class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  virtual size_t added_tokens(bool is_pair) const = 0;
  // One encoding per input sequence in; the pieces to concatenate out (tokenizers'
  // process_encodings). Offsets are code-point offsets here.
  virtual std::vector<Encoding> process(std::vector<Encoding> encodings, bool add_special_tokens) const = 0;
};

class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual std::vector<std::string> decode_chain(std::vector<std::string> tokens) const = 0;
};

std::unique_ptr<Normalizer> make_normalizer(const Json& j, const std::string& path);
std::unique_ptr<PreTokenizer> make_pre_tokenizer(const Json& j, const std::string& path);
std::unique_ptr<PostProcessor> make_post_processor(const Json& j, const std::string& path);
std::unique_ptr<Decoder> make_decoder(const Json& j, const std::string& path);

// Concatenates two encodings (pairs, templates).
void append_encoding(Encoding& to, const Encoding& from);
// One encoding per piece of a special token added by a post-processor: id, token, offsets (0, 0).
Encoding special_token_encoding(const std::vector<int32_t>& ids, const std::vector<std::string>& tokens, int32_t type_id);

}  // namespace modelexport::processors
