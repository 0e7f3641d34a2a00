// Python's str.format for templates: {} / {0} / {name} fields with !s / !r conversions; {{ and }}.
#include <charconv>
#include <cstdint>

#include "processors/templates/builtins.h"

namespace modelexport::processors::templates {

std::string py_format(const std::string& format, Args& a) {
  std::string out;
  size_t auto_index = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (c == '}') {
      if (i + 1 < format.size() && format[i + 1] == '}') ++i;
      else fail("Single '}' encountered in format string");
      out += '}';
      continue;
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < format.size() && format[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    size_t close = format.find('}', i);
    if (close == std::string::npos) fail("Single '{' encountered in format string");
    std::string field = format.substr(i + 1, close - i - 1);
    i = close;
    std::string spec, conversion;
    if (size_t colon = field.find(':'); colon != std::string::npos) {
      spec = field.substr(colon + 1);
      field.resize(colon);
    }
    if (size_t bang = field.find('!'); bang != std::string::npos) {
      conversion = field.substr(bang + 1);
      field.resize(bang);
    }
    if (!spec.empty()) fail("str.format: the format spec ':" + spec + "' is not supported");
    const Value* v = nullptr;
    if (field.empty()) {
      v = auto_index < a.positional.size() ? &a.positional[auto_index] : nullptr;
      ++auto_index;
    } else if (std::isdigit((unsigned char)field[0])) {
      // CPython's str.format reads the index as a Py_ssize_t and refuses a larger one.
      int64_t n = 0;
      if (std::from_chars(field.data(), field.data() + field.size(), n).ec == std::errc::result_out_of_range)
        fail("Too many decimal digits in format string");  // ValueError
      v = uint64_t(n) < a.positional.size() ? &a.positional[size_t(n)] : nullptr;
    } else {
      for (const auto& [k, x] : a.named)
        if (k == field) v = &x;
      if (!v) fail("KeyError: '" + field + "'");
    }
    if (!v) fail("IndexError: Replacement index " + field + " out of range for positional args tuple");
    out += conversion == "r" ? repr(*v) : to_str(*v);
  }
  return out;
}

}  // namespace modelexport::processors::templates
