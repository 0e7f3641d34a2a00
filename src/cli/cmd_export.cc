// modelexport export SOURCE OUT_DIR --onnx MODEL.onnx [--layout optimum|transformers.js] [--json] [-q]
#include <memory>

#include "cli/commands.h"
#include "cli/output.h"
#include "modelexport/metadata/layout.h"

namespace modelexport::cli {

int print_layout_report(const metadata::LayoutReport& r, bool json, bool quiet);  // cmd_unpack.cc

namespace {
struct ExportArgs {
  std::string source, out_dir, onnx, layout = "optimum";
  bool json = false, quiet = false;
};
}  // namespace

void add_export_command(CLI::App& app, Action& action) {
  auto a = std::make_shared<ExportArgs>();
  auto* cmd = app.add_subcommand("export", "Copy an ONNX model and its Hugging Face files into an Optimum or transformers.js folder");
  cmd->add_option("source", a->source, "Hugging Face model folder, or a Hub id in the local HF cache")->required();
  cmd->add_option("out_dir", a->out_dir, "Folder to create (must not exist)")->required();
  cmd->add_option("--onnx", a->onnx, "The ONNX model to place in the folder")->required();
  cmd->add_option("--layout", a->layout, "optimum (default) or transformers.js");
  cmd->add_flag("--json", a->json, "Print the written files as JSON");
  add_quiet_flag(cmd, a->quiet);
  cmd->callback([a, &action] {
    action = [a] {
      return print_layout_report(
          metadata::export_model(a->source, a->onnx, a->out_dir, metadata::parse_layout(a->layout)), a->json, a->quiet);
    };
  });
}

}  // namespace modelexport::cli
