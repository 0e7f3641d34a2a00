// One file per command. Each add_* registers a subcommand whose callback stores the action to run;
// main() runs it and is the only place that catches errors (see main.cc for exit codes).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace modelexport::cli {

using Action = std::function<int()>;

void add_embed_command(CLI::App& app, Action& action);
void add_analyze_command(CLI::App& app, Action& action);
void add_validate_command(CLI::App& app, Action& action);
void add_unpack_command(CLI::App& app, Action& action);
void add_export_command(CLI::App& app, Action& action);
void add_tokenize_command(CLI::App& app, Action& action);
void add_run_command(CLI::App& app, Action& action);
void add_quantize_command(CLI::App& app, Action& action);  // built with the runtime only
void add_chat_command(CLI::App& app, Action& action);      // built with the runtime only
void add_chat_template_command(CLI::App& app, Action& action);
void add_preprocess_command(CLI::App& app, Action& action);  // built with the runtime only
// -v/--verbose for commands that run ONNX Runtime: its log records, which are dropped otherwise,
// are printed as "modelexport: onnxruntime warning: ..." on stderr (cmd_run.cc; runtime builds only).
void add_verbose_flag(CLI::App* command);

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInvalid = 1;   // validate: the model was read and has errors
inline constexpr int kExitUnusable = 2;  // any error: bad input, bad arguments, I/O failure

}  // namespace modelexport::cli
