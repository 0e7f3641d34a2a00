// Recursive-descent parser with jinja2's precedence: conditional < or < and < not < comparisons
// (incl. in / not in) < + - < ~ < * / // % < ** < unary - + < postfix (. [] ()) | filters, is tests.
#include "processors/templates/parser.h"

#include <cstdlib>
#include <set>

#include "modelexport/common/error.h"
#include "processors/templates/lexer.h"

namespace modelexport::processors::templates {
namespace {

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Body document() {
    Body body = statements({});
    if (peek().kind != Tok::End) error(peek().line, "unexpected tag '" + block_name() + "'");
    return body;
  }

 private:
  std::vector<Token> t_;
  size_t p_ = 0;
  int depth_ = 0;  // nesting of expressions and blocks: bounded, so a hostile template cannot overflow the stack

  static constexpr int kMaxNesting = 200;
  struct Nest {
    Parser& p;
    explicit Nest(Parser& parser) : p(parser) {
      if (++p.depth_ > kMaxNesting)
        error(p.peek().line, "expressions or blocks nested deeper than " + std::to_string(kMaxNesting) + " levels");
    }
    ~Nest() { --p.depth_; }
  };

  [[noreturn]] static void error(int line, const std::string& what) {
    throw ProcessorReconstructionError("chat template: line " + std::to_string(line) + ": " + what);
  }
  const Token& peek(size_t ahead = 0) const { return t_[std::min(p_ + ahead, t_.size() - 1)]; }
  const Token& next() { return t_[p_ < t_.size() - 1 ? p_++ : p_]; }
  bool is_op(std::string_view op, size_t ahead = 0) const {
    return peek(ahead).kind == Tok::Op && peek(ahead).text == op;
  }
  bool is_name(std::string_view n, size_t ahead = 0) const {
    return peek(ahead).kind == Tok::Name && peek(ahead).text == n;
  }
  void expect_op(std::string_view op) {
    if (!is_op(op)) error(peek().line, "expected '" + std::string(op) + "', found " + describe(peek()));
    next();
  }
  void expect_name(std::string_view n) {
    if (!is_name(n)) error(peek().line, "expected '" + std::string(n) + "', found " + describe(peek()));
    next();
  }
  std::string identifier() {
    if (peek().kind != Tok::Name) error(peek().line, "expected a name, found " + describe(peek()));
    return next().text;
  }
  void expect_block_end() {
    if (peek().kind != Tok::BlockEnd)
      error(peek().line, "expected the end of the tag ('%}'), found " + describe(peek()));
    next();
  }
  static std::string describe(const Token& t) {
    switch (t.kind) {
      case Tok::End: return "the end of the template";
      case Tok::BlockEnd: return "'%}'";
      case Tok::VarEnd: return "'}}'";
      case Tok::String: return "a string";
      case Tok::Text: return "text";
      default: return "'" + t.text + "'";
    }
  }
  // The tag name after a BlockBegin at the cursor.
  std::string block_name() const { return peek(1).kind == Tok::Name ? peek(1).text : ""; }

  // Statements up to one of the `enders` block tags (left unconsumed) or the end.
  Body statements(const std::set<std::string>& enders) {
    Body body;
    while (true) {
      const Token& tok = peek();
      if (tok.kind == Tok::End) {
        if (!enders.empty()) error(tok.line, "unexpected end of template: missing '" + *enders.begin() + "'");
        return body;
      }
      if (tok.kind == Tok::Text) {
        auto n = node(NodeKind::Text, tok.line);
        n->text = next().text;
        body.push_back(std::move(n));
      } else if (tok.kind == Tok::VarBegin) {
        next();
        auto n = node(NodeKind::Output, tok.line);
        n->expr = tuple_expr(true);
        if (peek().kind != Tok::VarEnd) error(peek().line, "expected '}}', found " + describe(peek()));
        next();
        body.push_back(std::move(n));
      } else if (tok.kind == Tok::BlockBegin) {
        if (enders.count(block_name())) return body;
        next();
        body.push_back(statement());
      } else {
        error(tok.line, "unexpected " + describe(tok));
      }
    }
  }

