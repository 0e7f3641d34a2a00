// Python semantics of the engine's values (CPython 3.11 rules for str(), repr(), ==, <, len, []).
#include "processors/templates/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "processors/templates/builtins.h"

namespace modelexport::processors::templates {

void fail(std::string message) { throw EvalError{std::move(message)}; }

Value Value::list(std::vector<Value> items, bool tuple) {
  auto d = std::make_shared<ListData>();
  d->items = std::move(items);
  d->tuple = tuple;
  Value r;
  r.v = std::shared_ptr<const ListData>(std::move(d));
  return r;
}
Value Value::dict(DictData d) {
  Value r;
  r.v = std::shared_ptr<const DictData>(std::make_shared<DictData>(std::move(d)));
  return r;
}
Value Value::callable(std::string name, std::function<Value(Args&)> fn) {
  Value r;
  r.v =
      std::shared_ptr<const CallableData>(std::make_shared<CallableData>(CallableData{std::move(name), std::move(fn)}));
  return r;
}

std::string Value::type_name() const {
  switch (v.index()) {
    case 0: return "Undefined";
    case 1: return "NoneType";
    case 2: return "bool";
    case 3: return "int";
    case 4: return "float";
    case 5: return "str";
    case 6: return list_data().tuple ? "tuple" : "list";
    case 7: return "dict";
    case 8: return "Namespace";
    default: return "function";
  }
}

// Python hashes equal numbers alike (1 == 1.0 == True); dict lookups follow ==.
const Value* DictData::find(const Value& key) const {
  for (const auto& [k, v] : entries)
    if (equals(k, key)) return &v;
  return nullptr;
}
void DictData::set(Value key, Value value) {
  for (auto& [k, v] : entries)
    if (equals(k, key)) {
      v = std::move(value);
      return;
    }
  entries.emplace_back(std::move(key), std::move(value));
}

const Value* Args::get(size_t i, std::string_view name) const {
  for (const auto& [n, v] : named)
    if (n == name) return &v;
  return i < positional.size() ? &positional[i] : nullptr;
}
void Args::check(std::string_view function, size_t max_positional,
                 std::initializer_list<std::string_view> names) const {
  if (positional.size() > max_positional)
    fail(std::string(function) + "() takes at most " + std::to_string(max_positional) + " positional arguments (" +
         std::to_string(positional.size()) + " given)");
  for (const auto& [n, v] : named) {
    bool ok = false;
    for (auto allowed : names) ok = ok || allowed == n;
    if (!ok) fail(std::string(function) + "() got an unexpected keyword argument '" + n + "'");
  }
}

bool truthy(const Value& v) {
  switch (v.v.index()) {
    case 0:
    case 1: return false;
    case 2: return std::get<bool>(v.v);
    case 3: return std::get<int64_t>(v.v) != 0;
    case 4: return std::get<double>(v.v) != 0.0;
    case 5: return !v.str().empty();
    case 6: return !v.items().empty();
    case 7: return !v.dict_data().entries.empty();
    default: return true;
  }
}

bool equals(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return a.number() == b.number();
    return a.integer() == b.integer();
  }
  if (a.v.index() != b.v.index()) return false;
  switch (a.v.index()) {
    case 0:
    case 1: return true;
    case 5: return a.str() == b.str();
    case 6: {
      const auto& x = a.list_data();
      const auto& y = b.list_data();
      if (x.tuple != y.tuple || x.items.size() != y.items.size()) return false;
      for (size_t i = 0; i < x.items.size(); ++i)
        if (!equals(x.items[i], y.items[i])) return false;
      return true;
    }
    case 7: {
      const auto& x = a.dict_data().entries;
      const auto& y = b.dict_data();
      if (x.size() != y.entries.size()) return false;
      for (const auto& [k, v] : x) {
        const Value* o = y.find(k);
        if (!o || !equals(v, *o)) return false;
      }
      return true;
    }
    case 8: return &a.ns() == &b.ns();
    default: return &a.callable_data() == &b.callable_data();
  }
}

bool less(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return a.number() < b.number();
    return a.integer() < b.integer();
  }
  if (a.is_string() && b.is_string()) return code_points(a.str()) < code_points(b.str());
  if (a.is_list() && b.is_list() && a.list_data().tuple == b.list_data().tuple) {
    const auto& x = a.items();
    const auto& y = b.items();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (equals(x[i], y[i])) continue;
      return less(x[i], y[i]);
    }
    return x.size() < y.size();
  }
  if (a.is_undefined()) fail(a.undefined_hint());
  if (b.is_undefined()) fail(b.undefined_hint());
  fail("'<' not supported between instances of '" + a.type_name() + "' and '" + b.type_name() + "'");
}

std::string float_repr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
  // Shortest round-trip digits, laid out as Python's repr: exponent form when exp < -4 or >= 16.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  bool neg = sci[0] == '-';
  if (neg) sci.erase(0, 1);
  size_t e = sci.find('e');
  std::string mant = sci.substr(0, e);
  int exp = std::stoi(sci.substr(e + 1));
  std::string digits;
  for (char c : mant)
    if (c != '.') digits += c;
  std::string out;
  if (exp < -4 || exp >= 16) {
    out = digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char eb[16];
    std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
    out += eb;
  } else if (exp < 0) {
    out = "0." + std::string(size_t(-exp - 1), '0') + digits;
  } else if (size_t(exp) + 1 >= digits.size()) {
    out = digits + std::string(size_t(exp) + 1 - digits.size(), '0') + ".0";
  } else {
    out = digits.substr(0, size_t(exp) + 1) + "." + digits.substr(size_t(exp) + 1);
  }
  return neg ? "-" + out : out;
}

