// Splits a template into text and tag tokens as jinja2 3.1's lexer does with trim_blocks=True,
// lstrip_blocks=True, keep_trailing_newline=False: newlines normalized to "\n", one trailing newline
// dropped, `{%-`/`-%}` whitespace control, `{%+` and `+%}`, comments removed, raw blocks as text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace modelexport::processors::templates {

enum class Tok { Text, VarBegin, VarEnd, BlockBegin, BlockEnd, Name, String, Int, Float, Op, End };

struct Token {
  Tok kind;
  std::string text;  // Text data, name, decoded string literal, number or operator spelling
  int line;
};

// Throws ProcessorReconstructionError "line N: ..." on an unterminated tag, comment or string.
std::vector<Token> lex(std::string_view source);

}  // namespace modelexport::processors::templates
