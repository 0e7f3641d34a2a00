// The template interpreter (jinja2 3.1 runtime semantics; see evaluator.h).
#include "processors/templates/evaluator.h"

#include "processors/templates/builtins.h"
#include "processors/templates/operators.h"

namespace modelexport::processors::templates {
namespace {

enum class Flow { Normal, Break, Continue };

class Evaluator {
 public:
  explicit Evaluator(RenderState& state) : s_(state) {}

  Flow exec(const Body& body, const std::shared_ptr<Frame>& frame) {
    for (const auto& n : body) {
      Flow f = exec_node(*n, frame);
      if (f != Flow::Normal) return f;
    }
    return Flow::Normal;
  }

  Value eval(const Expr& e, const std::shared_ptr<Frame>& frame) {
    try {
      return eval_expr(e, frame);
    } catch (EvalError& err) {
      if (err.line == 0) err.line = e.line;
      throw;
    }
  }

 private:
  RenderState& s_;

  void write(std::string_view text) {
    s_.out->append(text);
    if (s_.out->size() > s_.limits.max_output_bytes)
      fail("the output exceeds the limit of " + std::to_string(s_.limits.max_output_bytes) +
           " bytes (RenderOptions::max_output_bytes)");
  }

  static Value lookup(const std::string& name, const std::shared_ptr<Frame>& frame, const RenderState& s) {
    for (const Frame* f = frame.get(); f; f = f->parent.get()) {
      auto it = f->vars.find(name);
      if (it != f->vars.end()) return it->second;
    }
    if (const Value* g = s.globals.find(Value(name))) return *g;
    return Value::undefined("'" + name + "' is undefined");
  }

  Flow exec_node(const Node& n, const std::shared_ptr<Frame>& frame) {
    try {
      return exec_statement(n, frame);
    } catch (EvalError& err) {
      if (err.line == 0) err.line = n.line;
      throw;
    }
  }

  void assign(Frame& frame, const std::vector<std::string>& targets, const Value& v) {
    if (targets.size() == 1) {
      frame.vars[targets[0]] = v;
      return;
    }
    if (!v.is_list() && !v.is_string() && !v.is_dict()) fail("cannot unpack non-iterable " + v.type_name() + " object");
    std::vector<Value> items = iterate(v);
    if (items.size() < targets.size())
      fail("not enough values to unpack (expected " + std::to_string(targets.size()) + ", got " +
           std::to_string(items.size()) + ")");
    if (items.size() > targets.size())
      fail("too many values to unpack (expected " + std::to_string(targets.size()) + ")");
    for (size_t i = 0; i < targets.size(); ++i) frame.vars[targets[i]] = items[i];
  }

  std::string capture(const Body& body, const std::shared_ptr<Frame>& frame) {
    std::string buffer;
    std::string* saved = s_.out;
    s_.out = &buffer;
    try {
      exec(body, frame);
    } catch (...) {
      s_.out = saved;
      throw;
    }
    s_.out = saved;
    return buffer;
  }

  Flow exec_statement(const Node& n, const std::shared_ptr<Frame>& frame) {
    switch (n.kind) {
      case NodeKind::Text: write(n.text); return Flow::Normal;
      case NodeKind::Output: write(to_str(eval(*n.expr, frame))); return Flow::Normal;
      case NodeKind::If:
        for (size_t i = 0; i < n.conditions.size(); ++i)
          if (truthy(eval(*n.conditions[i], frame))) return exec(n.bodies[i], frame);
        if (n.bodies.size() > n.conditions.size()) return exec(n.bodies.back(), frame);
        return Flow::Normal;
      case NodeKind::For: return exec_for(n, frame);
      case NodeKind::Set: {
        Value v = eval(*n.expr, frame);
        if (!n.text.empty()) {
          Value target = lookup(n.targets[0], frame, s_);
          if (!target.is_namespace()) fail("cannot assign attribute on non-namespace object");
          target.ns().attrs.set(Value(n.text), std::move(v));
        } else {
          assign(*frame, n.targets, v);
        }
        return Flow::Normal;
      }
      case NodeKind::SetBlock: {
        Value v = capture(n.bodies[0], frame);
        if (n.expr) v = apply_filters(*n.expr, v, frame);
        assign(*frame, n.targets, v);
        return Flow::Normal;
      }
      case NodeKind::Macro: frame->vars[n.text] = make_macro(n, frame); return Flow::Normal;
      case NodeKind::CallBlock: {
        const Node* node = &n;
        std::shared_ptr<Frame> defining = frame;
        Value caller = Value::callable("caller", [this, node, defining](Args&) -> Value {
          auto f = std::make_shared<Frame>();
          f->parent = defining;
          return capture(node->bodies[0], f);
        });
        write(to_str(call_expr(*n.expr, frame, &caller)));
        return Flow::Normal;
      }
      case NodeKind::FilterBlock:
        write(to_str(apply_filters(*n.expr, capture(n.bodies[0], frame), frame)));
        return Flow::Normal;
      case NodeKind::Generation: return exec(n.bodies[0], frame);
      case NodeKind::Break: return Flow::Break;
      case NodeKind::Continue: return Flow::Continue;
    }
    return Flow::Normal;
  }

