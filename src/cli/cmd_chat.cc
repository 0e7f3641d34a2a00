// modelexport chat MODEL [--system TEXT] [generation options]
// An interactive multi-turn chat: each line read from stdin is a user message, the reply streams to
// stdout as it is generated (the model's chat template renders the whole conversation each turn).
// The history is kept within the context window: the oldest turns are dropped (the system message
// stays) until the rendered prompt plus max_new_tokens fits. Ctrl-C stops the current reply (the
// partial reply is kept in the history); Ctrl-C between replies, or end of input, exits. `/reset`
// clears the history. Piped stdin works: no prompt is shown when stdin is not a terminal.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/generation_options.h"
#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "modelexport/processors/chat_template.h"
#include "modelexport/runtime/pipeline.h"

namespace modelexport::cli {
namespace {

struct ChatArgs {
  std::string model, system;
  GenerationArgs generation;
  std::optional<int64_t> top_k;
  int threads = 0;
};

std::atomic<bool> g_cancel{false};
std::atomic<bool> g_generating{false};

extern "C" void on_interrupt(int) {
  if (g_generating.load()) {
    g_cancel.store(true);
    return;
  }
  std::signal(SIGINT, SIG_DFL);
  std::raise(SIGINT);
}

int run_chat(const ChatArgs& a) {
  runtime::SessionOptions session;
  session.intra_op_threads = a.threads;
  auto pipe = runtime::pipeline(a.model, "text-generation", session);
  runtime::PipelineOptions options;
  options.generation = to_generation_options(a.generation, a.top_k);
  options.on_note = [](std::string_view note) { std::cerr << "note: " << note << "\n"; };
  options.cancel = &g_cancel;
  // The template is needed up front: a model without one cannot chat.
  auto tmpl = processors::ChatTemplate::from_model_files(pipe->processor().files());
  size_t window = 0;
  if (const std::string* config = pipe->processor().files().get("config.json")) {
    Json c = parse_json_object(*config, "config.json");
    JsonReader r(c, "config.json");
    for (const char* key : {"max_position_embeddings", "n_positions", "n_ctx"})
      if (auto v = r.integer(key); v && *v > 0 && !window) window = static_cast<size_t>(*v);
  }
  const size_t reply_budget = static_cast<size_t>(options.generation.max_new_tokens.value_or(256));
  // The history is JSON (the template's variables): text that is not UTF-8 has no JSON form.
  auto require_utf8 = [](const std::string& text, const std::string& what) {
    if (size_t bad = invalid_utf8_offset(text); bad != std::string::npos)
      throw UsageError(what + ": not valid UTF-8 at " + utf8_error_position(text, bad) + "; expected UTF-8 text");
  };
  require_utf8(a.system, "--system");
  Json history = Json::array();
  auto reset = [&] {
    history = Json::array();
    if (!a.system.empty()) history.push_back({{"role", "system"}, {"content", a.system}});
  };
  reset();
  const bool interactive = isatty(STDIN_FILENO);
  std::signal(SIGINT, on_interrupt);
  size_t line_number = 0;
  for (std::string line;;) {
    if (interactive) std::cerr << "> " << std::flush;
    if (!std::getline(std::cin, line)) break;
    ++line_number;
    require_utf8(line, "stdin line " + std::to_string(line_number));
    if (line == "/reset") {
      reset();
      if (interactive) std::cerr << "(history cleared)\n";
      continue;
    }
    if (line.empty()) continue;
    history.push_back({{"role", "user"}, {"content", line}});
    // Drop the oldest turns (after the system message) while the prompt and the reply do not fit.
    const size_t first = a.system.empty() ? 0 : 1;
    while (window) {
      std::string prompt = tmpl.render(Json{{"messages", history}, {"add_generation_prompt", true}}.dump());
      size_t tokens = pipe->processor().tokenizer().encode(prompt, false).ids.size();
      if (tokens + reply_budget <= window) break;
      if (history.size() - first <= 1) {
        if (tokens >= window)
          throw UsageError("the message is " + std::to_string(tokens) +
                           " tokens with the template; the context window is " + std::to_string(window));
        break;  // the reply is cut at the window
      }
      history.erase(history.begin() + static_cast<std::ptrdiff_t>(first));
      std::cerr << "note: the oldest message was dropped to stay within the context window of " << window
                << " tokens\n";
    }
    options.on_text = [](std::string_view piece) { std::cout << piece << std::flush; };
    g_cancel.store(false);
    g_generating.store(true);
    std::vector<std::string> result;
    try {
      result = pipe->run({{.messages = history.dump()}}, options);
    } catch (...) {
      g_generating.store(false);
      throw;
    }
    g_generating.store(false);
    std::cout << "\n" << std::flush;
    Json r = parse_json(result[0], "result");
    history.push_back(r[0]["generated_text"].back());
    if (g_cancel.load() && interactive) std::cerr << "(stopped)\n";
  }
  return kExitOk;
}

}  // namespace

void add_chat_command(CLI::App& app, Action& action) {
  auto a = std::make_shared<ChatArgs>();
  auto* cmd = app.add_subcommand("chat", "Chat with a text-generation model in the terminal (streaming, multi-turn)");
  cmd->add_option("model", a->model, "Self-contained ONNX model with a chat template")->required();
  cmd->add_option("--system", a->system, "System message at the start of the conversation");
  cmd->add_option("--threads", a->threads, "ONNX Runtime intra-op threads (default: ORT's)");
  add_verbose_flag(cmd);
  auto* g = cmd->add_option_group("generation options");
  g->add_option("--top-k", a->top_k, "Sampling: keep the k most likely tokens (0 = off)");
  add_generation_options(g, a->generation, false);
  cmd->callback([a, &action] { action = [a] { return run_chat(*a); }; });
}

}  // namespace modelexport::cli
