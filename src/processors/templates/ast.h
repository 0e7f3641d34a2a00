// The template's syntax tree: expressions and statements with their source lines.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "processors/templates/value.h"

namespace modelexport::processors::templates {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

enum class ExprKind {
  Literal,  // value
  Name,     // name
  List,     // children
  Tuple,    // children
  Dict,     // children: key, value, key, value...
  Attr,     // children[0].name
  Item,     // children[0][children[1]]
  Slice,    // children[0][c1:c2:c3], null children for omitted parts
  Call,     // children[0](children[1..], names for the trailing keyword arguments)
  Filter,   // children[0] | name(children[1..], names)
  Test,     // children[0] is [not] name(children[1..]); negated
  Unary,    // name: "-", "+", "not"
  Binary,   // name: operator ("+", "and", "in", "not in", "==", ...)
  Cond,     // children[1] if children[0] else children[2] (children[2] may be null)
};

struct Expr {
  ExprKind kind;
  int line = 0;
  std::string name;
  Value value;
  std::vector<ExprPtr> children;
  std::vector<std::string> keywords;  // Call/Filter/Test: names of the last keywords.size() arguments
  ExprPtr star_args, star_kwargs;     // Call: f(*list, **dict)
  bool negated = false;
};

struct Node;
using NodePtr = std::unique_ptr<Node>;
using Body = std::vector<NodePtr>;

enum class NodeKind {
  Text,         // text
  Output,       // {{ expr }}
  If,           // conditions[i] → bodies[i]; bodies.back() is the else body when it has one more entry
  For,          // targets in expr [if cond]: bodies[0], else bodies[1]
  Set,          // targets (or target.attr) = expr
  SetBlock,     // {% set x %}bodies[0]{% endset %} (filters in filter_exprs)
  Macro,        // name(params = defaults): bodies[0]
  CallBlock,    // {% call macro(...) %}bodies[0]{% endcall %}
  FilterBlock,  // {% filter f %}bodies[0]{% endfilter %}
  Generation,   // {% generation %}bodies[0]{% endgeneration %}
  Break,
  Continue,
};

struct Node {
  NodeKind kind;
  int line = 0;
  std::string text;                 // Text; Set/SetBlock: attribute for `set ns.attr`; Macro: name
  ExprPtr expr;                     // Output, For iterable, Set value, CallBlock call, FilterBlock filter
  ExprPtr condition;                // For's inline `if`
  std::vector<ExprPtr> conditions;  // If
  std::vector<Body> bodies;
  std::vector<std::string> targets;  // For/Set names (several: tuple unpacking); Macro parameters
  std::vector<ExprPtr> defaults;     // Macro: defaults for the last parameters (nullptr = none)
  bool recursive = false;            // For
};

}  // namespace modelexport::processors::templates
