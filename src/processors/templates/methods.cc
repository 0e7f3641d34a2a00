// Python 3.11's str, dict and list methods as sandboxed jinja2 templates call them
// (ImmutableSandboxedEnvironment: methods that modify a list or dict are refused).
#include <utf8proc.h>

#include <map>
#include <set>

#include "processors/templates/builtins.h"
#include "processors/tokenizers/unicode.h"

namespace modelexport::processors::templates {
namespace {

using Method = Value (*)(const Value& self, Args& a);

std::u32string cps(const Value& v) { return code_points(v.str()); }

const std::string& string_arg(const Args& a, size_t i, const char* name, const char* method) {
  const Value* v = a.get(i, name);
  if (!v || !v->is_string())
    fail(std::string(method) + "() argument must be str, not " + (v ? v->type_name() : "nothing"));
  return v->str();
}

int64_t int_arg(const Args& a, size_t i, const char* name, int64_t fallback) {
  const Value* v = a.get(i, name);
  if (!v || v->is_none()) return fallback;
  if (!v->is_int() && !v->is_bool()) fail("'" + v->type_name() + "' object cannot be interpreted as an integer");
  return v->integer();
}

// strip / lstrip / rstrip: chars None = whitespace.
Value strip(const Value& self, Args& a, bool left, bool right) {
  a.check("strip", 1, {});
  std::u32string s = cps(self);
  const Value* chars = a.get(0, "chars");
  std::u32string set;
  bool ws = !chars || chars->is_none();
  if (!ws) {
    if (!chars->is_string()) fail("strip arg must be None or str");
    set = code_points(chars->str());
  }
  auto drop = [&](char32_t c) { return ws ? is_space(c) : set.find(c) != std::u32string::npos; };
  size_t b = 0, e = s.size();
  if (left)
    while (b < e && drop(s[b])) ++b;
  if (right)
    while (e > b && drop(s[e - 1])) --e;
  return utf8(std::u32string_view(s).substr(b, e - b));
}

std::vector<Value> split_whitespace(const std::u32string& s, int64_t maxsplit, bool from_right) {
  std::vector<std::u32string> parts;
  if (!from_right) {
    size_t i = 0;
    while (i < s.size()) {
      while (i < s.size() && is_space(s[i])) ++i;
      if (i >= s.size()) break;
      if (maxsplit >= 0 && int64_t(parts.size()) == maxsplit) {
        size_t e = s.size();
        while (e > i && is_space(s[e - 1])) --e;
        parts.push_back(s.substr(i, e - i));
        break;
      }
      size_t j = i;
      while (j < s.size() && !is_space(s[j])) ++j;
      parts.push_back(s.substr(i, j - i));
      i = j;
    }
  } else {
    size_t i = s.size();
    while (i > 0) {
      while (i > 0 && is_space(s[i - 1])) --i;
      if (i == 0) break;
      if (maxsplit >= 0 && int64_t(parts.size()) == maxsplit) {
        size_t b = 0;
        while (b < i && is_space(s[b])) ++b;
        parts.push_back(s.substr(b, i - b));
        break;
      }
      size_t j = i;
      while (j > 0 && !is_space(s[j - 1])) --j;
      parts.push_back(s.substr(j, i - j));
      i = j;
    }
    std::reverse(parts.begin(), parts.end());
  }
  std::vector<Value> out;
  for (auto& p : parts) out.emplace_back(utf8(p));
  return out;
}

Value split(const Value& self, Args& a, bool from_right) {
  a.check("split", 2, {"sep", "maxsplit"});
  const Value* sep = a.get(0, "sep");
  int64_t maxsplit = int_arg(a, 1, "maxsplit", -1);
  if (!sep || sep->is_none()) return Value::list(split_whitespace(cps(self), maxsplit, from_right));
  if (!sep->is_string()) fail("must be str or None, not " + sep->type_name());
  const std::string& s = self.str();
  const std::string& d = sep->str();
  if (d.empty()) fail("empty separator");
  std::vector<Value> out;
  if (!from_right) {
    size_t pos = 0;
    while (true) {
      size_t f = (maxsplit >= 0 && int64_t(out.size()) >= maxsplit) ? std::string::npos : s.find(d, pos);
      if (f == std::string::npos) {
        out.emplace_back(s.substr(pos));
        break;
      }
      out.emplace_back(s.substr(pos, f - pos));
      pos = f + d.size();
    }
  } else {
    size_t end = s.size();
    while (true) {
      size_t f = (maxsplit >= 0 && int64_t(out.size()) >= maxsplit) || end < d.size() ? std::string::npos
                                                                                      : s.rfind(d, end - d.size());
      if (f == std::string::npos) {
        out.emplace_back(s.substr(0, end));
        break;
      }
      out.emplace_back(s.substr(f + d.size(), end - f - d.size()));
      end = f;
    }
    std::reverse(out.begin(), out.end());
  }
  return Value::list(std::move(out));
}

// Python's line boundaries for str.splitlines.
bool line_break(char32_t c) {
  return c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || c == 0x1c || c == 0x1d || c == 0x1e || c == 0x85 ||
         c == 0x2028 || c == 0x2029;
}

Value splitlines(const Value& self, Args& a) {
  const Value* keep = a.get(0, "keepends");
  bool keepends = keep && truthy(*keep);
  std::u32string s = cps(self);
  std::vector<Value> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = i;
    while (j < s.size() && !line_break(s[j])) ++j;
    size_t eol = j;
    if (j < s.size()) { eol = (s[j] == '\r' && j + 1 < s.size() && s[j + 1] == '\n') ? j + 2 : j + 1; }
    out.emplace_back(utf8(s.substr(i, (keepends ? eol : j) - i)));
    i = eol;
  }
  return Value::list(std::move(out));
}

Value affix(const Value& self, Args& a, bool start) {
  const Value* p = a.get(0, "prefix");
  if (!p) fail(std::string(start ? "startswith" : "endswith") + "() takes at least 1 argument (0 given)");
  std::u32string s = cps(self);
  int64_t n = int64_t(s.size());
  int64_t b = int_arg(a, 1, "start", 0), e = int_arg(a, 2, "end", n);
  if (b < 0) b = std::max<int64_t>(0, b + n);
  if (e < 0) e = std::max<int64_t>(0, e + n);
  e = std::min(e, n);
  std::u32string window = b <= e ? s.substr(size_t(b), size_t(e - b)) : std::u32string();
  if (b > n) return false;
  auto test = [&](const Value& x) {
    if (!x.is_string())
      fail(std::string(start ? "startswith" : "endswith") + " first arg must be str or a tuple of str, not " +
           x.type_name());
    std::u32string t = code_points(x.str());
    if (t.size() > window.size()) return false;
    return start ? window.compare(0, t.size(), t) == 0 : window.compare(window.size() - t.size(), t.size(), t) == 0;
  };
  if (p->is_list() && p->list_data().tuple) {
    for (const auto& x : p->items())
      if (test(x)) return true;
    return false;
  }
  return test(*p);
}

Value replace(const Value& self, Args& a) {
  const std::string& old = string_arg(a, 0, "old", "replace");
  const std::string& rep = string_arg(a, 1, "new", "replace");
  int64_t count = int_arg(a, 2, "count", -1);
  const std::string& s = self.str();
  std::string out;
  if (old.empty()) {  // inserts between code points
    std::u32string c = cps(self);
    int64_t done = 0;
    for (size_t i = 0; i <= c.size(); ++i) {
      if (count < 0 || done < count) {
        out += rep;
        ++done;
      }
      if (i < c.size()) out += utf8(std::u32string(1, c[i]));
    }
    return out;
  }
  size_t pos = 0;
  int64_t done = 0;
  while (count < 0 || done < count) {
    size_t f = s.find(old, pos);
    if (f == std::string::npos) break;
    out.append(s, pos, f - pos);
    out += rep;
    pos = f + old.size();
    ++done;
  }
  out.append(s, pos, std::string::npos);
  return out;
}

char32_t upper1(char32_t c) { return char32_t(utf8proc_toupper(utf8proc_int32_t(c))); }
char32_t lower1(char32_t c) { return char32_t(utf8proc_tolower(utf8proc_int32_t(c))); }
bool cased(char32_t c) {
  return upper1(c) != c || lower1(c) != c || utf8proc_totitle(utf8proc_int32_t(c)) != utf8proc_int32_t(c);
}

// Python's full case mappings: lower() as Unicode's (U+0130 → "i̇"), upper() with SpecialCasing's
// expansions of ß and the Latin ligatures (utf8proc's simple mapping would give ẞ).
std::u32string upper_full(char32_t c) {
  switch (c) {
    case 0xDF: return U"SS";
    case 0xFB00: return U"FF";
    case 0xFB01: return U"FI";
    case 0xFB02: return U"FL";
    case 0xFB03: return U"FFI";
    case 0xFB04: return U"FFL";
    case 0xFB05:
    case 0xFB06: return U"ST";
    default: return std::u32string(1, upper1(c));
  }
}

std::string map_case(const std::string& s, int mode) {  // 0 upper, 1 lower, 2 swapcase
  std::u32string out;
  for (char32_t ch : code_points(s)) {
    bool to_lower = mode == 1 || (mode == 2 && lower1(ch) != ch);
    out += to_lower ? unicode::to_lowercase(ch) : upper_full(ch);
  }
  return utf8(out);
}

}  // namespace

