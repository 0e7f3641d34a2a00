// Python 3.11 operator semantics for the engine's values.
#include "processors/templates/operators.h"

#include <cmath>
#include <cstdio>

#include "processors/templates/builtins.h"

namespace modelexport::processors::templates {
namespace {

[[noreturn]] void unsupported(std::string_view op, const Value& l, const Value& r) {
  if (l.is_undefined()) fail(l.undefined_hint());
  if (r.is_undefined()) fail(r.undefined_hint());
  if (op == "+" && l.is_string()) fail("can only concatenate str (not \"" + r.type_name() + "\") to str");
  if (op == "+" && l.is_list() && !l.list_data().tuple)
    fail("can only concatenate list (not \"" + r.type_name() + "\") to list");
  fail("unsupported operand type(s) for " + std::string(op) + ": '" + l.type_name() + "' and '" + r.type_name() + "'");
}

// Python's ints are unbounded; ours are 64-bit and refuse to overflow.
int64_t checked(bool overflowed, int64_t v) {
  if (overflowed) fail("integer overflow (template integers are 64-bit)");
  return v;
}
int64_t add(int64_t a, int64_t b) {
  int64_t r;
  bool overflowed = __builtin_add_overflow(a, b, &r);
  return checked(overflowed, r);
}
int64_t sub(int64_t a, int64_t b) {
  int64_t r;
  bool overflowed = __builtin_sub_overflow(a, b, &r);
  return checked(overflowed, r);
}
int64_t mul(int64_t a, int64_t b) {
  int64_t r;
  bool overflowed = __builtin_mul_overflow(a, b, &r);
  return checked(overflowed, r);
}

int64_t floor_div(int64_t a, int64_t b) {
  checked(a == INT64_MIN && b == -1, 0);
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
int64_t py_mod(int64_t a, int64_t b) {
  int64_t m = a % b;
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  return m;
}
double py_fmod(double a, double b) {
  double m = std::fmod(a, b);
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  return m;
}

Value repeat(const Value& seq, int64_t n) {
  if (seq.is_string()) {
    std::string out;
    for (int64_t i = 0; i < n; ++i) {
      out += seq.str();
      if (out.size() > (64u << 20)) fail("string repetition is too large");
    }
    return out;
  }
  std::vector<Value> out;
  for (int64_t i = 0; i < n; ++i) {
    out.insert(out.end(), seq.items().begin(), seq.items().end());
    if (out.size() > 10000000) fail("list repetition is too large");
  }
  return Value::list(std::move(out), seq.list_data().tuple);
}

}  // namespace

Value negate(const Value& v, bool minus) {
  if (v.is_float()) return Value(minus ? -v.number() : v.number());
  if (v.is_number()) return Value(minus ? sub(0, v.integer()) : v.integer());
  if (v.is_undefined()) fail(v.undefined_hint());
  fail(std::string("bad operand type for unary ") + (minus ? "-" : "+") + ": '" + v.type_name() + "'");
}

bool contains(const Value& c, const Value& item) {
  if (c.is_string()) {
    if (!item.is_string()) {
      if (item.is_undefined()) fail(item.undefined_hint());
      fail("'in <string>' requires string as left operand, not " + item.type_name());
    }
    return c.str().find(item.str()) != std::string::npos;
  }
  if (c.is_list()) {
    for (const auto& x : c.items())
      if (equals(x, item)) return true;
    return false;
  }
  if (c.is_dict()) return c.dict_data().find(item) != nullptr;
  if (c.is_undefined()) return false;
  fail("argument of type '" + c.type_name() + "' is not iterable");
}

Value binary_op(std::string_view op, const Value& l, const Value& r) {
  if (op == "~") return to_str(l) + to_str(r);
  if (op == "==") return equals(l, r);
  if (op == "!=") return !equals(l, r);
  if (op == "<") return less(l, r);
  if (op == ">") return less(r, l);
  if (op == "<=") return less(l, r) || (equals(l, r) && !l.is_undefined());
  if (op == ">=") return less(r, l) || (equals(l, r) && !l.is_undefined());
  if (op == "in") return contains(r, l);
  if (op == "not in") return !contains(r, l);
  bool nums = l.is_number() && r.is_number();
  bool floats = nums && (l.is_float() || r.is_float());
  if (op == "+") {
    if (floats) return l.number() + r.number();
    if (nums) return add(l.integer(), r.integer());
    if (l.is_string() && r.is_string()) return l.str() + r.str();
    if (l.is_list() && r.is_list() && l.list_data().tuple == r.list_data().tuple) {
      std::vector<Value> out = l.items();
      out.insert(out.end(), r.items().begin(), r.items().end());
      return Value::list(std::move(out), l.list_data().tuple);
    }
    unsupported(op, l, r);
  }
  if (op == "-") {
    if (floats) return l.number() - r.number();
    if (nums) return sub(l.integer(), r.integer());
    unsupported(op, l, r);
  }
  if (op == "*") {
    if (floats) return l.number() * r.number();
    if (nums) return mul(l.integer(), r.integer());
    if ((l.is_string() || l.is_list()) && (r.is_int() || r.is_bool())) return repeat(l, r.integer());
    if ((r.is_string() || r.is_list()) && (l.is_int() || l.is_bool())) return repeat(r, l.integer());
    unsupported(op, l, r);
  }
  if (op == "/") {
    if (!nums) unsupported(op, l, r);
    if (r.number() == 0) fail(floats ? "float division by zero" : "division by zero");
    return l.number() / r.number();
  }
  if (op == "//") {
    if (!nums) unsupported(op, l, r);
    if (r.number() == 0) fail(floats ? "float floor division by zero" : "integer division or modulo by zero");
    if (floats) return std::floor(l.number() / r.number());
    return floor_div(l.integer(), r.integer());
  }
  if (op == "%") {
    if (l.is_string()) return percent_format(l.str(), r);
    if (!nums) unsupported(op, l, r);
    if (r.number() == 0) fail(floats ? "float modulo" : "integer division or modulo by zero");
    if (floats) return py_fmod(l.number(), r.number());
    if (r.integer() == -1) return int64_t(0);
    return py_mod(l.integer(), r.integer());
  }
  if (op == "**") {
    if (!nums) unsupported(op, l, r);
    if (!floats && r.integer() >= 0) {
      int64_t result = 1, base = l.integer(), e = r.integer();
      while (e > 0) {  // by squaring; base squares only while higher bits remain, so its overflow is the result's
        if (e & 1) result = mul(result, base);
        e >>= 1;
        if (e) base = mul(base, base);
      }
      return result;
    }
    return std::pow(l.number(), r.number());
  }
  fail("unknown operator '" + std::string(op) + "'");
}

std::string percent_format(const std::string& format, const Value& args) {
  std::vector<Value> values = args.is_list() && args.list_data().tuple ? args.items() : std::vector<Value>{args};
  const DictData* mapping = args.is_dict() ? &args.dict_data() : nullptr;
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      out += format[i];
      continue;
    }
    if (++i >= format.size()) fail("incomplete format");
    if (format[i] == '%') {
      out += '%';
      continue;
    }
    const Value* value = nullptr;
    Value keyed;
    if (format[i] == '(' && mapping) {
      size_t close = format.find(')', i);
      if (close == std::string::npos) fail("incomplete format key");
      const Value* v = mapping->find(Value(format.substr(i + 1, close - i - 1)));
      if (!v) fail("KeyError: " + format.substr(i + 1, close - i - 1));
      keyed = *v;
      value = &keyed;
      i = close + 1;
    }
    std::string spec = "%";
    while (i < format.size() && std::string_view("-+ #0123456789.").find(format[i]) != std::string_view::npos)
      spec += format[i++];
    if (i >= format.size()) fail("incomplete format");
    char conv = format[i];
    if (!value) {
      if (mapping) {
        keyed = args;
        value = &keyed;
      } else {
        if (next >= values.size()) fail("not enough arguments for format string");
        value = &values[next++];
      }
    }
    char buf[512];
    switch (conv) {
      case 's':
      case 'r': {
        std::string s = conv == 's' ? to_str(*value) : repr(*value);
        std::snprintf(buf, sizeof buf, (spec + "s").c_str(), s.c_str());
        out += spec == "%" ? s : std::string(buf);
        break;
      }
      case 'd':
      case 'i':
      case 'x':
      case 'X':
      case 'o': {
        if (!value->is_number())
          fail("%" + std::string(1, conv) + " format: a real number is required, not " + value->type_name());
        int64_t n = value->is_float() ? int64_t(value->number()) : value->integer();
        std::snprintf(buf, sizeof buf, (spec + "ll" + (conv == 'i' ? 'd' : conv)).c_str(), (long long)n);
        out += buf;
        break;
      }
      case 'f':
      case 'F':
      case 'e':
      case 'E':
      case 'g':
      case 'G': {
        if (!value->is_number()) fail("must be real number, not " + value->type_name());
        std::snprintf(buf, sizeof buf, (spec + conv).c_str(), value->number());
        out += buf;
        break;
      }
      default: fail(std::string("unsupported format character '") + conv + "'");
    }
  }
  if (!mapping && next < values.size()) fail("not all arguments converted during string formatting");
  return out;
}

