// jinja2 3.1's builtin filters (jinja2/filters.py) that chat templates use, and transformers'
// tojson (chat_template_utils.py). A filter gets the value as args.positional[0].
#include <algorithm>
#include <cmath>
#include <map>

#include "processors/templates/builtins.h"
#include "processors/templates/evaluator.h"
#include "processors/templates/operators.h"

namespace modelexport::processors::templates {

std::string py_title(const std::string& s);
std::string py_capitalize(const std::string& s);
std::string py_upper(const std::string& s);
std::string py_lower(const std::string& s);
Value py_strip(const Value& self, Args& a);
Value py_replace(const Value& self, Args& a);

namespace {

const Value& input(Args& a) { return a.positional[0]; }
const Value* opt(Args& a, size_t i, std::string_view name) { return a.get(i, name); }  // i counts the input
bool flag(Args& a, size_t i, std::string_view name, bool fallback = false) {
  const Value* v = opt(a, i, name);
  return v ? truthy(*v) : fallback;
}

// jinja2's make_attrgetter: "a.b.0" → item["a"]["b"][0] through getitem rules.
Value attr_path(const Value& item, const Value& path) {
  if (!path.is_string()) return subscript(item, path);
  Value cur = item;
  std::string p = path.str();
  size_t start = 0;
  while (true) {
    size_t dot = p.find('.', start);
    std::string part = p.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    bool digits =
        !part.empty() && std::all_of(part.begin(), part.end(), [](char c) { return std::isdigit((unsigned char)c); });
    cur = subscript(cur, digits ? Value(digits_index(part)) : Value(part));
    if (dot == std::string::npos) return cur;
    start = dot + 1;
  }
}

Value lowered(const Value& v, bool case_sensitive) {
  return !case_sensitive && v.is_string() ? Value(py_lower(v.str())) : v;
}

std::vector<Value> items_of(const Value& v) { return iterate(v); }

Value f_default(Args& a, RenderState&) {
  const Value* d = opt(a, 1, "default_value");
  bool boolean = flag(a, 2, "boolean");
  const Value& v = input(a);
  if (v.is_undefined() || (boolean && !truthy(v))) return d ? *d : Value("");
  return v;
}

Value f_join(Args& a, RenderState&) {
  const Value* sep = opt(a, 1, "d");
  const Value* attr = opt(a, 2, "attribute");
  std::string out, d = sep ? to_str(*sep) : "";
  bool first = true;
  for (const auto& item : items_of(input(a))) {
    if (!first) out += d;
    out += to_str(attr ? attr_path(item, *attr) : item);
    first = false;
  }
  return out;
}

Value f_length(Args& a, RenderState&) { return length(input(a)); }

Value f_first(Args& a, RenderState&) {
  auto items = items_of(input(a));
  if (items.empty()) return Value::undefined("No first item, sequence was empty.");
  return items.front();
}
Value f_last(Args& a, RenderState&) {
  auto items = items_of(input(a));
  if (items.empty()) return Value::undefined("No last item, sequence was empty.");
  return items.back();
}

Value f_tojson(Args& a, RenderState&) {
  // transformers: tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)
  bool ascii = flag(a, 1, "ensure_ascii");
  const Value* indent_v = opt(a, 2, "indent");
  const Value* seps = opt(a, 3, "separators");
  bool sort_keys = flag(a, 4, "sort_keys");
  int indent = -1;
  std::string indent_str;
  if (indent_v && !indent_v->is_none()) {
    if (!indent_v->is_int()) fail("tojson: indent must be an integer");
    indent = int(std::max<int64_t>(0, indent_v->integer()));
  }
  std::string item_sep = indent >= 0 ? "," : ", ", key_sep = ": ";
  if (seps && !seps->is_none()) {
    if (!seps->is_list() || seps->items().size() != 2 || !seps->items()[0].is_string() || !seps->items()[1].is_string())
      fail("tojson: separators must be a (item_separator, key_separator) pair of strings");
    item_sep = seps->items()[0].str();
    key_sep = seps->items()[1].str();
  }
  return ascii ? to_json_ascii(input(a), indent, item_sep, key_sep, sort_keys)
               : to_json(input(a), indent, item_sep, key_sep, sort_keys);
}

Value f_trim(Args& a, RenderState&) {
  Args m;
  if (const Value* c = opt(a, 1, "chars")) m.positional.push_back(*c);
  return py_strip(Value(to_str(input(a))), m);
}

Value f_replace(Args& a, RenderState&) {
  Args m;
  for (size_t i = 1; i < a.positional.size(); ++i) m.positional.push_back(a.positional[i]);
  for (auto& [k, v] : a.named) m.named.emplace_back(k == "count" ? "count" : k, v);
  const Value& v = input(a);
  if (m.positional.size() >= 2 && !m.positional[0].is_string()) m.positional[0] = to_str(m.positional[0]);
  if (m.positional.size() >= 2 && !m.positional[1].is_string()) m.positional[1] = to_str(m.positional[1]);
  return py_replace(v.is_string() ? v : Value(to_str(v)), m);
}

Value f_indent(Args& a, RenderState&) {
  const Value* w = opt(a, 1, "width");
  std::string ind = !w               ? "    "
                    : w->is_string() ? w->str()
                                     : std::string(size_t(std::max<int64_t>(0, w->integer())), ' ');
  bool first = flag(a, 2, "first"), blank = flag(a, 3, "blank");
  std::string s = to_str(input(a)) + "\n";
  Args none;
  Value lines = find_method(Value(s), "splitlines");
  auto parts = call(lines, none).items();
  std::string rv;
  if (blank) {
    for (size_t i = 0; i < parts.size(); ++i) rv += (i ? "\n" + ind : "") + parts[i].str();
  } else {
    rv = parts.empty() ? "" : parts[0].str();
    for (size_t i = 1; i < parts.size(); ++i) rv += "\n" + (parts[i].str().empty() ? "" : ind) + parts[i].str();
  }
  return first ? ind + rv : rv;
}

Value f_map(Args& a, RenderState& s) {
  const Value* attr = nullptr;
  for (const auto& [k, v] : a.named)
    if (k == "attribute") attr = &v;
  std::vector<Value> out;
  if (attr) {
    const Value* dflt = nullptr;
    for (const auto& [k, v] : a.named)
      if (k == "default") dflt = &v;
    for (const auto& item : items_of(input(a))) {
      Value v = attr_path(item, *attr);
      out.push_back(v.is_undefined() && dflt ? *dflt : v);
    }
    return Value::list(std::move(out));
  }
  if (a.positional.size() < 2 || !a.positional[1].is_string()) fail("map: expected a filter name or attribute=");
  FilterFn fn = find_filter(a.positional[1].str());
  if (!fn) fail("the filter '" + a.positional[1].str() + "' is not supported");
  for (const auto& item : items_of(input(a))) {
    Args fa;
    fa.positional.push_back(item);
    for (size_t i = 2; i < a.positional.size(); ++i) fa.positional.push_back(a.positional[i]);
    fa.named = a.named;
    out.push_back(fn(fa, s));
  }
  return Value::list(std::move(out));
}

// select / reject / selectattr / rejectattr.
Value select(Args& a, RenderState& s, bool keep, bool by_attr) {
  size_t next = 1;
  const Value* attr = nullptr;
  if (by_attr) {
    if (a.positional.size() < 2) fail("selectattr/rejectattr: missing the attribute");
    attr = &a.positional[next++];
  }
  TestFn test = nullptr;
  if (next < a.positional.size()) {
    if (!a.positional[next].is_string()) fail("select: the test name must be a string");
    test = find_test(a.positional[next].str());
    if (!test) fail("the test '" + a.positional[next].str() + "' is not supported");
    ++next;
  }
  std::vector<Value> out;
  for (const auto& item : items_of(input(a))) {
    Value v = attr ? attr_path(item, *attr) : item;
    bool ok;
    if (test) {
      Args ta;
      ta.positional.push_back(v);
      for (size_t i = next; i < a.positional.size(); ++i) ta.positional.push_back(a.positional[i]);
      ok = test(ta, s);
    } else {
      ok = truthy(v);
    }
    if (ok == keep) out.push_back(item);
  }
  return Value::list(std::move(out));
}

Value f_sort(Args& a, RenderState&) {
  bool reverse = flag(a, 1, "reverse"), cs = flag(a, 2, "case_sensitive");
  const Value* attr = opt(a, 3, "attribute");
  std::vector<Value> items = items_of(input(a));
  std::vector<std::pair<Value, Value>> keyed;
  for (auto& it : items) keyed.emplace_back(lowered(attr ? attr_path(it, *attr) : it, cs), it);
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& x, const auto& y) {
    return reverse ? less(y.first, x.first) : less(x.first, y.first);
  });
  std::vector<Value> out;
  for (auto& k : keyed) out.push_back(k.second);
  return Value::list(std::move(out));
}

