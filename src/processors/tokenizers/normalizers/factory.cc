#include "processors/tokenizers/json_access.h"
#include "processors/tokenizers/normalizers/normalizers.h"

namespace modelexport::processors {

std::unique_ptr<Normalizer> make_normalizer(const Json& j, const std::string& path) {
  json::check_depth(path);
  using namespace normalizers;
  std::string type = json::type_of(j, path);
  if (type == "BertNormalizer") return make_bert(j, path);
  if (type == "NFC" || type == "NFD" || type == "NFKC" || type == "NFKD") return make_unicode_form(type);
  if (type == "Lowercase") return make_lowercase();
  if (type == "Strip") return make_strip(j, path);
  if (type == "StripAccents") return make_strip_accents();
  if (type == "Replace") return make_replace(j, path);
  if (type == "Prepend") return make_prepend(j, path);
  if (type == "Precompiled") return make_precompiled(j, path);
  if (type == "Sequence") return make_sequence(j, path);
  json::unknown_type(path, type, "BertNormalizer, NFC, NFD, NFKC, NFKD, Lowercase, Strip, StripAccents, Replace, Prepend, Precompiled, Sequence");
}

}  // namespace modelexport::processors
