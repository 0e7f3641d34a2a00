// jinja2 3.1's tests (jinja2/tests.py), as `x is name(args)`.
#include <map>

#include "processors/templates/builtins.h"
#include "processors/templates/operators.h"
#include "processors/tokenizers/unicode.h"

namespace modelexport::processors::templates {
namespace {

const Value& arg(Args& a, size_t i, const char* test) {
  if (i >= a.positional.size()) fail(std::string("the test '") + test + "' needs an argument");
  return a.positional[i];
}
const Value& self(Args& a) { return a.positional[0]; }

bool is_cased_string(const Value& v, bool upper) {
  std::string s = to_str(v);
  bool cased = false;
  for (char32_t c : code_points(s)) {
    std::u32string lower = unicode::to_lowercase(c);
    bool is_lower = lower.size() == 1 && lower[0] == c;
    bool is_letter = unicode::is_alphabetic(c);
    if (!is_letter) continue;
    if (upper ? is_lower : !is_lower) return false;
    cased = true;
  }
  return cased;
}

const std::map<std::string_view, TestFn>& table() {
  static const std::map<std::string_view, TestFn> t = {
      {"defined", [](Args& a, RenderState&) { return !self(a).is_undefined(); }},
      {"undefined", [](Args& a, RenderState&) { return self(a).is_undefined(); }},
      {"none", [](Args& a, RenderState&) { return self(a).is_none(); }},
      {"boolean", [](Args& a, RenderState&) { return self(a).is_bool(); }},
      {"true", [](Args& a, RenderState&) { return self(a).is_bool() && std::get<bool>(self(a).v); }},
      {"false", [](Args& a, RenderState&) { return self(a).is_bool() && !std::get<bool>(self(a).v); }},
      {"integer", [](Args& a, RenderState&) { return self(a).is_int(); }},
      {"float", [](Args& a, RenderState&) { return self(a).is_float(); }},
      {"number", [](Args& a, RenderState&) { return self(a).is_number(); }},
      {"string", [](Args& a, RenderState&) { return self(a).is_string(); }},
      {"mapping", [](Args& a, RenderState&) { return self(a).is_dict(); }},
      {"iterable",
       [](Args& a, RenderState&) {
         const Value& v = self(a);
         return v.is_string() || v.is_list() || v.is_dict() || v.is_undefined();
       }},
      {"sequence",
       [](Args& a, RenderState&) {
         const Value& v = self(a);
         return v.is_string() || v.is_list() || v.is_dict() || v.is_undefined();
       }},
      {"callable", [](Args& a, RenderState&) { return self(a).is_callable(); }},
      {"sameas",
       [](Args& a, RenderState&) {
         const Value& x = self(a);
         const Value& y = arg(a, 1, "sameas");
         if (x.v.index() != y.v.index()) return false;
         if (x.is_list()) return &x.list_data() == &y.list_data();
         if (x.is_dict()) return &x.dict_data() == &y.dict_data();
         if (x.is_namespace()) return &x.ns() == &y.ns();
         if (x.is_callable()) return &x.callable_data() == &y.callable_data();
         return equals(x, y);
       }},
      {"eq", [](Args& a, RenderState&) { return equals(self(a), arg(a, 1, "eq")); }},
      {"ne", [](Args& a, RenderState&) { return !equals(self(a), arg(a, 1, "ne")); }},
      {"lt", [](Args& a, RenderState&) { return less(self(a), arg(a, 1, "lt")); }},
      {"gt", [](Args& a, RenderState&) { return less(arg(a, 1, "gt"), self(a)); }},
      {"le", [](Args& a, RenderState&) { return truthy(binary_op("<=", self(a), arg(a, 1, "le"))); }},
      {"ge", [](Args& a, RenderState&) { return truthy(binary_op(">=", self(a), arg(a, 1, "ge"))); }},
      {"in", [](Args& a, RenderState&) { return contains(arg(a, 1, "in"), self(a)); }},
      {"odd", [](Args& a, RenderState&) { return truthy(binary_op("%", self(a), Value(2))); }},
      {"even", [](Args& a, RenderState&) { return !truthy(binary_op("%", self(a), Value(2))); }},
      {"divisibleby", [](Args& a, RenderState&) { return !truthy(binary_op("%", self(a), arg(a, 1, "divisibleby"))); }},
      {"lower", [](Args& a, RenderState&) { return is_cased_string(self(a), false); }},
      {"upper", [](Args& a, RenderState&) { return is_cased_string(self(a), true); }},
      {"escaped", [](Args&, RenderState&) { return false; }},
      {"filter", [](Args& a, RenderState&) { return self(a).is_string() && find_filter(self(a).str()) != nullptr; }},
      {"test", [](Args& a, RenderState&) { return self(a).is_string() && find_test(self(a).str()) != nullptr; }},
  };
  return t;
}

}  // namespace

TestFn find_test(std::string_view name) {
  static const std::map<std::string_view, std::string_view> aliases = {
      {"==", "eq"}, {"equalto", "eq"}, {"!=", "ne"},          {"<", "lt"}, {"lessthan", "lt"},
      {"<=", "le"}, {">", "gt"},       {"greaterthan", "gt"}, {">=", "ge"}};
  auto al = aliases.find(name);
  if (al != aliases.end()) name = al->second;
  auto it = table().find(name);
  return it == table().end() ? nullptr : it->second;
}

}  // namespace modelexport::processors::templates