Value f_dictsort(Args& a, RenderState&) {
  const Value& d = input(a);
  if (!d.is_dict()) fail("dictsort: expected a dict, got " + d.type_name());
  bool cs = flag(a, 1, "case_sensitive");
  const Value* by = opt(a, 2, "by");
  bool by_value = by && by->is_string() && by->str() == "value";
  bool reverse = flag(a, 3, "reverse");
  auto entries = d.dict_data().entries;
  std::stable_sort(entries.begin(), entries.end(), [&](const auto& x, const auto& y) {
    Value kx = lowered(by_value ? x.second : x.first, cs), ky = lowered(by_value ? y.second : y.first, cs);
    return reverse ? less(ky, kx) : less(kx, ky);
  });
  std::vector<Value> out;
  for (auto& [k, v] : entries) out.push_back(Value::list({k, v}, true));
  return Value::list(std::move(out));
}

Value f_unique(Args& a, RenderState&) {
  bool cs = flag(a, 1, "case_sensitive");
  const Value* attr = opt(a, 2, "attribute");
  std::vector<Value> out, seen;
  for (const auto& it : items_of(input(a))) {
    Value key = lowered(attr ? attr_path(it, *attr) : it, cs);
    bool dup = false;
    for (const auto& s : seen) dup = dup || equals(s, key);
    if (dup) continue;
    seen.push_back(key);
    out.push_back(it);
  }
  return Value::list(std::move(out));
}