  static NodePtr node(NodeKind k, int line) {
    auto n = std::make_unique<Node>();
    n->kind = k;
    n->line = line;
    return n;
  }

  // After the tag's BlockBegin.
  NodePtr statement() {
    Nest nest(*this);
    int line = peek().line;
    std::string tag = identifier();
    if (tag == "for") return for_statement(line);
    if (tag == "if") return if_statement(line);
    if (tag == "set") return set_statement(line);
    if (tag == "macro") return macro_statement(line);
    if (tag == "call") return call_statement(line);
    if (tag == "filter") return filter_statement(line);
    if (tag == "generation") {
      auto n = node(NodeKind::Generation, line);
      expect_block_end();
      n->bodies.push_back(closing_body("endgeneration"));
      return n;
    }
    if (tag == "break" || tag == "continue") {
      expect_block_end();
      return node(tag == "break" ? NodeKind::Break : NodeKind::Continue, line);
    }
    static const std::set<std::string> known = {"include", "extends", "import",     "from",  "block",
                                                "with",    "do",      "autoescape", "trans", "pluralize"};
    if (known.count(tag)) error(line, "the tag '" + tag + "' is not supported");
    error(line, "unknown tag '" + tag + "'");
  }

  // {% end... %} closing a body.
  Body closing_body(const std::string& ender) {
    Body b = statements({ender});
    next();  // BlockBegin
    next();  // ender
    expect_block_end();
    return b;
  }

  std::vector<std::string> targets() {
    std::vector<std::string> names;
    bool paren = is_op("(");
    if (paren) next();
    names.push_back(identifier());
    while (is_op(",")) {
      next();
      if (peek().kind != Tok::Name) break;
      names.push_back(identifier());
    }
    if (paren) expect_op(")");
    return names;
  }

  NodePtr for_statement(int line) {
    auto n = node(NodeKind::For, line);
    n->targets = targets();
    expect_name("in");
    n->expr = tuple_expr(false);
    if (is_name("if")) {
      next();
      n->condition = expression(false);
    }
    if (is_name("recursive")) {
      next();
      n->recursive = true;
    }
    expect_block_end();
    n->bodies.push_back(statements({"endfor", "else"}));
    if (block_name() == "else") {
      next();
      next();
      expect_block_end();
      n->bodies.push_back(statements({"endfor"}));
    }
    next();
    next();
    expect_block_end();
    return n;
  }

  NodePtr if_statement(int line) {
    auto n = node(NodeKind::If, line);
    n->conditions.push_back(tuple_expr(false));
    expect_block_end();
    while (true) {
      n->bodies.push_back(statements({"elif", "else", "endif"}));
      std::string tag = block_name();
      next();
      next();
      if (tag == "elif") {
        n->conditions.push_back(tuple_expr(false));
        expect_block_end();
        continue;
      }
      expect_block_end();
      if (tag == "else") {
        n->bodies.push_back(statements({"endif"}));
        next();
        next();
        expect_block_end();
      }
      return n;
    }
  }

  NodePtr set_statement(int line) {
    std::string first = identifier();
    if (is_op(".")) {  // {% set ns.attr = value %}
      next();
      auto n = node(NodeKind::Set, line);
      n->targets = {first};
      n->text = identifier();
      expect_op("=");
      n->expr = tuple_expr(true);
      expect_block_end();
      return n;
    }
    std::vector<std::string> names = {first};
    while (is_op(",")) {
      next();
      names.push_back(identifier());
    }
    if (is_op("=")) {
      next();
      auto n = node(NodeKind::Set, line);
      n->targets = names;
      n->expr = tuple_expr(true);
      expect_block_end();
      return n;
    }
    auto n = node(NodeKind::SetBlock, line);
    n->targets = names;
    if (is_op("|")) {  // {% set x | filter %}: the filter chain applies to a placeholder
      auto placeholder = std::make_unique<Expr>();
      placeholder->kind = ExprKind::Name;
      placeholder->name = "";
      n->expr = filters(std::move(placeholder));
    }
    expect_block_end();
    n->bodies.push_back(closing_body("endset"));
    return n;
  }

