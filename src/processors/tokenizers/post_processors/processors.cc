// tokenizers processors/{bert,roberta,byte_level,sequence}.rs: BertProcessing, RobertaProcessing,
// ByteLevel (offset trimming only) and Sequence.
#include "processors/tokenizers/json_access.h"
#include "processors/tokenizers/post_processors/post_processors.h"

namespace modelexport::processors::post_processors {
namespace {

class Bert : public PostProcessor {
 public:
  Bert(std::pair<std::string, int32_t> cls, std::pair<std::string, int32_t> sep) : cls_(std::move(cls)), sep_(std::move(sep)) {}
  size_t added_tokens(bool is_pair) const override { return is_pair ? 3 : 2; }
  std::vector<Encoding> process(std::vector<Encoding> encodings, bool add_special_tokens) const override {
    if (!add_special_tokens) return encodings;
    std::vector<Encoding> out = {special_token_encoding({cls_.second}, {cls_.first}, 0), encodings[0],
                                 special_token_encoding({sep_.second}, {sep_.first}, 0)};
    if (encodings.size() == 2) {
      Encoding b = encodings[1];
      b.type_ids.assign(b.ids.size(), 1);
      out.push_back(std::move(b));
      out.push_back(special_token_encoding({sep_.second}, {sep_.first}, 1));
    }
    return out;
  }

 private:
  std::pair<std::string, int32_t> cls_, sep_;
};

class Roberta : public PostProcessor {
 public:
  Roberta(std::pair<std::string, int32_t> cls, std::pair<std::string, int32_t> sep, bool trim, bool prefix)
      : cls_(std::move(cls)), sep_(std::move(sep)), trim_(trim), prefix_(prefix) {}
  size_t added_tokens(bool is_pair) const override { return is_pair ? 4 : 2; }
  std::vector<Encoding> process(std::vector<Encoding> encodings, bool add_special_tokens) const override {
    for (auto& e : encodings) {
      if (trim_) trim_offsets(e, prefix_);
      e.type_ids.assign(e.ids.size(), 0);  // RoBERTa uses type id 0 everywhere
    }
    if (!add_special_tokens) return encodings;
    std::vector<Encoding> out = {special_token_encoding({cls_.second}, {cls_.first}, 0), encodings[0],
                                 special_token_encoding({sep_.second}, {sep_.first}, 0)};
    if (encodings.size() == 2) {
      out.push_back(special_token_encoding({sep_.second}, {sep_.first}, 0));
      out.push_back(encodings[1]);
      out.push_back(special_token_encoding({sep_.second}, {sep_.first}, 0));
    }
    return out;
  }

 private:
  std::pair<std::string, int32_t> cls_, sep_;
  bool trim_, prefix_;
};

class ByteLevel : public PostProcessor {
 public:
  ByteLevel(bool trim, bool prefix) : trim_(trim), prefix_(prefix) {}
  size_t added_tokens(bool) const override { return 0; }
  std::vector<Encoding> process(std::vector<Encoding> encodings, bool) const override {
    if (trim_)
      for (auto& e : encodings) trim_offsets(e, prefix_);
    return encodings;
  }

 private:
  bool trim_, prefix_;
};

class Sequence : public PostProcessor {
 public:
  explicit Sequence(std::vector<std::unique_ptr<PostProcessor>> parts) : parts_(std::move(parts)) {}
  size_t added_tokens(bool is_pair) const override {
    size_t n = 0;
    for (const auto& p : parts_) n += p->added_tokens(is_pair);
    return n;
  }
  std::vector<Encoding> process(std::vector<Encoding> encodings, bool add_special_tokens) const override {
    for (const auto& p : parts_) encodings = p->process(std::move(encodings), add_special_tokens);
    return encodings;
  }

 private:
  std::vector<std::unique_ptr<PostProcessor>> parts_;
};

}  // namespace

std::unique_ptr<PostProcessor> make_bert(const Json& j, const std::string& path) {
  return std::make_unique<Bert>(token_pair(j, "cls", path), token_pair(j, "sep", path));
}

std::unique_ptr<PostProcessor> make_roberta(const Json& j, const std::string& path) {
  return std::make_unique<Roberta>(token_pair(j, "cls", path), token_pair(j, "sep", path),
                                   json::bool_or(j, "trim_offsets", path, true), json::bool_or(j, "add_prefix_space", path, true));
}

std::unique_ptr<PostProcessor> make_byte_level(const Json& j, const std::string& path) {
  return std::make_unique<ByteLevel>(json::bool_or(j, "trim_offsets", path, true), json::bool_or(j, "add_prefix_space", path, true));
}

std::unique_ptr<PostProcessor> make_sequence(const Json& j, const std::string& path) {
  const Json& list = json::field(j, "processors", path);
  if (!list.is_array()) json::fail(path + ".processors", "expected an array");
  std::vector<std::unique_ptr<PostProcessor>> parts;
  for (size_t i = 0; i < list.size(); ++i)
    parts.push_back(make_post_processor(list[i], path + ".processors[" + std::to_string(i) + "]"));
  return std::make_unique<Sequence>(std::move(parts));
}

}  // namespace modelexport::processors::post_processors