Value extreme(Args& a, bool want_max) {
  bool cs = flag(a, 1, "case_sensitive");
  const Value* attr = opt(a, 2, "attribute");
  auto items = items_of(input(a));
  if (items.empty()) return Value::undefined(std::string("No aggregated item, sequence was empty."));
  size_t best = 0;
  for (size_t i = 1; i < items.size(); ++i) {
    Value x = lowered(attr ? attr_path(items[i], *attr) : items[i], cs);
    Value b = lowered(attr ? attr_path(items[best], *attr) : items[best], cs);
    if (want_max ? less(b, x) : less(x, b)) best = i;
  }
  return items[best];
}

Value f_sum(Args& a, RenderState&) {
  const Value* attr = opt(a, 1, "attribute");
  const Value* start = opt(a, 2, "start");
  Value total = start ? *start : Value(int64_t(0));
  for (const auto& it : items_of(input(a))) total = binary_op("+", total, attr ? attr_path(it, *attr) : it);
  return total;
}

Value f_int(Args& a, RenderState&) {
  const Value* d = opt(a, 1, "default");
  Value dflt = d ? *d : Value(int64_t(0));
  const Value& v = input(a);
  if (v.is_int() || v.is_bool()) return v.integer();
  if (v.is_float()) return std::isfinite(v.number()) ? Value(int64_t(std::trunc(v.number()))) : dflt;
  if (v.is_string()) {
    std::string s = v.str();
    Args none;
    s = py_strip(Value(s), none).str();
    try {
      size_t used = 0;
      long long n = std::stoll(s, &used, 10);
      if (used == s.size()) return int64_t(n);
      double f = std::stod(s, &used);
      if (used == s.size() && std::isfinite(f)) return int64_t(std::trunc(f));
    } catch (const std::exception&) {}
  }
  return dflt;
}

