// The Jinja engine (src/processors/templates) and processors::ChatTemplate, table by table:
// constructs, filters, tests and methods against Python jinja2 3.1's output
// (tests/golden/jinja_engine_cases.json, made by scripts/golden/jinja_engine_cases.py), errors with
// their line numbers, limits, and template selection as transformers does it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "modelexport/common/files.h"
#include "modelexport/processors/chat_template.h"
#include "processors/templates/engine.h"

namespace {

using modelexport::ProcessorReconstructionError;
using modelexport::processors::ChatTemplate;
using modelexport::processors::RenderOptions;
using modelexport::processors::TemplateError;
namespace tpl = modelexport::processors::templates;
using OJson = nlohmann::ordered_json;

std::string render(const std::string& source, const std::string& variables = "{}", tpl::Limits limits = {}) {
  tpl::CompiledTemplate t(source);
  return t.render(tpl::variables_from_json(variables, "variables"), limits, std::string("2024-07-26T10:00:00"));
}

TEST(TemplateEngine, EveryCaseRendersAsPythonJinja2) {
  OJson golden = OJson::parse(
      modelexport::read_file(std::string(MODELEXPORT_SOURCE_DIR) + "/tests/golden/jinja_engine_cases.json"));
  ASSERT_EQ(golden["now"], "2024-07-26T10:00:00");
  size_t n = 0;
  for (const auto& c : golden["cases"]) {
    std::string source = c["template"].get<std::string>();
    std::string vars = c["variables"].dump();
    SCOPED_TRACE(source);
    if (c.contains("output")) {
      try {
        EXPECT_EQ(render(source, vars), c["output"].get<std::string>());
      } catch (const tpl::EvalError& e) {
        ADD_FAILURE() << "line " << e.line << ": " << e.message;
      } catch (const modelexport::Error& e) { ADD_FAILURE() << e.what(); }
    } else if (c.contains("raised")) {
      try {
        render(source, vars);
        ADD_FAILURE() << "rendered; Python raises";
      } catch (const tpl::EvalError& e) {
        EXPECT_TRUE(e.raised);
        EXPECT_EQ(e.message, c["raised"].get<std::string>());
      }
    } else {
      // Python's "UndefinedError: 'x' is undefined": our message is the part after the type.
      std::string python = c["error"].get<std::string>();
      try {
        render(source, vars);
        ADD_FAILURE() << "rendered; Python raises " << python;
      } catch (const tpl::EvalError& e) {
        EXPECT_EQ(e.message, python.substr(python.find(": ") + 2));
        EXPECT_EQ(e.line, 1);
      }
    }
    ++n;
  }
  EXPECT_GE(n, 80u);
}

// Errors name the construct and its line.
TEST(TemplateEngine, ErrorsNameTheConstructAndLine) {
  struct Case {
    std::string source, message;
  } cases[] = {
      {"a\n{{ x | xmlattr }}", "line 2: the filter 'xmlattr' is not supported"},
      {"a\n\n{% include 'other.jinja' %}", "chat template: line 3: the tag 'include' is not supported"},
      {"{% extends 'base' %}", "chat template: line 1: the tag 'extends' is not supported"},
      {"{{ x is frobnicated }}", "line 1: the test 'frobnicated' is not supported"},
      {"\n{% for x in y %}", "chat template: line 2: unexpected end of template: missing 'else'"},
      {"{{ 1 + }}", "chat template: line 1: unexpected '}}'"},
      {"{{ 'open }}", "chat template: line 1: unterminated string"},
      {"{# never closed", "chat template: line 1: unterminated comment: missing '#}'"},
      {"{% frob %}", "chat template: line 1: unknown tag 'frob'"},
      {"x\n{% raw %}never closed", "chat template: line 2: missing end of raw directive ('{% endraw %}')"},
      {"{% for x in items recursive %}{% endfor %}", "line 1: recursive for loops are not supported"},
      {"\n\n{{ missing.attr }}", "line 3: 'missing' is undefined"},
      {"{{ " + std::string(300, '(') + "1" + std::string(300, ')') + " }}", "nested deeper than 200 levels"},
      {"{{ " + std::string(300, '-') + "1 }}", "nested deeper than 200 levels"},
      // Python's ints are unbounded; ours refuse to overflow 64 bits rather than wrap.
      {"{{ 9223372036854775807 + 1 }}", "line 1: integer overflow (template integers are 64-bit)"},
      {"{{ 2 ** 64 }}", "line 1: integer overflow (template integers are 64-bit)"},
      {"{{ -(-9223372036854775807 - 1) }}", "line 1: integer overflow (template integers are 64-bit)"},
      {"{{ 99999999999999999999 }}", "line 1: the integer 99999999999999999999 is too large (64-bit integers only)"},
      {[] {
         std::string s;
         for (int i = 0; i < 300; ++i) s += "{% if true %}";
         return s;
       }(),
       "nested deeper than 200 levels"},
      // Not UTF-8 (Python cannot decode such a file): refused before lexing, with where. The first is
      // fuzz/regressions/fuzz_chat_template's input in small: whitespace before the bad bytes made the
      // lexer's lstrip read past the end.
      {"{%- if x -%}\n    \xF9\xF9\xF9{% endif %}",
       "chat template: not valid UTF-8 at line 2, column 5 (byte 0xF9 at offset 17); expected UTF-8 text"},
      {"{{ 'a' }}  \xE6\x9D", "chat template: not valid UTF-8 at line 1, column 12 (byte 0xE6 at offset 11)"},
      {"\x80", "chat template: not valid UTF-8 at line 1, column 1 (byte 0x80 at offset 0)"},
      {"a\xC0\xAF", "(byte 0xC0 at offset 1)"},         // overlong '/'
      {"\xED\xA0\x80 x", "(byte 0xED at offset 0)"},    // a UTF-16 surrogate
      {"\xF4\x90\x80\x80", "(byte 0xF4 at offset 0)"},  // past U+10FFFF
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.source);
    try {
      auto t = ChatTemplate::from_source(c.source);
      t.render(R"({"messages": [], "items": []})");
      ADD_FAILURE() << "no error";
    } catch (const ProcessorReconstructionError& e) {
      EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
    }
  }
}

