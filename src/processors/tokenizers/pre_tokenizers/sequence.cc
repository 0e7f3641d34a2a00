// tokenizers pre_tokenizers/sequence.rs: applies each pre-tokenizer in order.
#include "processors/tokenizers/json_access.h"
#include "processors/tokenizers/pre_tokenizers/pre_tokenizers.h"

namespace modelexport::processors::pre_tokenizers {
namespace {
class Sequence : public PreTokenizer {
 public:
  explicit Sequence(std::vector<std::unique_ptr<PreTokenizer>> parts) : parts_(std::move(parts)) {}
  void pre_tokenize(PreTokenizedString& s) const override {
    for (const auto& p : parts_) p->pre_tokenize(s);
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> parts_;
};
}  // namespace

std::unique_ptr<PreTokenizer> make_sequence(const Json& j, const std::string& path) {
  const Json& list = json::field(j, "pretokenizers", path);
  if (!list.is_array()) json::fail(path + ".pretokenizers", "expected an array");
  std::vector<std::unique_ptr<PreTokenizer>> parts;
  for (size_t i = 0; i < list.size(); ++i)
    parts.push_back(make_pre_tokenizer(list[i], path + ".pretokenizers[" + std::to_string(i) + "]"));
  return std::make_unique<Sequence>(std::move(parts));
}

}  // namespace modelexport::processors::pre_tokenizers