Value f_float(Args& a, RenderState&) {
  const Value* d = opt(a, 1, "default");
  const Value& v = input(a);
  if (v.is_number()) return v.number();
  if (v.is_string()) {
    try {
      size_t used = 0;
      Args none;
      std::string s = py_strip(v, none).str();
      double f = std::stod(s, &used);
      if (used == s.size()) return f;
    } catch (const std::exception&) {}
  }
  return d ? *d : Value(0.0);
}

Value f_round(Args& a, RenderState&) {
  const Value* p = opt(a, 1, "precision");
  const Value* m = opt(a, 2, "method");
  int64_t precision = p ? p->integer() : 0;
  std::string method = m && m->is_string() ? m->str() : "common";
  double x = input(a).number(), scale = std::pow(10.0, double(precision));
  if (method == "ceil") return std::ceil(x * scale) / scale;
  if (method == "floor") return std::floor(x * scale) / scale;
  if (method != "common") fail("method must be common, ceil or floor");
  // Python's round(): half to even.
  double y = x * scale, r = std::nearbyint(y);
  return r / scale;
}

Value f_list(Args& a, RenderState&) { return Value::list(items_of(input(a))); }

Value f_items(Args& a, RenderState&) {
  const Value& v = input(a);
  if (v.is_undefined()) return Value::list({});
  if (!v.is_dict()) fail("items: can only get item pairs from a mapping.");
  std::vector<Value> out;
  for (const auto& [k, x] : v.dict_data().entries) out.push_back(Value::list({k, x}, true));
  return Value::list(std::move(out));
}