namespace {

std::string string_repr(const std::string& s) {
  char quote = (s.find('\'') != std::string::npos && s.find('"') == std::string::npos) ? '"' : '\'';
  std::string out(1, quote);
  for (char32_t c : code_points(s)) {
    if (c == char32_t(quote) || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
      char b[8];
      std::snprintf(b, sizeof b, "\\x%02x", unsigned(c));
      out += b;
    } else {
      out += utf8(std::u32string(1, c));
    }
  }
  return out + quote;
}

}  // namespace

std::string repr(const Value& v) {
  switch (v.v.index()) {
    case 5: return string_repr(v.str());
    case 6: {
      const auto& d = v.list_data();
      std::string out = d.tuple ? "(" : "[";
      for (size_t i = 0; i < d.items.size(); ++i) out += (i ? ", " : "") + repr(d.items[i]);
      if (d.tuple && d.items.size() == 1) out += ",";
      return out + (d.tuple ? ")" : "]");
    }
    case 7: {
      std::string out = "{";
      bool first = true;
      for (const auto& [k, x] : v.dict_data().entries) {
        out += (first ? "" : ", ") + repr(k) + ": " + repr(x);
        first = false;
      }
      return out + "}";
    }
    default: return to_str(v);
  }
}

std::string to_str(const Value& v) {
  switch (v.v.index()) {
    case 0: return "";
    case 1: return "None";
    case 2: return std::get<bool>(v.v) ? "True" : "False";
    case 3: return std::to_string(std::get<int64_t>(v.v));
    case 4: return float_repr(std::get<double>(v.v));
    case 5: return v.str();
    case 8: {
      std::string out = "<Namespace {";
      bool first = true;
      for (const auto& [k, x] : v.ns().attrs.entries) {
        out += (first ? "" : ", ") + repr(k) + ": " + repr(x);
        first = false;
      }
      return out + "}>";
    }
    case 9: return "<function " + v.callable_data().name + ">";
    default: return repr(v);
  }
}

int64_t length(const Value& v) {
  if (v.is_string()) {
    int64_t n = 0;
    for (unsigned char c : v.str()) n += (c & 0xC0) != 0x80;
    return n;
  }
  if (v.is_list()) return int64_t(v.items().size());
  if (v.is_dict()) return int64_t(v.dict_data().entries.size());
  if (v.is_undefined()) return 0;
  fail("object of type '" + v.type_name() + "' has no len()");
}

std::vector<Value> iterate(const Value& v) {
  if (v.is_list()) return v.items();
  if (v.is_dict()) {
    std::vector<Value> keys;
    for (const auto& e : v.dict_data().entries) keys.push_back(e.first);
    return keys;
  }
  if (v.is_string()) {
    std::vector<Value> chars;
    for (char32_t c : code_points(v.str())) chars.emplace_back(utf8(std::u32string(1, c)));
    return chars;
  }
  if (v.is_undefined()) return {};
  fail("'" + v.type_name() + "' object is not iterable");
}

namespace {

std::string object_type(const Value& obj) { return obj.is_none() ? "None" : "'" + obj.type_name() + " object'"; }

Value item_of(const Value& obj, const Value& key) {
  if (obj.is_dict()) {
    if (const Value* v = obj.dict_data().find(key)) return *v;
    return Value();
  }
  if (obj.is_namespace()) {
    if (const Value* v = obj.ns().attrs.find(key)) return *v;
    return Value();
  }
  if ((obj.is_list() || obj.is_string()) && (key.is_int() || key.is_bool())) {
    int64_t n = length(obj), i = key.integer();
    if (i < 0) i += n;
    if (i < 0 || i >= n) return Value();
    if (obj.is_list()) return obj.items()[size_t(i)];
    return utf8(std::u32string(1, code_points(obj.str())[size_t(i)]));
  }
  return Value();
}

Value missing(const Value& obj, const Value& key) {
  if (key.is_string()) return Value::undefined(object_type(obj) + " has no attribute " + repr(key));
  return Value::undefined(object_type(obj) + " has no element " + repr(key));
}

}  // namespace

int64_t digits_index(std::string_view digits) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  return ec == std::errc::result_out_of_range ? std::numeric_limits<int64_t>::max() : n;
}

Value subscript(const Value& obj, const Value& key) {
  if (obj.is_undefined()) fail(obj.undefined_hint());
  Value r = item_of(obj, key);
  if (!r.is_undefined()) return r;
  if (key.is_string()) {
    Value m = find_method(obj, key.str());
    if (!m.is_undefined()) return m;
  }
  return missing(obj, key);
}

Value attribute(const Value& obj, const std::string& name) {
  if (obj.is_undefined()) fail(obj.undefined_hint());
  Value m = find_method(obj, name);
  if (!m.is_undefined()) return m;
  Value r = item_of(obj, Value(name));
  if (!r.is_undefined()) return r;
  return missing(obj, Value(name));
}

Value call(const Value& callee, Args& args) {
  if (callee.is_callable()) return callee.callable_data().fn(args);
  if (callee.is_undefined()) fail(callee.undefined_hint());
  fail("'" + callee.type_name() + "' object is not callable");
}

}  // namespace modelexport::processors::templates