// Python's str.title and str.capitalize (also used by the filters).
std::string py_title(const std::string& s) {
  std::u32string c = code_points(s);
  bool prev_cased = false;
  for (auto& ch : c) {
    bool is_cased = cased(ch);
    ch = prev_cased ? lower1(ch) : char32_t(utf8proc_totitle(utf8proc_int32_t(ch)));
    prev_cased = is_cased;
  }
  return utf8(c);
}
std::string py_capitalize(const std::string& s) {
  std::u32string c = code_points(s);
  for (size_t i = 0; i < c.size(); ++i)
    c[i] = i == 0 ? char32_t(utf8proc_totitle(utf8proc_int32_t(c[i]))) : lower1(c[i]);
  return utf8(c);
}
std::string py_upper(const std::string& s) { return map_case(s, 0); }
std::string py_lower(const std::string& s) { return map_case(s, 1); }
Value py_strip(const Value& self, Args& a) { return strip(self, a, true, true); }
Value py_replace(const Value& self, Args& a) { return replace(self, a); }
std::string py_format(const std::string& format, Args& a);

namespace {

Value find(const Value& self, Args& a, bool right, bool raise) {
  const std::string& sub = string_arg(a, 0, "sub", right ? "rfind" : "find");
  std::u32string s = cps(self), t = code_points(sub);
  size_t f = right ? s.rfind(t) : s.find(t);
  if (f == std::u32string::npos) {
    if (raise) fail("substring not found");
    return int64_t(-1);
  }
  return int64_t(f);
}

Value count(const Value& self, Args& a) {
  if (self.is_list()) {
    const Value* x = a.get(0, "value");
    int64_t n = 0;
    for (const auto& v : self.items()) n += x && equals(v, *x);
    return n;
  }
  const std::string& sub = string_arg(a, 0, "sub", "count");
  std::u32string s = cps(self), t = code_points(sub);
  if (t.empty()) return int64_t(s.size() + 1);
  int64_t n = 0;
  for (size_t f = s.find(t); f != std::u32string::npos; f = s.find(t, f + t.size())) ++n;
  return n;
}

Value join(const Value& self, Args& a) {
  const Value* it = a.get(0, "iterable");
  if (!it) fail("join() takes exactly one argument (0 given)");
  std::string out;
  bool first = true;
  for (const auto& v : iterate(*it)) {
    if (!v.is_string()) fail("sequence item: expected str instance, " + v.type_name() + " found");
    if (!first) out += self.str();
    out += v.str();
    first = false;
  }
  return out;
}

Value pad(const Value& self, Args& a, int where) {  // 0 center, 1 ljust, 2 rjust
  int64_t width = int_arg(a, 0, "width", 0);
  const Value* f = a.get(1, "fillchar");
  std::u32string fill = f && f->is_string() ? code_points(f->str()) : U" ";
  if (fill.size() != 1) fail("The fill character must be exactly one character long");
  std::u32string s = cps(self);
  if (int64_t(s.size()) >= width) return self;
  size_t total = size_t(width) - s.size();
  size_t left = where == 1 ? 0 : where == 2 ? total : total / 2 + (total & size_t(width) & 1);
  return utf8(std::u32string(left, fill[0]) + s + std::u32string(total - left, fill[0]));
}

Value predicate(const Value& self, int kind) {
  std::u32string s = cps(self);
  if (s.empty()) return false;
  for (char32_t c : s) {
    auto cat = utf8proc_category(utf8proc_int32_t(c));
    bool alpha = cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL || cat == UTF8PROC_CATEGORY_LT ||
                 cat == UTF8PROC_CATEGORY_LM || cat == UTF8PROC_CATEGORY_LO;
    bool digit = cat == UTF8PROC_CATEGORY_ND;
    bool numeric = digit || cat == UTF8PROC_CATEGORY_NL || cat == UTF8PROC_CATEGORY_NO;
    bool ok = kind == 0   ? digit
              : kind == 1 ? alpha
              : kind == 2 ? (alpha || numeric)
              : kind == 3 ? is_space(c)
                          : numeric;
    if (!ok) return false;
  }
  return true;
}

Value partition(const Value& self, Args& a, bool right) {
  const std::string& sep = string_arg(a, 0, "sep", "partition");
  if (sep.empty()) fail("empty separator");
  const std::string& s = self.str();
  size_t f = right ? s.rfind(sep) : s.find(sep);
  if (f == std::string::npos)
    return right ? Value::list({Value(""), Value(""), self}, true) : Value::list({self, Value(""), Value("")}, true);
  return Value::list({Value(s.substr(0, f)), Value(sep), Value(s.substr(f + sep.size()))}, true);
}

const std::map<std::string_view, Method>& string_methods() {
  static const std::map<std::string_view, Method> m = {
      {"strip", [](const Value& s, Args& a) { return strip(s, a, true, true); }},
      {"lstrip", [](const Value& s, Args& a) { return strip(s, a, true, false); }},
      {"rstrip", [](const Value& s, Args& a) { return strip(s, a, false, true); }},
      {"split", [](const Value& s, Args& a) { return split(s, a, false); }},
      {"rsplit", [](const Value& s, Args& a) { return split(s, a, true); }},
      {"splitlines", splitlines},
      {"startswith", [](const Value& s, Args& a) { return affix(s, a, true); }},
      {"endswith", [](const Value& s, Args& a) { return affix(s, a, false); }},
      {"replace", replace},
      {"upper", [](const Value& s, Args&) { return Value(map_case(s.str(), 0)); }},
      {"lower", [](const Value& s, Args&) { return Value(map_case(s.str(), 1)); }},
      {"casefold", [](const Value& s, Args&) { return Value(map_case(s.str(), 1)); }},
      {"swapcase", [](const Value& s, Args&) { return Value(map_case(s.str(), 2)); }},
      {"title", [](const Value& s, Args&) { return Value(py_title(s.str())); }},
      {"capitalize", [](const Value& s, Args&) { return Value(py_capitalize(s.str())); }},
      {"find", [](const Value& s, Args& a) { return find(s, a, false, false); }},
      {"rfind", [](const Value& s, Args& a) { return find(s, a, true, false); }},
      {"index", [](const Value& s, Args& a) { return find(s, a, false, true); }},
      {"rindex", [](const Value& s, Args& a) { return find(s, a, true, true); }},
      {"count", count},
      {"join", join},
      {"format", [](const Value& s, Args& a) { return Value(py_format(s.str(), a)); }},
      {"center", [](const Value& s, Args& a) { return pad(s, a, 0); }},
      {"ljust", [](const Value& s, Args& a) { return pad(s, a, 1); }},
      {"rjust", [](const Value& s, Args& a) { return pad(s, a, 2); }},
      {"zfill",
       [](const Value& s, Args& a) {
         std::u32string c = cps(s);
         int64_t w = int_arg(a, 0, "width", 0);
         if (int64_t(c.size()) >= w) return s;
         size_t sign = (!c.empty() && (c[0] == '+' || c[0] == '-')) ? 1 : 0;
         c.insert(sign, std::u32string(size_t(w) - c.size(), U'0'));
         return Value(utf8(c));
       }},
      {"isdigit", [](const Value& s, Args&) { return predicate(s, 0); }},
      {"isdecimal", [](const Value& s, Args&) { return predicate(s, 0); }},
      {"isalpha", [](const Value& s, Args&) { return predicate(s, 1); }},
      {"isalnum", [](const Value& s, Args&) { return predicate(s, 2); }},
      {"isspace", [](const Value& s, Args&) { return predicate(s, 3); }},
      {"isnumeric", [](const Value& s, Args&) { return predicate(s, 4); }},
      {"islower",
       [](const Value& s, Args&) {
         bool any = false;
         for (char32_t c : cps(s)) {
           if (upper1(c) != c && lower1(c) == c) any = true;
           else if (lower1(c) != c) return Value(false);
         }
         return Value(any);
       }},
      {"isupper",
       [](const Value& s, Args&) {
         bool any = false;
         for (char32_t c : cps(s)) {
           if (lower1(c) != c && upper1(c) == c) any = true;
           else if (upper1(c) != c) return Value(false);
         }
         return Value(any);
       }},
      {"removeprefix",
       [](const Value& s, Args& a) {
         const std::string& p = string_arg(a, 0, "prefix", "removeprefix");
         return s.str().compare(0, p.size(), p) == 0 ? Value(s.str().substr(p.size())) : s;
       }},
      {"removesuffix",
       [](const Value& s, Args& a) {
         const std::string& p = string_arg(a, 0, "suffix", "removesuffix");
         const std::string& t = s.str();
         return !p.empty() && t.size() >= p.size() && t.compare(t.size() - p.size(), p.size(), p) == 0
                    ? Value(t.substr(0, t.size() - p.size()))
                    : s;
       }},
      {"partition", [](const Value& s, Args& a) { return partition(s, a, false); }},
      {"rpartition", [](const Value& s, Args& a) { return partition(s, a, true); }},
  };
  return m;
}

Value dict_items(const Value& self, Args&) {
  std::vector<Value> out;
  for (const auto& [k, v] : self.dict_data().entries) out.push_back(Value::list({k, v}, true));
  return Value::list(std::move(out));
}

const std::map<std::string_view, Method>& dict_methods() {
  static const std::map<std::string_view, Method> m = {
      {"items", dict_items},
      {"keys",
       [](const Value& s, Args&) {
         std::vector<Value> out;
         for (const auto& e : s.dict_data().entries) out.push_back(e.first);
         return Value::list(std::move(out));
       }},
      {"values",
       [](const Value& s, Args&) {
         std::vector<Value> out;
         for (const auto& e : s.dict_data().entries) out.push_back(e.second);
         return Value::list(std::move(out));
       }},
      {"get",
       [](const Value& s, Args& a) {
         const Value* k = a.get(0, "key");
         if (!k) fail("get expected at least 1 argument, got 0");
         if (const Value* v = s.dict_data().find(*k)) return *v;
         const Value* d = a.get(1, "default");
         return d ? *d : Value(None{});
       }},
      {"copy", [](const Value& s, Args&) { return s; }},
  };
  return m;
}

const std::map<std::string_view, Method>& list_methods() {
  static const std::map<std::string_view, Method> m = {
      {"index",
       [](const Value& s, Args& a) {
         const Value* x = a.get(0, "value");
         for (size_t i = 0; x && i < s.items().size(); ++i)
           if (equals(s.items()[i], *x)) return Value(int64_t(i));
         fail((x ? repr(*x) : std::string("value")) + " is not in list");
       }},
      {"count", count},
      {"copy", [](const Value& s, Args&) { return Value::list(s.items()); }},
  };
  return m;
}

const std::set<std::string_view> kUnsafeList = {"append", "extend",  "insert", "pop",
                                                "remove", "reverse", "sort",   "clear"};
const std::set<std::string_view> kUnsafeDict = {"update", "pop", "popitem", "setdefault", "clear"};

}  // namespace

Value find_method(const Value& obj, const std::string& name) {
  const std::map<std::string_view, Method>* table = nullptr;
  if (obj.is_string()) table = &string_methods();
  else if (obj.is_dict()) table = &dict_methods();
  else if (obj.is_list()) table = &list_methods();
  if (!table) return Value();
  auto it = table->find(name);
  if (it == table->end()) {
    bool unsafe = (obj.is_list() && !obj.list_data().tuple && kUnsafeList.count(name)) ||
                  (obj.is_dict() && kUnsafeDict.count(name));
    if (!unsafe) return Value();
    std::string message = "access to attribute '" + name + "' of '" + obj.type_name() + "' object is unsafe.";
    return Value::callable(name, [message](Args&) -> Value { fail(message); });
  }
  Method m = it->second;
  Value self = obj;
  return Value::callable(name, [m, self](Args& a) { return m(self, a); });
}

}  // namespace modelexport::processors::templates
