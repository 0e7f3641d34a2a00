// tokenizers normalizers/strip.rs Strip: removes leading/trailing whitespace.
#include "processors/tokenizers/json_access.h"
#include "processors/tokenizers/normalizers/normalizers.h"

namespace modelexport::processors::normalizers {
namespace {
class Strip : public Normalizer {
 public:
  Strip(bool left, bool right) : left_(left), right_(right) {}
  void normalize(NormalizedString& s) const override {
    if (left_) s.lstrip();
    if (right_) s.rstrip();
  }

 private:
  bool left_, right_;
};
}  // namespace

std::unique_ptr<Normalizer> make_strip(const Json& j, const std::string& path) {
  return std::make_unique<Strip>(json::bool_or(j, "strip_left", path, true), json::bool_or(j, "strip_right", path, true));
}

}  // namespace modelexport::processors::normalizers
