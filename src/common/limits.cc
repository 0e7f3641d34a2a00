#include "modelexport/common/limits.h"

#include <cstdlib>

#include "modelexport/common/error.h"

namespace modelexport {

uint64_t limit_value(const InputLimit& limit) {
  const char* text = std::getenv(limit.env_var);
  if (text == nullptr) return limit.default_value;
  std::string s(text);
  uint64_t v = 0;
  bool ok = !s.empty() && s.size() <= 19;
  for (char c : s) {
    if (c < '0' || c > '9') ok = false;
    else v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (!ok || v == 0)
    throw UsageError(std::string(limit.env_var) + "=\"" + s + "\": expected a positive whole number of " + limit.unit +
                     " (the default is " + std::to_string(limit.default_value) + ")");
  return v;
}

std::string limit_exceeded(const InputLimit& limit, uint64_t found) {
  return std::to_string(found) + " " + limit.unit + ", above the limit of " + std::to_string(limit_value(limit)) +
         " (" + limit.env_var + " raises it)";
}

}  // namespace modelexport