  // A filter chain whose innermost operand is a placeholder for `input` (set/filter blocks).
  Value apply_filters(const Expr& e, const Value& input, const std::shared_ptr<Frame>& frame) {
    if (e.kind != ExprKind::Filter) return input;
    Value inner = apply_filters(*e.children[0], input, frame);
    return run_filter(e, inner, frame);
  }

  Flow exec_for(const Node& n, const std::shared_ptr<Frame>& frame) {
    if (n.recursive) fail("recursive for loops are not supported");
    Value iterable = eval(*n.expr, frame);
    std::vector<Value> items = iterate(iterable);
    if (n.condition) {
      std::vector<Value> kept;
      for (auto& item : items) {
        auto f = std::make_shared<Frame>();
        f->parent = frame;
        assign(*f, n.targets, item);
        if (truthy(eval(*n.condition, f))) kept.push_back(std::move(item));
      }
      items = std::move(kept);
    }
    if (items.empty()) {
      if (n.bodies.size() > 1) return exec(n.bodies[1], frame);
      return Flow::Normal;
    }
    auto last_changed = std::make_shared<std::optional<Value>>();
    int64_t len = int64_t(items.size());
    for (int64_t i = 0; i < len; ++i) {
      if (++s_.iterations > s_.limits.max_loop_iterations)
        fail("more than " + std::to_string(s_.limits.max_loop_iterations) +
             " loop iterations (RenderOptions::max_loop_iterations)");
      auto f = std::make_shared<Frame>();
      f->parent = frame;
      assign(*f, n.targets, items[size_t(i)]);
      DictData loop;
      loop.entries.reserve(14);
      loop.entries.emplace_back(Value("index"), Value(i + 1));
      loop.entries.emplace_back(Value("index0"), Value(i));
      loop.entries.emplace_back(Value("revindex"), Value(len - i));
      loop.entries.emplace_back(Value("revindex0"), Value(len - i - 1));
      loop.entries.emplace_back(Value("first"), Value(i == 0));
      loop.entries.emplace_back(Value("last"), Value(i == len - 1));
      loop.entries.emplace_back(Value("length"), Value(len));
      loop.entries.emplace_back(Value("depth"), Value(1));
      loop.entries.emplace_back(Value("depth0"), Value(0));
      loop.entries.emplace_back(Value("previtem"),
                                i > 0 ? items[size_t(i - 1)] : Value::undefined("there is no previous item"));
      loop.entries.emplace_back(Value("nextitem"),
                                i + 1 < len ? items[size_t(i + 1)] : Value::undefined("there is no next item"));
      loop.entries.emplace_back(Value("cycle"), Value::callable("cycle", [i](Args& a) -> Value {
                                  if (a.positional.empty()) fail("no items for cycling given");
                                  return a.positional[size_t(i) % a.positional.size()];
                                }));
      loop.entries.emplace_back(Value("changed"), Value::callable("changed", [last_changed](Args& a) -> Value {
                                  Value now = Value::list(a.positional);
                                  if (*last_changed && equals(**last_changed, now)) return false;
                                  *last_changed = now;
                                  return true;
                                }));
      f->vars["loop"] = Value::dict(std::move(loop));
      Flow flow = exec(n.bodies[0], f);
      if (flow == Flow::Break) break;
    }
    return Flow::Normal;
  }

  Value make_macro(const Node& n, const std::shared_ptr<Frame>& frame) {
    const Node* node = &n;
    std::weak_ptr<Frame> weak = frame;  // the defining scope holds the macro: no reference cycle
    return Value::callable(n.text, [this, node, weak](Args& args) -> Value {
      auto defining = weak.lock();
      if (++s_.depth > s_.limits.max_recursion_depth) {
        --s_.depth;
        fail("macro calls nested deeper than " + std::to_string(s_.limits.max_recursion_depth) +
             " (RenderOptions::max_recursion_depth)");
      }
      struct Leave {
        size_t& d;
        ~Leave() { --d; }
      } leave{s_.depth};
      auto f = std::make_shared<Frame>();
      f->parent = defining;
      const auto& params = node->targets;
      std::vector<Value> varargs;
      for (size_t i = 0; i < args.positional.size(); ++i) {
        if (i < params.size()) {
          f->vars[params[i]] = args.positional[i];
        } else {
          varargs.push_back(args.positional[i]);
        }
      }
      DictData kwargs;
      for (auto& [name, value] : args.named) {
        bool is_param = false;
        for (const auto& p : params) is_param = is_param || p == name;
        if (is_param || name == "caller") {
          f->vars[name] = value;
        } else {
          kwargs.set(Value(name), value);
        }
      }
      for (size_t i = 0; i < params.size(); ++i) {
        if (f->vars.count(params[i])) continue;
        f->vars[params[i]] = node->defaults[i] ? eval(*node->defaults[i], f)
                                               : Value::undefined("parameter '" + params[i] + "' was not provided");
      }
      f->vars["varargs"] = Value::list(std::move(varargs), true);
      f->vars["kwargs"] = Value::dict(std::move(kwargs));
      return capture(node->bodies[0], f);
    });
  }

