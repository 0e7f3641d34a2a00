// modelexport: the command-line front end. The only place that catches errors broadly; it maps
// them to exit codes (0 ok, 1 invalid model from validate, 2 unusable input or failure).
#include <csignal>
#include <iostream>

#include "cli/commands.h"
#include "modelexport/common/error.h"
#include "modelexport/common/files.h"

int main(int argc, char** argv) {
  using namespace modelexport::cli;
  // A write beyond RLIMIT_FSIZE (a full quota) must fail with EFBIG and a message, not kill us.
  std::signal(SIGXFSZ, SIG_IGN);
  // Ctrl-C / SIGTERM while writing must not leave hidden .OUT.tmp.XXXXXX files behind.
  modelexport::remove_temporary_files_on_signals();
  CLI::App app{"modelexport: self-contained ONNX models with their Hugging Face metadata"};
  app.set_version_flag("--version", std::string("modelexport ") + MODELEXPORT_VERSION);
  app.require_subcommand(1);
  Action action;
  add_embed_command(app, action);
  add_analyze_command(app, action);
  add_validate_command(app, action);
  add_unpack_command(app, action);
  add_export_command(app, action);
  add_tokenize_command(app, action);
#ifdef MODELEXPORT_WITH_RUNTIME
  add_run_command(app, action);
  add_quantize_command(app, action);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUnusable;
  }
  try {
    return action ? action() : kExitUnusable;
  } catch (const modelexport::UsageError& e) {
    std::cerr << "modelexport: usage error: " << e.what() << "\n";
  } catch (const modelexport::FormatError& e) {
    std::cerr << "modelexport: not a usable ONNX model: " << e.what() << "\n";
  } catch (const modelexport::Error& e) {
    std::cerr << "modelexport: error: " << e.what() << "\n";
  } catch (const std::filesystem::filesystem_error& e) {
    std::cerr << "modelexport: file system error: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "modelexport: internal error: " << e.what() << "\n";
  }
  return kExitUnusable;
}
