// Token <-> id maps shared by the models, with string_view lookups.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "processors/tokenizers/json_access.h"

namespace modelexport::processors {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class Vocab {
 public:
  // From {"token": id, ...}.
  static Vocab from_object(const Json& j, const std::string& path) {
    if (!j.is_object()) json::fail(path, "expected an object of token: id");
    Vocab v;
    v.to_id_.reserve(j.size());
    for (const auto& [token, id] : j.items()) {
      if (!id.is_number_integer()) json::fail(path + "." + token, "expected an integer id");
      v.add(token, id.get<int32_t>());
    }
    return v;
  }
  void add(const std::string& token, int32_t id) {
    to_id_[token] = id;
    if (id >= 0) {
      if (static_cast<size_t>(id) >= to_token_.size()) to_token_.resize(static_cast<size_t>(id) + 1);
      to_token_[static_cast<size_t>(id)] = token;
    }
  }
  std::optional<int32_t> id(std::string_view token) const {
    auto it = to_id_.find(token);
    if (it == to_id_.end()) return std::nullopt;
    return it->second;
  }
  std::optional<std::string> token(int32_t id) const {
    if (id < 0 || static_cast<size_t>(id) >= to_token_.size()) return std::nullopt;
    return to_token_[static_cast<size_t>(id)];
  }
  size_t size() const { return to_id_.size(); }

 private:
  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> to_id_;
  std::vector<std::string> to_token_;
};

}  // namespace modelexport::processors