  NodePtr macro_statement(int line) {
    auto n = node(NodeKind::Macro, line);
    n->text = identifier();
    expect_op("(");
    while (!is_op(")")) {
      n->targets.push_back(identifier());
      if (is_op("=")) {
        next();
        n->defaults.push_back(expression(true));
      } else {
        if (!n->defaults.empty() && n->defaults.back())
          error(peek().line, "non-default argument follows default argument");
        n->defaults.push_back(nullptr);
      }
      if (!is_op(",")) break;
      next();
    }
    expect_op(")");
    expect_block_end();
    n->bodies.push_back(closing_body("endmacro"));
    return n;
  }

  NodePtr call_statement(int line) {
    auto n = node(NodeKind::CallBlock, line);
    if (is_op("(")) error(line, "call blocks with caller arguments are not supported");
    n->expr = expression(true);
    if (n->expr->kind != ExprKind::Call) error(line, "expected a call after 'call'");
    expect_block_end();
    n->bodies.push_back(closing_body("endcall"));
    return n;
  }

  NodePtr filter_statement(int line) {
    auto n = node(NodeKind::FilterBlock, line);
    auto placeholder = std::make_unique<Expr>();
    placeholder->kind = ExprKind::Name;
    placeholder->line = line;
    n->expr = filter_call(std::move(placeholder));
    while (is_op("|")) {
      next();
      n->expr = filter_call(std::move(n->expr));
    }
    expect_block_end();
    n->bodies.push_back(closing_body("endfilter"));
    return n;
  }

  static ExprPtr make(ExprKind k, int line, std::string name = "") {
    auto e = std::make_unique<Expr>();
    e->kind = k;
    e->line = line;
    e->name = std::move(name);
    return e;
  }

  // expr, expr, ... as a tuple (a trailing comma makes one too).
  ExprPtr tuple_expr(bool with_condexpr) {
    int line = peek().line;
    ExprPtr first = expression(with_condexpr);
    if (!is_op(",")) return first;
    auto t = make(ExprKind::Tuple, line);
    t->children.push_back(std::move(first));
    while (is_op(",")) {
      next();
      if (peek().kind == Tok::VarEnd || peek().kind == Tok::BlockEnd || is_op(")")) break;
      t->children.push_back(expression(with_condexpr));
    }
    return t;
  }

  ExprPtr expression(bool with_condexpr = true) {
    Nest nest(*this);
    ExprPtr e = or_expr();
    if (!with_condexpr) return e;
    while (is_name("if")) {
      int line = next().line;
      auto c = make(ExprKind::Cond, line);
      c->children.push_back(or_expr());
      c->children.push_back(std::move(e));
      if (is_name("else")) {
        next();
        c->children.push_back(expression(true));
      } else {
        c->children.push_back(nullptr);
      }
      e = std::move(c);
    }
    return e;
  }

  ExprPtr binary(std::string op, ExprPtr l, ExprPtr r, int line) {
    auto b = make(ExprKind::Binary, line, std::move(op));
    b->children.push_back(std::move(l));
    b->children.push_back(std::move(r));
    return b;
  }