TEST(TemplateEngine, LimitsAreEnforcedAndNamed) {
  tpl::Limits small;
  small.max_output_bytes = 100;
  small.max_loop_iterations = 50;
  small.max_recursion_depth = 10;
  struct Case {
    std::string source, message;
  } cases[] = {
      {"{% for i in range(1000) %}xxxxxxxxxx{% endfor %}", "the output exceeds the limit of 100 bytes"},
      {"{% for i in range(40) %}{% for j in range(2) %}{% endfor %}{% endfor %}", "more than 50 loop iterations"},
      {"{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "macro calls nested deeper than 10"},
      {"{{ range(100001) | length }}", "Range too big"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.source);
    try {
      render(c.source, "{}", small);
      ADD_FAILURE() << "no error";
    } catch (const tpl::EvalError& e) { EXPECT_NE(e.message.find(c.message), std::string::npos) << e.message; }
  }
  // Through the public API: RenderOptions, and the line in the message.
  RenderOptions options;
  options.max_loop_iterations = 5;
  auto t = ChatTemplate::from_source("\n{% for m in range(10) %}{% endfor %}");
  try {
    t.render(R"({"messages": []})", options);
    ADD_FAILURE() << "no error";
  } catch (const TemplateError& e) {
    EXPECT_EQ(std::string(e.what()),
              "chat template: line 2: more than 5 loop iterations (RenderOptions::max_loop_iterations)");
  }
}

TEST(ChatTemplateSelection, PicksTheTemplateAsTransformersDoes) {
  std::string config =
      R"({"chat_template": "config", "bos_token": {"content": "<s>", "lstrip": false}, "eos_token": "</s>",
                          "additional_special_tokens": ["<a>", {"content": "<b>"}]})";
  std::string named =
      R"({"chat_template": [{"name": "default", "template": "D"}, {"name": "tool_use", "template": "T"}]})";
  struct Case {
    std::string config, jinja, json, name, source;
  } cases[] = {
      {config, "", "", "", "config"},
      {config, "jinja", R"({"chat_template": "json"})", "", "jinja"},
      {config, "", R"({"chat_template": "json"})", "", "json"},
      {named, "", "", "", "D"},
      {named, "", "", "tool_use", "T"},
      {R"({"chat_template": [{"name": "only", "template": "O"}]})", "", "", "", "O"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.source);
    EXPECT_EQ(ChatTemplate::from_files(c.config, c.jinja, c.json, c.name).source(), c.source);
  }
  auto t = ChatTemplate::from_files(config, "{{ bos_token }}{{ eos_token }}{{ additional_special_tokens }}", "");
  EXPECT_EQ(t.render(R"({"messages": []})"), "<s></s>['<a>', '<b>']");
  EXPECT_EQ(t.render(R"({"messages": [], "bos_token": "[BOS]"})"), "[BOS]</s>['<a>', '<b>']");  // the caller's win
}