Value f_reverse(Args& a, RenderState&) {
  const Value& v = input(a);
  if (v.is_string()) {
    std::u32string c = code_points(v.str());
    std::reverse(c.begin(), c.end());
    return utf8(c);
  }
  auto items = items_of(v);
  std::reverse(items.begin(), items.end());
  return Value::list(std::move(items));
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

Value f_truncate(Args& a, RenderState&) {
  std::u32string s = code_points(to_str(input(a)));
  const Value* l = opt(a, 1, "length");
  int64_t length = l ? l->integer() : 255;
  bool killwords = flag(a, 2, "killwords");
  const Value* e = opt(a, 3, "end");
  std::u32string end = code_points(e ? to_str(*e) : "...");
  const Value* lw = opt(a, 4, "leeway");
  int64_t leeway = lw && !lw->is_none() ? lw->integer() : 5;
  if (int64_t(s.size()) <= length + leeway) return utf8(s);
  size_t keep = size_t(std::max<int64_t>(0, length - int64_t(end.size())));
  if (killwords) return utf8(s.substr(0, keep) + end);
  std::u32string head = s.substr(0, keep);
  size_t sp = head.rfind(U' ');
  if (sp != std::u32string::npos) head = head.substr(0, sp);
  return utf8(head + end);
}

Value f_center(Args& a, RenderState&) {
  Args m;
  const Value* w = opt(a, 1, "width");
  m.positional.push_back(w ? *w : Value(int64_t(80)));
  return call(find_method(Value(to_str(input(a))), "center"), m);
}

Value f_wordcount(Args& a, RenderState&) {
  int64_t n = 0;
  bool in_word = false;
  for (char32_t c : code_points(to_str(input(a)))) {
    bool w = c == '_' || (c < 128 ? std::isalnum(int(c)) != 0 : !is_space(c));
    if (w && !in_word) ++n;
    in_word = w;
  }
  return n;
}

Value f_batch(Args& a, RenderState&) {
  const Value* c = opt(a, 1, "linecount");
  if (!c || !c->is_int() || c->integer() <= 0) fail("batch: linecount must be a positive integer");
  const Value* fill = opt(a, 2, "fill_with");
  std::vector<Value> out, cur;
  for (const auto& it : items_of(input(a))) {
    cur.push_back(it);
    if (int64_t(cur.size()) == c->integer()) {
      out.push_back(Value::list(std::move(cur)));
      cur.clear();
    }
  }
  if (!cur.empty()) {
    if (fill && !fill->is_none())
      while (int64_t(cur.size()) < c->integer()) cur.push_back(*fill);
    out.push_back(Value::list(std::move(cur)));
  }
  return Value::list(std::move(out));
}

Value f_format(Args& a, RenderState&) {
  std::vector<Value> rest(a.positional.begin() + 1, a.positional.end());
  if (!a.named.empty()) {
    DictData d;
    for (auto& [k, v] : a.named) d.set(Value(k), v);
    return percent_format(to_str(input(a)), Value::dict(std::move(d)));
  }
  return percent_format(to_str(input(a)), Value::list(std::move(rest), true));
}

const std::map<std::string_view, FilterFn>& table() {
  static const std::map<std::string_view, FilterFn> t = {
      {"abs",
       [](Args& a, RenderState&) {
         const Value& v = input(a);
         if (v.is_float()) return Value(std::fabs(v.number()));
         if (v.is_number()) return negate(v, v.integer() < 0);
         fail("bad operand type for abs(): '" + v.type_name() + "'");
       }},
      {"attr",
       [](Args& a, RenderState&) {
         if (a.positional.size() < 2) fail("attr: missing the attribute name");
         return attribute(input(a), to_str(a.positional[1]));
       }},
      {"batch", f_batch},
      {"capitalize", [](Args& a, RenderState&) { return Value(py_capitalize(to_str(input(a)))); }},
      {"center", f_center},
      {"count", f_length},
      {"d", f_default},
      {"default", f_default},
      {"dictsort", f_dictsort},
      {"e", [](Args& a, RenderState&) { return Value(html_escape(to_str(input(a)))); }},
      {"escape", [](Args& a, RenderState&) { return Value(html_escape(to_str(input(a)))); }},
      {"forceescape", [](Args& a, RenderState&) { return Value(html_escape(to_str(input(a)))); }},
      {"first", f_first},
      {"float", f_float},
      {"format", f_format},
      {"indent", f_indent},
      {"int", f_int},
      {"items", f_items},
      {"join", f_join},
      {"last", f_last},
      {"length", f_length},
      {"list", f_list},
      {"lower", [](Args& a, RenderState&) { return Value(py_lower(to_str(input(a)))); }},
      {"map", f_map},
      {"max", [](Args& a, RenderState&) { return extreme(a, true); }},
      {"min", [](Args& a, RenderState&) { return extreme(a, false); }},
      {"reject", [](Args& a, RenderState& s) { return select(a, s, false, false); }},
      {"rejectattr", [](Args& a, RenderState& s) { return select(a, s, false, true); }},
      {"replace", f_replace},
      {"reverse", f_reverse},
      {"round", f_round},
      {"safe", [](Args& a, RenderState&) { return Value(to_str(input(a))); }},
      {"select", [](Args& a, RenderState& s) { return select(a, s, true, false); }},
      {"selectattr", [](Args& a, RenderState& s) { return select(a, s, true, true); }},
      {"sort", f_sort},
      {"string", [](Args& a, RenderState&) { return Value(to_str(input(a))); }},
      {"sum", f_sum},
      {"title",
       [](Args& a, RenderState&) {
         // jinja2's do_title: words split at whitespace, -, (, {, [, <; first letter upper, rest lower.
         std::u32string s = code_points(to_str(input(a))), out;
         bool start = true;
         for (char32_t c : s) {
           bool sep = is_space(c) || c == '-' || c == '(' || c == '{' || c == '[' || c == '<';
           std::string one = utf8(std::u32string(1, c));
           out += code_points(sep ? one : start ? py_upper(one) : py_lower(one));
           start = sep;
         }
         return Value(utf8(out));
       }},
      {"tojson", f_tojson},
      {"trim", f_trim},
      {"truncate", f_truncate},
      {"unique", f_unique},
      {"upper", [](Args& a, RenderState&) { return Value(py_upper(to_str(input(a)))); }},
      {"wordcount", f_wordcount},
  };
  return t;
}

}  // namespace

FilterFn find_filter(std::string_view name) {
  auto it = table().find(name);
  return it == table().end() ? nullptr : it->second;
}

}  // namespace modelexport::processors::templates
