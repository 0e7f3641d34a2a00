// The engine's builtins, one file per group: filters.cc, tests.cc, methods.cc (str/dict/list
// methods), globals.cc (range, namespace, dict, raise_exception, strftime_now, ...), json.cc (tojson).
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include "processors/templates/value.h"

namespace modelexport::processors::templates {

struct RenderState;  // evaluator.h

// Filter `name` applied to args.positional[0] (the value); nullopt when there is no such filter.
using FilterFn = Value (*)(Args& args, RenderState& state);
FilterFn find_filter(std::string_view name);
// Test `name` (`is name`); nullptr when unknown.
using TestFn = bool (*)(Args& args, RenderState& state);
TestFn find_test(std::string_view name);
// A bound method of a str, dict or list (Python's methods templates use); Undefined when none.
Value find_method(const Value& obj, const std::string& name);
// The globals every template sees; `now_iso` fixes strftime_now.
void add_globals(DictData& globals, RenderState& state);

// json.dumps(v, ensure_ascii=False, indent=indent, separators=..., sort_keys=...) as transformers'
// tojson filter calls it (chat_template_utils.py). indent < 0: None.
std::string to_json(const Value& v, int indent, std::string_view item_sep, std::string_view key_sep, bool sort_keys);
// The same with ensure_ascii=True (non-ASCII as \uXXXX escapes).
std::string to_json_ascii(const Value& v, int indent, std::string_view item_sep, std::string_view key_sep,
                          bool sort_keys);

// The time strftime_now formats: `now` (ISO-8601, checked: EvalError when malformed) or the local clock.
std::tm render_time(const std::optional<std::string>& now);

// UTF-8 code points of a string, and back.
std::u32string code_points(std::string_view s);
std::string utf8(std::u32string_view s);
bool is_space(char32_t c);  // Python's str.isspace for one code point

}  // namespace modelexport::processors::templates
