// Normalizer components (tokenizers/src/normalizers), one .cc each; built by make_normalizer.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "processors/tokenizers/components.h"
#include "processors/tokenizers/regex.h"

namespace modelexport::processors::normalizers {

std::unique_ptr<Normalizer> make_bert(const Json& j, const std::string& path);
std::unique_ptr<Normalizer> make_unicode_form(const std::string& form);  // NFC, NFD, NFKC, NFKD
std::unique_ptr<Normalizer> make_lowercase();
std::unique_ptr<Normalizer> make_strip(const Json& j, const std::string& path);
std::unique_ptr<Normalizer> make_strip_accents();
std::unique_ptr<Normalizer> make_replace(const Json& j, const std::string& path);
std::unique_ptr<Normalizer> make_prepend(const Json& j, const std::string& path);
std::unique_ptr<Normalizer> make_precompiled(const Json& j, const std::string& path);
std::unique_ptr<Normalizer> make_sequence(const Json& j, const std::string& path);

}  // namespace modelexport::processors::normalizers
