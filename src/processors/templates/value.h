// The template engine's values, with Python semantics (what jinja2 templates see when transformers
// renders them): None, bool, int, float, str, list/tuple, dict (insertion-ordered), namespace,
// callables (macros, builtins, bound methods) and jinja2's Undefined.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace modelexport::processors::templates {

// An error while evaluating: the evaluator adds the line. `raised` marks raise_exception, whose
// message is the template's own and is shown as is.
struct EvalError {
  std::string message;
  int line = 0;
  bool raised = false;
};
[[noreturn]] void fail(std::string message);

struct Value;
struct ListData {
  std::vector<Value> items;
  bool tuple = false;
};
struct DictData;
struct NamespaceData;
struct Args;
struct CallableData;

// jinja2's Undefined: prints as "", iterates as empty, is false; most other uses raise `hint`.
struct Undefined {
  std::string hint;  // "'x' is undefined", "'dict object' has no attribute 'y'"
};
struct None {};

struct Value {
  using Storage = std::variant<Undefined, None, bool, int64_t, double, std::string, std::shared_ptr<const ListData>,
                               std::shared_ptr<const DictData>, std::shared_ptr<NamespaceData>,
                               std::shared_ptr<const CallableData>>;
  Storage v;

  Value() : v(Undefined{}) {}
  Value(None) : v(None{}) {}
  Value(bool b) : v(b) {}
  Value(int64_t i) : v(i) {}
  Value(int i) : v(int64_t(i)) {}
  Value(double d) : v(d) {}
  Value(std::string s) : v(std::move(s)) {}
  Value(const char* s) : v(std::string(s)) {}
  static Value undefined(std::string hint) {
    Value r;
    r.v = Undefined{std::move(hint)};
    return r;
  }
  static Value list(std::vector<Value> items, bool tuple = false);
  static Value dict(DictData d);
  static Value callable(std::string name, std::function<Value(Args&)> fn);

  bool is_undefined() const { return std::holds_alternative<Undefined>(v); }
  bool is_none() const { return std::holds_alternative<None>(v); }
  bool is_bool() const { return std::holds_alternative<bool>(v); }
  bool is_int() const { return std::holds_alternative<int64_t>(v); }  // bool excluded
  bool is_float() const { return std::holds_alternative<double>(v); }
  bool is_number() const { return is_int() || is_float() || is_bool(); }
  bool is_string() const { return std::holds_alternative<std::string>(v); }
  bool is_list() const { return std::holds_alternative<std::shared_ptr<const ListData>>(v); }
  bool is_dict() const { return std::holds_alternative<std::shared_ptr<const DictData>>(v); }
  bool is_namespace() const { return std::holds_alternative<std::shared_ptr<NamespaceData>>(v); }
  bool is_callable() const { return std::holds_alternative<std::shared_ptr<const CallableData>>(v); }

  const std::string& str() const { return std::get<std::string>(v); }
  int64_t integer() const { return is_bool() ? int64_t(std::get<bool>(v)) : std::get<int64_t>(v); }
  double number() const { return is_float() ? std::get<double>(v) : double(integer()); }
  const ListData& list_data() const { return *std::get<std::shared_ptr<const ListData>>(v); }
  const std::vector<Value>& items() const { return list_data().items; }
  const DictData& dict_data() const { return *std::get<std::shared_ptr<const DictData>>(v); }
  NamespaceData& ns() const { return *std::get<std::shared_ptr<NamespaceData>>(v); }
  const CallableData& callable_data() const { return *std::get<std::shared_ptr<const CallableData>>(v); }
  const std::string& undefined_hint() const { return std::get<Undefined>(v).hint; }

  // Python's type name as jinja2 messages print it ("dict", "str", "NoneType", ...).
  std::string type_name() const;
};

struct DictData {
  std::vector<std::pair<Value, Value>> entries;
  const Value* find(const Value& key) const;
  void set(Value key, Value value);
};
struct NamespaceData {
  DictData attrs;
};
struct Args {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> named;
  // Python-style binding of the arguments a builtin takes; `i`-th parameter named `name`.
  const Value* get(size_t i, std::string_view name) const;
  void check(std::string_view function, size_t max_positional, std::initializer_list<std::string_view> names) const;
};
struct CallableData {
  std::string name;
  std::function<Value(Args&)> fn;
};

// Python semantics.
bool truthy(const Value& v);
bool equals(const Value& a, const Value& b);
// a < b as Python orders them (numbers, strings, lists); raises TypeError otherwise.
bool less(const Value& a, const Value& b);
std::string to_str(const Value& v);  // str(v); Undefined prints ""
std::string repr(const Value& v);    // repr(v)
std::string float_repr(double d);    // Python's repr(float)
// len(v) for strings (code points), lists, dicts; raises otherwise.
int64_t length(const Value& v);
// The items a for loop visits: list items, dict keys, string characters; Undefined is empty.
std::vector<Value> iterate(const Value& v);
// [] subscription, Python's rules (negative indices); Undefined with jinja2's hint when absent.
Value subscript(const Value& obj, const Value& key);
// An item index written as ASCII digits (`foo.0`, attribute="items.1"), as Python's int() reads it.
// Past int64 it is INT64_MAX: Python's int is unbounded, but no list, string or JSON object (whose keys
// are strings) has an item at such an index, so jinja2's getitem gives Undefined either way (IndexError
// and KeyError are LookupErrors, which it turns into Undefined), and so does subscript at INT64_MAX.
int64_t digits_index(std::string_view digits);
// obj.name: a method of str/dict/list or the item; Undefined when neither.
Value attribute(const Value& obj, const std::string& name);
Value call(const Value& callee, Args& args);

}  // namespace modelexport::processors::templates
