// Chat templates rendered as transformers' `apply_chat_template(..., tokenize=False)` renders them:
// a Jinja engine with the semantics of Python jinja2 3.1 in an ImmutableSandboxedEnvironment with
// trim_blocks, lstrip_blocks and the loopcontrols extension, plus transformers' additions (`tojson`
// with ensure_ascii=False and no HTML escaping, `raise_exception`, `strftime_now`, the
// `{% generation %}` block). Reference: transformers src/transformers/utils/chat_template_utils.py.
//
//   auto files = modelexport::metadata::ModelFiles::from_model("model.onnx");
//   auto tmpl = modelexport::processors::ChatTemplate::from_model_files(files);
//   std::string prompt = tmpl.render(R"({"messages": [{"role": "user", "content": "Hi"}],
//                                        "add_generation_prompt": true})");
//
// A ChatTemplate is immutable after construction; render() is const and thread-safe.
// Errors: no template, an unknown template name, a template that does not parse → ProcessorReconstructionError;
// a template's raise_exception(msg) → TemplateError with exactly msg; an unsupported construct, a runtime
// error (undefined attribute used, wrong types) or an exceeded limit → TemplateError naming it and its line.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "modelexport/common/error.h"
#include "modelexport/metadata/model_files.h"

namespace modelexport::processors {

// Rendering a template failed: its own raise_exception (message = the template's message), or an
// error while evaluating it ("line 3: the filter 'xmlattr' is not supported").
class TemplateError : public ProcessorReconstructionError {
  using ProcessorReconstructionError::ProcessorReconstructionError;
};

struct RenderOptions {
  // The time strftime_now formats, ISO-8601 ("2024-07-26T10:00:00", local time as given); unset: now.
  std::optional<std::string> now;
  size_t max_output_bytes = 16u << 20;   // rendered text
  size_t max_loop_iterations = 1000000;  // all loop bodies together
  size_t max_recursion_depth = 200;      // nested macro calls / evaluation depth
};

class ChatTemplate {
 public:
  // The template as transformers picks it: chat_template.jinja, else chat_template.json's
  // "chat_template", else tokenizer_config.json's "chat_template" (a string, or a list of
  // {name, template}: `name` selects, "" = "default", or the only one). Special tokens (bos_token,
  // eos_token, unk_token, pad_token, sep_token, cls_token, mask_token, additional_special_tokens)
  // from tokenizer_config.json (strings or AddedToken objects). Any argument may be empty.
  // Throws ProcessorReconstructionError when there is no template (naming where it looked) or the
  // name is unknown (listing the names).
  static ChatTemplate from_files(std::string_view tokenizer_config_json, std::string_view chat_template_jinja,
                                 std::string_view chat_template_json, std::string_view name = "");
  // The three files by name from ModelFiles (embedded metadata or the folder).
  static ChatTemplate from_model_files(const metadata::ModelFiles& files, std::string_view name = "");
  // A template text and a JSON object of variables always present (special tokens).
  static ChatTemplate from_source(std::string source, std::string special_tokens_json = "{}");

  // transformers' apply_chat_template(tokenize=False). variables_json is a JSON object: messages,
  // tools, documents, add_generation_prompt, continue_final_message and any extra variables (e.g.
  // enable_thinking); the tokenizer's special tokens are added unless the object sets them.
  // continue_final_message cuts the output after the final message's content as transformers does
  // (and refuses it together with add_generation_prompt, as transformers does). Returns the prompt.
  std::string render(std::string_view variables_json, const RenderOptions& options = {}) const;

  const std::string& source() const;
  // The special tokens as a JSON object (for messages and callers that need eos_token).
  const std::string& special_tokens_json() const;

  ChatTemplate(ChatTemplate&&) noexcept;
  ChatTemplate& operator=(ChatTemplate&&) noexcept;
  ~ChatTemplate();

 private:
  struct Impl;
  explicit ChatTemplate(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

}  // namespace modelexport::processors
