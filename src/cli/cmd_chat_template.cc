// modelexport chat-template SOURCE [--messages M.json] [--tools T.json] [--context C.json]
//                          [--add-generation-prompt] [--continue-final-message] [--now ISO-8601-TIME]
//                          [--template-name NAME]
// SOURCE: a model folder, a tokenizer_config.json, or a self-contained .onnx. Prints the prompt
// transformers' apply_chat_template(tokenize=False) renders, exactly, with nothing appended.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "common/json_file.h"
#include "common/json_util.h"
#include "modelexport/common/files.h"
#include "modelexport/metadata/model_files.h"
#include "modelexport/processors/chat_template.h"

namespace modelexport::cli {
namespace {

namespace fs = std::filesystem;

struct ChatTemplateArgs {
  std::string source, messages, tools, context, now, name;
  bool add_generation_prompt = false, continue_final_message = false;
};

processors::ChatTemplate load_template(const ChatTemplateArgs& a) {
  fs::path p(a.source);
  if (fs::is_directory(p) || p.extension() == ".onnx") {
    if (!fs::exists(p)) throw IoError(a.source + ": no such file");
    auto files = fs::is_directory(p) ? metadata::ModelFiles::from_folder(p) : metadata::ModelFiles::from_model(p);
    for (const auto& w : files.warnings) std::cerr << "warning: " << w << "\n";
    return processors::ChatTemplate::from_model_files(files, a.name);
  }
  try {
    return processors::ChatTemplate::from_files(read_file(p), {}, {}, a.name);
  } catch (const ProcessorReconstructionError& e) { throw ProcessorReconstructionError(a.source + ": " + e.what()); }
}

int run_chat_template(const ChatTemplateArgs& a) {
  auto tmpl = load_template(a);
  // Variables: --messages, --tools and the flags, then --context's object over them.
  nlohmann::ordered_json vars = nlohmann::ordered_json::object();
  if (!a.messages.empty()) {
    std::string text = read_json_file(a.messages, a.messages);
    check_json_syntax(text, a.messages);
    vars["messages"] = nlohmann::ordered_json::parse(text);
  }
  if (!a.tools.empty()) {
    std::string text = read_json_file(a.tools, a.tools);
    check_json_syntax(text, a.tools);
    vars["tools"] = nlohmann::ordered_json::parse(text);
  }
  if (a.add_generation_prompt) vars["add_generation_prompt"] = true;
  if (a.continue_final_message) vars["continue_final_message"] = true;
  if (!a.context.empty()) {
    std::string text = read_json_file(a.context, a.context);
    check_json_syntax(text, a.context);
    auto context = nlohmann::ordered_json::parse(text);
    if (!context.is_object()) throw UsageError(a.context + ": expected one JSON object of template variables");
    for (const auto& [k, v] : context.items()) vars[k] = v;
  }
  if (!vars.contains("messages"))
    throw UsageError(
        "no messages: give --messages M.json (a list of {\"role\", \"content\"}) or \"messages\" in --context");
  processors::RenderOptions options;
  if (!a.now.empty()) options.now = a.now;
  std::string prompt = tmpl.render(vars.dump(), options);
  std::cout << prompt << std::flush;
  return kExitOk;
}

}  // namespace

void add_chat_template_command(CLI::App& app, Action& action) {
  auto a = std::make_shared<ChatTemplateArgs>();
  auto* cmd =
      app.add_subcommand("chat-template", "Render a model's chat template as transformers' apply_chat_template does");
  cmd->add_option("source", a->source, "model folder, tokenizer_config.json, or self-contained .onnx")->required();
  cmd->add_option("--messages", a->messages, "JSON file: the list of {\"role\", \"content\"} messages");
  cmd->add_option("--tools", a->tools, "JSON file: the list of tool JSON schemas");
  cmd->add_option("--context", a->context, "JSON file: one object of template variables (overrides the rest)");
  cmd->add_flag("--add-generation-prompt", a->add_generation_prompt, "End with the assistant header");
  cmd->add_flag("--continue-final-message", a->continue_final_message, "Leave the final message open for continuation");
  cmd->add_option("--now", a->now, "Fix strftime_now's time (ISO-8601, e.g. 2024-07-26T10:00:00)");
  cmd->add_option("--template-name", a->name, "A named template from tokenizer_config.json (e.g. tool_use)");
  cmd->callback([a, &action] { action = [a] { return run_chat_template(*a); }; });
}

}  // namespace modelexport::cli