  ExprPtr or_expr() {
    ExprPtr l = and_expr();
    while (is_name("or")) {
      int line = next().line;
      l = binary("or", std::move(l), and_expr(), line);
    }
    return l;
  }
  ExprPtr and_expr() {
    ExprPtr l = not_expr();
    while (is_name("and")) {
      int line = next().line;
      l = binary("and", std::move(l), not_expr(), line);
    }
    return l;
  }
  ExprPtr not_expr() {
    if (is_name("not")) {
      int line = next().line;
      auto u = make(ExprKind::Unary, line, "not");
      u->children.push_back(not_expr());
      return u;
    }
    return compare();
  }
  ExprPtr compare() {
    ExprPtr l = add();
    while (true) {
      int line = peek().line;
      std::string op;
      if (peek().kind == Tok::Op && (peek().text == "==" || peek().text == "!=" || peek().text == "<" ||
                                     peek().text == "<=" || peek().text == ">" || peek().text == ">=")) {
        op = next().text;
      } else if (is_name("in")) {
        next();
        op = "in";
      } else if (is_name("not") && is_name("in", 1)) {
        next();
        next();
        op = "not in";
      } else {
        return l;
      }
      // Chained comparisons (a < b < c) are rare in templates: evaluated pairwise, left to right.
      l = binary(op, std::move(l), add(), line);
    }
  }
  ExprPtr add() {
    ExprPtr l = concat();
    while (is_op("+") || is_op("-")) {
      const Token& t = next();
      std::string op = t.text;
      l = binary(op, std::move(l), concat(), t.line);
    }
    return l;
  }
  ExprPtr concat() {
    ExprPtr l = mul();
    while (is_op("~")) {
      int line = next().line;
      l = binary("~", std::move(l), mul(), line);
    }
    return l;
  }
  ExprPtr mul() {
    ExprPtr l = pow();
    while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
      const Token& t = next();
      std::string op = t.text;
      l = binary(op, std::move(l), pow(), t.line);
    }
    return l;
  }
  ExprPtr pow() {
    ExprPtr l = unary(true);
    while (is_op("**")) {
      int line = next().line;
      l = binary("**", std::move(l), unary(true), line);
    }
    return l;
  }
  ExprPtr unary(bool with_filter) {
    Nest nest(*this);
    ExprPtr e;
    if (is_op("-") || is_op("+")) {
      const Token& t = next();
      e = make(ExprKind::Unary, t.line, t.text);
      e->children.push_back(unary(false));
    } else {
      e = postfix(primary());
    }
    return with_filter ? filter_chain(std::move(e), false) : std::move(e);
  }

  ExprPtr primary() {
    const Token& t = peek();
    int line = t.line;
    if (t.kind == Tok::Name) {
      next();
      auto lit = [&](Value v) {
        auto e = make(ExprKind::Literal, line);
        e->value = std::move(v);
        return e;
      };
      if (t.text == "true" || t.text == "True") return lit(Value(true));
      if (t.text == "false" || t.text == "False") return lit(Value(false));
      if (t.text == "none" || t.text == "None") return lit(Value(None{}));
      return make(ExprKind::Name, line, t.text);
    }
    if (t.kind == Tok::String) {
      std::string s = next().text;
      while (peek().kind == Tok::String) s += next().text;  // adjacent literals concatenate
      auto e = make(ExprKind::Literal, line);
      e->value = Value(std::move(s));
      return e;
    }
    if (t.kind == Tok::Int || t.kind == Tok::Float) {
      auto e = make(ExprKind::Literal, line);
      std::string text = next().text;
      if (t.kind == Tok::Float) {
        // Python's float(): past double's range is inf, below it 0.0 or a subnormal (1e999 renders
        // "inf" in jinja2 3.1.2); std::stod would throw out_of_range there, strtod rounds as Python does.
        e->value = Value(std::strtod(text.c_str(), nullptr));
      } else {
        try {
          e->value = Value(int64_t(std::stoll(text)));
        } catch (const std::exception&) { error(line, "the integer " + text + " is too large (64-bit integers only)"); }
      }
      return e;
    }
    if (is_op("(")) {
      next();
      if (is_op(")")) {
        next();
        return make(ExprKind::Tuple, line);
      }
      ExprPtr e = expression(true);
      if (is_op(",")) {
        auto tup = make(ExprKind::Tuple, line);
        tup->children.push_back(std::move(e));
        while (is_op(",")) {
          next();
          if (is_op(")")) break;
          tup->children.push_back(expression(true));
        }
        e = std::move(tup);
      }
      expect_op(")");
      return e;
    }
    if (is_op("[")) {
      next();
      auto e = make(ExprKind::List, line);
      while (!is_op("]")) {
        e->children.push_back(expression(true));
        if (!is_op(",")) break;
        next();
      }
      expect_op("]");
      return e;
    }
    if (is_op("{")) {
      next();
      auto e = make(ExprKind::Dict, line);
      while (!is_op("}")) {
        e->children.push_back(expression(true));
        expect_op(":");
        e->children.push_back(expression(true));
        if (!is_op(",")) break;
        next();
      }
      expect_op("}");
      return e;
    }
    error(line, "unexpected " + describe(t));
  }