Value slice(const Value& obj, const Value& start, const Value& stop, const Value& step) {
  if (obj.is_undefined()) fail(obj.undefined_hint());
  if (!obj.is_string() && !obj.is_list()) fail("'" + obj.type_name() + "' object is not subscriptable");
  auto index = [](const Value& v, const char* what) -> std::optional<int64_t> {
    if (v.is_none() || v.is_undefined()) return std::nullopt;
    if (!v.is_int() && !v.is_bool()) fail(std::string("slice ") + what + " indices must be integers or None");
    return v.integer();
  };
  int64_t n = length(obj);
  int64_t st = index(step, "step").value_or(1);
  if (st == 0) fail("slice step cannot be zero");
  auto clamp = [&](std::optional<int64_t> v, int64_t dflt) {
    if (!v) return dflt;
    int64_t x = *v;
    if (x < 0) x += n;
    if (st > 0) return std::clamp<int64_t>(x, 0, n);
    return std::clamp<int64_t>(x, -1, n - 1);
  };
  int64_t b = clamp(index(start, "start"), st > 0 ? 0 : n - 1);
  int64_t e = clamp(index(stop, "stop"), st > 0 ? n : -1);
  std::vector<size_t> picks;
  for (int64_t i = b; st > 0 ? i < e : i > e; i += st) picks.push_back(size_t(i));
  if (obj.is_string()) {
    std::u32string cps = code_points(obj.str()), out;
    for (size_t i : picks) out += cps[i];
    return utf8(out);
  }
  std::vector<Value> out;
  for (size_t i : picks) out.push_back(obj.items()[i]);
  return Value::list(std::move(out), obj.list_data().tuple);
}

}  // namespace modelexport::processors::templates
