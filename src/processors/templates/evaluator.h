// Renders a parsed template: jinja2 3.1's runtime semantics (scoping: a for-loop iteration and a
// macro call each get their own scope, `if` does not; namespace() objects are the way out of a loop).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "processors/templates/ast.h"

namespace modelexport::processors::templates {

struct Limits {
  size_t max_output_bytes = 16u << 20;
  size_t max_loop_iterations = 1000000;
  size_t max_recursion_depth = 200;
};

struct Frame {
  std::unordered_map<std::string, Value> vars;
  std::shared_ptr<Frame> parent;
};

struct RenderState {
  Limits limits;
  std::optional<std::string> now;  // ISO-8601 time for strftime_now; unset: the clock
  std::string* out = nullptr;
  size_t iterations = 0;
  size_t depth = 0;
  DictData globals;
};

// Renders `body` with `variables` (the render call's keyword arguments) over the builtin globals.
// Throws EvalError (line set) on failure.
std::string render(const Body& body, const DictData& variables, const Limits& limits, std::optional<std::string> now);

}  // namespace modelexport::processors::templates
