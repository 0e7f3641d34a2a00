// The {"String": s} | {"Regex": r} pattern objects of Replace and Split.
#pragma once

#include <memory>
#include <string>

#include "processors/tokenizers/json_access.h"
#include "processors/tokenizers/regex.h"

namespace modelexport::processors {

class Pattern {
 public:
  Pattern(const Json& j, const std::string& path) {
    if (j.is_object() && j.contains("String") && j["String"].is_string()) {
      literal_ = j["String"].get<std::string>();
    } else if (j.is_object() && j.contains("Regex") && j["Regex"].is_string()) {
      regex_ = std::make_shared<Regex>(j["Regex"].get<std::string>(), path);
    } else {
      json::fail(path, "expected {\"String\": ...} or {\"Regex\": ...}");
    }
  }
  Matches find_matches(std::string_view s) const {
    return regex_ ? regex_->find_matches(s) : find_string_matches(s, literal_);
  }

 private:
  std::string literal_;
  std::shared_ptr<Regex> regex_;
};

}  // namespace modelexport::processors
