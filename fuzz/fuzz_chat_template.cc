// libFuzzer target: the chat-template engine (processors/chat_template.h), parser and renderer: the
// input is a template, rendered with a fixed conversation (tools, a tool call, non-ASCII content)
// under small limits, so hostile templates (endless loops, deep recursion, huge output) must stop at
// a limit with an error instead of running long or growing.
#include "fuzz_support.h"
#include "modelexport/processors/chat_template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace modelexport;
  if (size > (64u << 10)) return 0;
  static const char* kVariables = R"({"messages": [{"role": "system", "content": "Be brief."},
      {"role": "user", "content": "déjà vu 東京 🤗"},
      {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": {"x": 1}}}]},
      {"role": "tool", "content": "42"}],
    "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
    "add_generation_prompt": true})";
  processors::RenderOptions limits;
  limits.now = "2026-01-02T03:04:05";
  limits.max_output_bytes = 1u << 20;
  limits.max_loop_iterations = 100000;
  fuzz::expect_contract([&] {
    auto tmpl = processors::ChatTemplate::from_source(std::string(fuzz::as_view(data, size)),
                                                      R"({"bos_token": "<s>", "eos_token": "</s>"})");
    (void)tmpl.render(kVariables, limits);
  });
  return 0;
}
