// modelexport: the command-line front end. The only place that catches errors broadly; it maps
// them to exit codes (0 ok, 1 invalid model from validate, 2 unusable input or failure).
#include <algorithm>
#include <csignal>
#include <iostream>

#include "cli/commands.h"
#include "modelexport/common/error.h"
#include "modelexport/common/files.h"

namespace modelexport::cli {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

std::vector<std::string> command_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App* s) { return !s->get_name().empty(); }))
    names.push_back(sub->get_name());
  return names;
}

// A command's options by their long names (also those in option groups, which CLI11 keeps as
// nameless sub-apps), "--help" first.
void collect_options(const CLI::App& cmd, std::vector<std::string>& out) {
  for (const CLI::Option* o : cmd.get_options())
    if (o->nonpositional() && std::find(out.begin(), out.end(), o->get_name()) == out.end())
      out.push_back(o->get_name());
  for (const CLI::App* group : cmd.get_subcommands([](const CLI::App* s) { return s->get_name().empty(); }))
    collect_options(*group, out);
}

// Arguments CLI11 matched to nothing (extras are allowed so that we can say which and what is valid).
void check_unmatched(const CLI::App& app) {
  std::vector<CLI::App*> parsed = app.get_subcommands();
  if (parsed.empty()) {
    std::vector<std::string> rest = app.remaining();
    std::string commands = join(command_names(app));
    if (rest.empty()) throw UsageError("a command is required: one of " + commands + " (see modelexport --help)");
    if (rest[0].rfind('-', 0) == 0)
      throw UsageError("unknown option '" + rest[0] + "' (give a command first: one of " + commands +
                       "; see modelexport --help)");
    throw UsageError("unknown command '" + rest[0] + "'; expected one of " + commands + " (see modelexport --help)");
  }
  const CLI::App& cmd = *parsed[0];
  if (std::vector<std::string> before = app.remaining(); !before.empty())  // before the command
    throw UsageError("unknown option '" + before[0] + "'; modelexport's own options: --help, --version");
  std::vector<std::string> rest = cmd.remaining();
  if (rest.empty()) return;
  std::vector<std::string> options;
  collect_options(cmd, options);
  std::string where = "modelexport " + cmd.get_name();
  if (rest[0].rfind('-', 0) == 0 && rest[0].size() > 1)
    throw UsageError("unknown option '" + rest[0] + "' for " + where + "; its options: " + join(options));
  throw UsageError("unexpected argument '" + rest[0] + "' for " + where + " (see " + where + " --help)");
}

}  // namespace
}  // namespace modelexport::cli

int main(int argc, char** argv) {
  using namespace modelexport::cli;
  // A write beyond RLIMIT_FSIZE (a full quota) must fail with EFBIG and a message, not kill us.
  std::signal(SIGXFSZ, SIG_IGN);
  // Ctrl-C / SIGTERM while writing must not leave hidden .OUT.tmp.XXXXXX files behind.
  modelexport::remove_temporary_files_on_signals();
  CLI::App app{"modelexport: self-contained ONNX models with their Hugging Face metadata"};
  app.set_version_flag("--version", std::string("modelexport ") + MODELEXPORT_VERSION);
  // Unknown commands and options are reported by check_unmatched() with the valid ones; the
  // subcommands inherit allow_extras.
  app.allow_extras();
  app.require_subcommand(0, 1);
  Action action;
  add_embed_command(app, action);
  add_analyze_command(app, action);
  add_validate_command(app, action);
  add_unpack_command(app, action);
  add_export_command(app, action);
  add_tokenize_command(app, action);
  add_chat_template_command(app, action);
#ifdef MODELEXPORT_WITH_RUNTIME
  add_run_command(app, action);
  add_quantize_command(app, action);
  add_chat_command(app, action);
  add_preprocess_command(app, action);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUnusable;
  }
  try {
    check_unmatched(app);
    return action ? action() : kExitUnusable;
  } catch (const modelexport::UsageError& e) {
    std::cerr << "modelexport: usage error: " << e.what() << "\n";
  } catch (const modelexport::UnsuitableModelError& e) {
    std::cerr << "modelexport: unsuitable model: " << e.what() << "\n";
  } catch (const modelexport::FormatError& e) {
    std::cerr << "modelexport: not a usable ONNX model: " << e.what() << "\n";
  } catch (const modelexport::Error& e) {
    std::cerr << "modelexport: error: " << e.what() << "\n";
  } catch (const std::filesystem::filesystem_error& e) {
    std::cerr << "modelexport: file system error: " << e.what() << "\n";
  } catch (const std::exception& e) { std::cerr << "modelexport: internal error: " << e.what() << "\n"; }
  return kExitUnusable;
}