  void call_args(Expr& e) {
    expect_op("(");
    while (!is_op(")")) {
      if (is_op("*") || is_op("**")) {
        bool dict = next().text == "**";
        (dict ? e.star_kwargs : e.star_args) = expression(true);
        if (!is_op(",")) break;
        next();
        continue;
      }
      if (peek().kind == Tok::Name && is_op("=", 1)) {
        e.keywords.push_back(next().text);
        next();
        e.children.push_back(expression(true));
      } else {
        if (!e.keywords.empty()) error(peek().line, "positional argument follows keyword argument");
        e.children.push_back(expression(true));
      }
      if (!is_op(",")) break;
      next();
    }
    expect_op(")");
  }

  ExprPtr postfix(ExprPtr e) {
    while (true) {
      int line = peek().line;
      if (is_op(".")) {
        next();
        if (peek().kind == Tok::Int) {  // foo.0 is foo[0]
          auto item = make(ExprKind::Item, line);
          item->children.push_back(std::move(e));
          auto idx = make(ExprKind::Literal, line);
          idx->value = Value(digits_index(next().text));
          item->children.push_back(std::move(idx));
          e = std::move(item);
          continue;
        }
        auto a = make(ExprKind::Attr, line, identifier());
        a->children.push_back(std::move(e));
        e = std::move(a);
      } else if (is_op("[")) {
        next();
        e = subscript(std::move(e), line);
      } else if (is_op("(")) {
        auto c = make(ExprKind::Call, line);
        c->children.push_back(std::move(e));
        call_args(*c);
        e = std::move(c);
      } else {
        return e;
      }
    }
  }

  ExprPtr subscript(ExprPtr obj, int line) {
    std::vector<ExprPtr> parts;
    bool slice = false;
    auto part = [&]() -> ExprPtr {
      if (is_op(":") || is_op("]")) return nullptr;
      return expression(true);
    };
    parts.push_back(part());
    while (is_op(":") && parts.size() < 3) {
      next();
      slice = true;
      parts.push_back(part());
    }
    expect_op("]");
    if (!slice) {
      if (!parts[0]) error(line, "expected an index or slice");
      auto item = make(ExprKind::Item, line);
      item->children.push_back(std::move(obj));
      item->children.push_back(std::move(parts[0]));
      return item;
    }
    auto s = make(ExprKind::Slice, line);
    s->children.push_back(std::move(obj));
    parts.resize(3);
    for (auto& p : parts) s->children.push_back(std::move(p));
    return s;
  }

  // `| name(args)` and `is [not] name args` after an operand.
  ExprPtr filter_chain(ExprPtr e, bool filters_only) {
    while (true) {
      if (is_op("|")) {
        next();
        e = filter_call(std::move(e));
      } else if (!filters_only && is_name("is")) {
        int line = next().line;
        auto t = make(ExprKind::Test, line);
        if (is_name("not")) {
          next();
          t->negated = true;
        }
        t->name = identifier();
        while (is_op(".")) {
          next();
          t->name += "." + identifier();
        }
        t->children.push_back(std::move(e));
        if (is_op("(")) {
          call_args(*t);
        } else if ((peek().kind == Tok::Name && !is_name("else") && !is_name("or") && !is_name("and") &&
                    !is_name("if") && !is_name("in") && !is_name("not") && !is_name("is")) ||
                   peek().kind == Tok::String || peek().kind == Tok::Int || peek().kind == Tok::Float || is_op("[") ||
                   is_op("{")) {
          t->children.push_back(postfix(primary()));
        }
        e = std::move(t);
      } else if (filters_only) {
        return e;
      } else {
        return e;
      }
      if (filters_only && !is_op("|")) return e;
    }
  }

  ExprPtr filter_call(ExprPtr e) {
    int line = peek().line;
    auto f = make(ExprKind::Filter, line, identifier());
    while (is_op(".")) {
      next();
      f->name += "." + identifier();
    }
    f->children.push_back(std::move(e));
    if (is_op("(")) call_args(*f);
    return f;
  }

  ExprPtr filters(ExprPtr e) { return filter_chain(std::move(e), true); }
};

}  // namespace

Body parse(std::string_view source) { return Parser(lex(source)).document(); }

}  // namespace modelexport::processors::templates
