// `modelexport chat-template`: the prompt on stdout exactly (nothing appended) from a folder, a
// tokenizer_config.json or a self-contained .onnx; bad input exits 2 with a message and no output.
#include <gtest/gtest.h>

#include "modelexport/processors/chat_template.h"
#include "support/test_support.h"

namespace modelexport::test {
namespace {

const char* kTemplate =
    "{{ bos_token }}{% for m in messages %}<|{{ m.role }}|>\n{{ m.content }}{{ eos_token }}\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}{{ strftime_now('%d %B %Y') }}{{ extra | default('') }}";

struct Folder {
  ScratchDir dir;
  Folder() {
    write_bytes(
        dir / "tokenizer_config.json",
        R"({"bos_token": "<s>", "eos_token": {"content": "</s>"}, "chat_template": [{"name": "default", "template": )" +
            std::string("\"") + "DEFAULT" +
            "\"}, {\"name\": \"tool_use\", \"template\": \"TOOLS {{ tools | tojson }}\"}]}");
    write_bytes(dir / "chat_template.jinja", kTemplate);
    write_bytes(dir / "messages.json",
                R"([{"role": "user", "content": "Héllo"}, {"role": "assistant", "content": "Hi"}])");
    write_bytes(dir / "tools.json", R"([{"type": "function", "function": {"name": "f", "b": 1, "a": "é"}}])");
    write_bytes(dir / "context.json", R"({"extra": "!", "add_generation_prompt": false})");
  }
  std::string path(const std::string& name = "") const {
    return name.empty() ? dir.path().string() : (dir / name).string();
  }
};

TEST(CliChatTemplate, PrintsThePromptExactly) {
  Folder f;
  auto expected = [&](const std::string& vars) {
    processors::RenderOptions o;
    o.now = "2024-07-26T10:00:00";
    return processors::ChatTemplate::from_source(kTemplate, R"({"bos_token": "<s>", "eos_token": "</s>"})")
        .render(vars, o);
  };
  auto r = run_cli({"chat-template", f.path(), "--messages", f.path("messages.json"), "--add-generation-prompt",
                    "--now", "2024-07-26T10:00:00"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "<s><|user|>\nHéllo</s>\n<|assistant|>\nHi</s>\n<|assistant|>\n26 July 2024");
  EXPECT_EQ(r.out,
            expected(R"({"messages": [{"role": "user", "content": "Héllo"}, {"role": "assistant", "content": "Hi"}],
                                 "add_generation_prompt": true})"));
  // --context overrides the flags and adds variables.
  r = run_cli({"chat-template", f.path(), "--messages", f.path("messages.json"), "--add-generation-prompt", "--context",
               f.path("context.json"), "--now", "2024-07-26T10:00:00"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "<s><|user|>\nHéllo</s>\n<|assistant|>\nHi</s>\n26 July 2024!");
  // A bare tokenizer_config.json: its default template; --template-name selects another.
  r = run_cli({"chat-template", f.path("tokenizer_config.json"), "--messages", f.path("messages.json")});
  EXPECT_EQ(r.out, "DEFAULT");
  r = run_cli({"chat-template", f.path("tokenizer_config.json"), "--messages", f.path("messages.json"), "--tools",
               f.path("tools.json"), "--template-name", "tool_use"});
  EXPECT_EQ(r.out, R"(TOOLS [{"type": "function", "function": {"name": "f", "b": 1, "a": "é"}}])");
}

TEST(CliChatTemplate, SelfContainedOnnx) {
  Folder f;
  // The tiny classifier with this folder's chat template embedded.
  ScratchDir model_dir;
  for (const auto& name : list_files(fixtures_dir() / "tiny-text-classifier"))
    write_bytes(model_dir / name, read_bytes(fixtures_dir() / "tiny-text-classifier" / name));
  write_bytes(model_dir / "chat_template.jinja", kTemplate);
  std::string out = (model_dir / "self.onnx").string();
  ASSERT_EQ(run_cli({"embed-metadata", (model_dir / "model.onnx").string(), model_dir.path().string(), "-o", out, "-q"})
                .exit_code,
            0);
  fs::remove(model_dir / "chat_template.jinja");
  auto r = run_cli({"chat-template", out, "--messages", f.path("messages.json"), "--now", "2024-07-26T10:00:00"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("<|user|>\nHéllo"), std::string::npos) << r.out;
}

TEST(CliChatTemplate, BadInputExits2WithAMessage) {
  Folder f;
  ScratchDir bad;
  write_bytes(bad / "broken.json", "[{\"role\": ");
  write_bytes(bad / "notlist.json", R"({"role": "user"})");
  write_bytes(bad / "raises.json",
              R"({"chat_template": "{{ raise_exception('Only user and assistant roles are supported!') }}"})");
  write_bytes(bad / "none.json", R"({"bos_token": "<s>"})");
  write_bytes(bad / "syntax.json", R"({"chat_template": "{% if x %}never closed"})");
  std::string m = f.path("messages.json");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{"chat-template", f.path()}, "no messages: give --messages M.json"},
      {{"chat-template", f.path(), "--messages", (bad / "broken.json").string()}, "broken.json"},
      {{"chat-template", f.path(), "--messages", (bad / "notlist.json").string()}, "messages: expected a list"},
      {{"chat-template", f.path(), "--messages", m, "--add-generation-prompt", "--continue-final-message"},
       "continue_final_message and add_generation_prompt are not compatible"},
      {{"chat-template", (bad / "raises.json").string(), "--messages", m},
       "Only user and assistant roles are supported!"},
      {{"chat-template", (bad / "none.json").string(), "--messages", m},
       "no chat template: looked for chat_template.jinja"},
      {{"chat-template", (bad / "syntax.json").string(), "--messages", m}, "line 1: unexpected end of template"},
      {{"chat-template", f.path("tokenizer_config.json"), "--messages", m, "--template-name", "rag"},
       "no chat template named 'rag' (templates: default, tool_use)"},
      {{"chat-template", f.path(), "--messages", m, "--now", "yesterday"}, "the time 'yesterday' is not ISO-8601"},
      {{"chat-template", (bad / "missing.onnx").string(), "--messages", m}, "missing.onnx"},
      {{"chat-template", f.path(), "--messages", (bad / "absent.json").string()}, "absent.json"},
  };
  for (const auto& c : cases) {
    auto r = run_cli(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.message;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "") << c.message;
  }
}

}  // namespace
}  // namespace modelexport::test
