// The globals a chat template sees: jinja2's (range with the sandbox's MAX_RANGE, dict, namespace,
// cycler-free) plus transformers' raise_exception and strftime_now (chat_template_utils.py).
#include <chrono>
#include <cstdio>
#include <ctime>

#include "processors/templates/builtins.h"
#include "processors/templates/evaluator.h"

namespace modelexport::processors::templates {
namespace {

constexpr int64_t kMaxRange = 100000;  // jinja2.sandbox.MAX_RANGE

Value range(Args& a) {
  if (!a.named.empty()) fail("range() takes no keyword arguments");
  std::vector<int64_t> n;
  for (const auto& v : a.positional) {
    if (!v.is_int() && !v.is_bool()) fail("'" + v.type_name() + "' object cannot be interpreted as an integer");
    n.push_back(v.integer());
  }
  if (n.empty() || n.size() > 3) fail("range expected 1 to 3 arguments, got " + std::to_string(n.size()));
  int64_t start = n.size() == 1 ? 0 : n[0], stop = n.size() == 1 ? n[0] : n[1], step = n.size() == 3 ? n[2] : 1;
  if (step == 0) fail("range() arg 3 must not be zero");
  std::vector<Value> out;
  for (int64_t i = start; step > 0 ? i < stop : i > stop;) {
    if (int64_t(out.size()) >= kMaxRange)
      fail("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
    out.emplace_back(i);
    if (__builtin_add_overflow(i, step, &i)) break;
  }
  return Value::list(std::move(out));
}

DictData kwargs_dict(Args& a, const char* function) {
  DictData d;
  for (const auto& p : a.positional) {
    if (!p.is_dict()) fail(std::string(function) + "(): positional argument must be a mapping");
    for (const auto& [k, v] : p.dict_data().entries) d.set(k, v);
  }
  for (const auto& [k, v] : a.named) d.set(Value(k), v);
  return d;
}

// ISO-8601 "YYYY-MM-DDTHH:MM[:SS[.fff]]" (a trailing zone is ignored: strftime_now formats local time).
std::tm parse_iso(const std::string& s) {
  std::tm t{};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  int n = std::sscanf(s.c_str(), "%4d-%2d-%2d%*1[T ]%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec);
  if (n < 3 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
    fail("the time '" + s + "' is not ISO-8601 (YYYY-MM-DDTHH:MM:SS)");
  t.tm_year = y - 1900;
  t.tm_mon = mo - 1;
  t.tm_mday = d;
  t.tm_hour = h;
  t.tm_min = mi;
  t.tm_sec = sec;
  std::time_t tt = timegm(&t);  // normalizes and fills weekday / day of year
  gmtime_r(&tt, &t);
  return t;
}

}  // namespace

std::tm render_time(const std::optional<std::string>& now) {
  if (now) return parse_iso(*now);
  std::time_t tt = std::time(nullptr);
  std::tm t{};
  localtime_r(&tt, &t);
  return t;
}

void add_globals(DictData& g, RenderState& state) {
  g.set(Value("range"), Value::callable("range", range));
  g.set(Value("dict"), Value::callable("dict", [](Args& a) { return Value::dict(kwargs_dict(a, "dict")); }));
  g.set(Value("namespace"), Value::callable("namespace", [](Args& a) {
          auto ns = std::make_shared<NamespaceData>();
          ns->attrs = kwargs_dict(a, "namespace");
          Value v;
          v.v = ns;
          return v;
        }));
  g.set(Value("raise_exception"), Value::callable("raise_exception", [](Args& a) -> Value {
          const Value* m = a.get(0, "message");
          throw EvalError{m ? to_str(*m) : std::string(), 0, true};
        }));
  const RenderState* s = &state;
  g.set(Value("strftime_now"), Value::callable("strftime_now", [s](Args& a) -> Value {
          const Value* f = a.get(0, "format");
          if (!f || !f->is_string()) fail("strftime_now() expects a format string");
          std::tm t = render_time(s->now);
          char buf[1024];
          size_t n = std::strftime(buf, sizeof buf, f->str().c_str(), &t);
          if (n == 0 && !f->str().empty()) fail("strftime_now(): the formatted time is empty or too long");
          return std::string(buf, n);
        }));
}

}  // namespace modelexport::processors::templates
