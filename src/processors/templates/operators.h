// Python's binary operators on template values (+ - * / // % ** ~ comparisons, in) and
// printf-style `str % args` formatting.
#pragma once

#include <string_view>

#include "processors/templates/value.h"

namespace modelexport::processors::templates {

Value binary_op(std::string_view op, const Value& l, const Value& r);
Value negate(const Value& v, bool minus);
bool contains(const Value& container, const Value& item);  // Python's `item in container`
std::string percent_format(const std::string& format, const Value& args);
// Python slicing obj[start:stop:step] for str and list/tuple.
Value slice(const Value& obj, const Value& start, const Value& stop, const Value& step);

}  // namespace modelexport::processors::templates