  Args eval_args(const Expr& e, size_t first, const std::shared_ptr<Frame>& frame) {
    Args a;
    size_t n_named = e.keywords.size();
    size_t n_pos = e.children.size() - first - n_named;
    for (size_t i = 0; i < n_pos; ++i) a.positional.push_back(eval(*e.children[first + i], frame));
    for (size_t i = 0; i < n_named; ++i)
      a.named.emplace_back(e.keywords[i], eval(*e.children[first + n_pos + i], frame));
    if (e.star_args)
      for (auto& v : iterate(eval(*e.star_args, frame))) a.positional.push_back(std::move(v));
    if (e.star_kwargs) {
      Value d = eval(*e.star_kwargs, frame);
      if (!d.is_dict()) fail("argument after ** must be a mapping, not " + d.type_name());
      for (const auto& [k, v] : d.dict_data().entries) a.named.emplace_back(to_str(k), v);
    }
    return a;
  }

  Value run_filter(const Expr& e, const Value& input, const std::shared_ptr<Frame>& frame) {
    FilterFn fn = find_filter(e.name);
    if (!fn) fail("the filter '" + e.name + "' is not supported");
    Args a = eval_args(e, 1, frame);
    a.positional.insert(a.positional.begin(), input);
    return fn(a, s_);
  }

  Value call_expr(const Expr& e, const std::shared_ptr<Frame>& frame, const Value* caller) {
    Value callee = eval(*e.children[0], frame);
    Args a = eval_args(e, 1, frame);
    if (caller) a.named.emplace_back("caller", *caller);
    return call(callee, a);
  }

  Value eval_expr(const Expr& e, const std::shared_ptr<Frame>& frame) {
    switch (e.kind) {
      case ExprKind::Literal: return e.value;
      case ExprKind::Name: return lookup(e.name, frame, s_);
      case ExprKind::List:
      case ExprKind::Tuple: {
        std::vector<Value> items;
        for (const auto& c : e.children) items.push_back(eval(*c, frame));
        return Value::list(std::move(items), e.kind == ExprKind::Tuple);
      }
      case ExprKind::Dict: {
        DictData d;
        for (size_t i = 0; i + 1 < e.children.size(); i += 2)
          d.set(eval(*e.children[i], frame), eval(*e.children[i + 1], frame));
        return Value::dict(std::move(d));
      }
      case ExprKind::Attr: return attribute(eval(*e.children[0], frame), e.name);
      case ExprKind::Item: return subscript(eval(*e.children[0], frame), eval(*e.children[1], frame));
      case ExprKind::Slice: {
        Value obj = eval(*e.children[0], frame);
        auto part = [&](size_t i) { return e.children[i] ? eval(*e.children[i], frame) : Value(None{}); };
        return slice(obj, part(1), part(2), part(3));
      }
      case ExprKind::Call: return call_expr(e, frame, nullptr);
      case ExprKind::Filter: return run_filter(e, eval(*e.children[0], frame), frame);
      case ExprKind::Test: {
        TestFn fn = find_test(e.name);
        if (!fn) fail("the test '" + e.name + "' is not supported");
        Args a = eval_args(e, 1, frame);
        a.positional.insert(a.positional.begin(), eval(*e.children[0], frame));
        return fn(a, s_) != e.negated;
      }
      case ExprKind::Unary: {
        Value v = eval(*e.children[0], frame);
        if (e.name == "not") return !truthy(v);
        return negate(v, e.name == "-");
      }
      case ExprKind::Binary: {
        Value l = eval(*e.children[0], frame);
        if (e.name == "and") return truthy(l) ? eval(*e.children[1], frame) : l;
        if (e.name == "or") return truthy(l) ? l : eval(*e.children[1], frame);
        return binary_op(e.name, l, eval(*e.children[1], frame));
      }
      case ExprKind::Cond:
        if (truthy(eval(*e.children[0], frame))) return eval(*e.children[1], frame);
        if (e.children[2]) return eval(*e.children[2], frame);
        return Value::undefined("the inline if-expression on line " + std::to_string(e.line) +
                                " evaluated to false and no else section was defined.");
    }
    return Value();
  }
};

}  // namespace

std::string render(const Body& body, const DictData& variables, const Limits& limits, std::optional<std::string> now) {
  RenderState state;
  state.limits = limits;
  state.now = std::move(now);
  std::string out;
  state.out = &out;
  add_globals(state.globals, state);
  auto root = std::make_shared<Frame>();
  for (const auto& [k, v] : variables.entries)
    if (k.is_string()) root->vars[k.str()] = v;
  Evaluator(state).exec(body, root);
  return out;
}

}  // namespace modelexport::processors::templates