TEST(ChatTemplateSelection, BadInputIsRefusedWithWhereAndWhat) {
  struct Case {
    std::string config, jinja, json, name, message;
  } cases[] = {
      {"{}", "", "", "",
       "no chat template: looked for chat_template.jinja, chat_template.json's \"chat_template\" and "
       "tokenizer_config.json's \"chat_template\""},
      {R"({"chat_template": [{"name": "default", "template": "D"}, {"name": "rag", "template": "R"}]})", "", "",
       "tool_use", "tokenizer_config.json: no chat template named 'tool_use' (templates: default, rag)"},
      {R"({"chat_template": 5})", "", "", "",
       "tokenizer_config.json: chat_template: expected a string or a list of {name, template}"},
      {R"({"chat_template": [{"name": 1}]})", "", "", "",
       "tokenizer_config.json: chat_template[0]: expected an object with string 'name' and 'template'"},
      {"[1]", "", "", "", "tokenizer_config.json: expected a JSON object"},
      {"{\"chat_template\": ", "", "", "", "tokenizer_config.json"},
      {"{}", "{{ x }}\n\xFF", "", "", "chat template: not valid UTF-8 at line 2, column 1 (byte 0xFF at offset 8)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.message);
    try {
      ChatTemplate::from_files(c.config, c.jinja, c.json, c.name);
      ADD_FAILURE() << "no error";
    } catch (const modelexport::MetadataError& e) {
      EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
    }
  }
}

TEST(ChatTemplateRender, BadVariablesAreRefused) {
  auto t = ChatTemplate::from_source("{% for m in messages %}{{ m.content }}{% endfor %}");
  struct Case {
    std::string variables, message;
  } cases[] = {
      {R"({"messages": "hi"})", "messages: expected a list of {\"role\": ..., \"content\": ...} objects, found str"},
      {R"({})", "messages: expected a list of {\"role\": ..., \"content\": ...} objects, found nothing"},
      {R"({"messages": ["hi"]})", "messages[0]: expected an object with \"role\" and \"content\", found str"},
      {R"({"messages": [{"content": "x"}]})", "messages[0].role: expected a string"},
      {R"({"messages": [{"role": "user", "content": "x"}], "continue_final_message": true, "add_generation_prompt": true})",
       "continue_final_message and add_generation_prompt are not compatible."},
      {R"({"messages": [{"role": "user", "content": "x"}], "documents": ["d"]})",
       "Documents should be a list of dicts with 'title' and 'text' keys!"},
      {R"({"messages": [{"role": "user", "content": "x"}], "tools": "t"})", "tools: expected a list, found str"},
      {R"([])", "template variables: expected a JSON object of template variables"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.variables);
    try {
      t.render(c.variables);
      ADD_FAILURE() << "no error";
    } catch (const ProcessorReconstructionError& e) {
      EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
    }
  }
  // A template's raise_exception shows its own message, nothing added.
  auto raising = ChatTemplate::from_source(
      "\n{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}");
  try {
    raising.render(R"({"messages": []})");
    ADD_FAILURE() << "no error";
  } catch (const TemplateError& e) {
    EXPECT_STREQ(e.what(), "Conversation roles must alternate user/assistant/user/assistant/...");
  }
}

}  // namespace
