// The compiled form of a template: parse once, render many times (thread-safe: render keeps its
// state on the stack).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "processors/templates/ast.h"
#include "processors/templates/evaluator.h"

namespace modelexport::processors::templates {

class CompiledTemplate {
 public:
  explicit CompiledTemplate(std::string_view source) : body_(parse(source)) {}
  // Throws EvalError on a template error (line set; `raised` for raise_exception).
  std::string render(const DictData& variables, const Limits& limits, std::optional<std::string> now) const {
    return templates::render(body_, variables, limits, std::move(now));
  }

 private:
  static Body parse(std::string_view source);
  Body body_;
};

// JSON text (an object) → template variables, keys in document order.
DictData variables_from_json(std::string_view json, std::string_view what);
Value value_from_json_text(std::string_view json, std::string_view what);

}  // namespace modelexport::processors::templates
