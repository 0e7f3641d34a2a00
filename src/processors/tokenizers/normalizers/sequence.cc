// tokenizers normalizers/utils.rs Sequence: applies each normalizer in order.
#include "processors/tokenizers/json_access.h"
#include "processors/tokenizers/normalizers/normalizers.h"

namespace modelexport::processors::normalizers {
namespace {
class Sequence : public Normalizer {
 public:
  explicit Sequence(std::vector<std::unique_ptr<Normalizer>> parts) : parts_(std::move(parts)) {}
  void normalize(NormalizedString& s) const override {
    for (const auto& p : parts_) p->normalize(s);
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> parts_;
};
}  // namespace

std::unique_ptr<Normalizer> make_sequence(const Json& j, const std::string& path) {
  const Json& list = json::field(j, "normalizers", path);
  if (!list.is_array()) json::fail(path + ".normalizers", "expected an array");
  std::vector<std::unique_ptr<Normalizer>> parts;
  for (size_t i = 0; i < list.size(); ++i)
    parts.push_back(make_normalizer(list[i], path + ".normalizers[" + std::to_string(i) + "]"));
  return std::make_unique<Sequence>(std::move(parts));
}

}  // namespace modelexport::processors::normalizers
