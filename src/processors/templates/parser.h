// Parses the lexer's tokens into the syntax tree (jinja2 3.1 grammar and operator precedence).
#pragma once

#include <string_view>

#include "processors/templates/ast.h"

namespace modelexport::processors::templates {

// Throws ProcessorReconstructionError "chat template: line N: ..." on a syntax error or an
// unsupported tag ("line 3: the tag 'include' is not supported").
Body parse(std::string_view source);

}  // namespace modelexport::processors::templates
