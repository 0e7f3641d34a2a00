// modelexport unpack MODEL.onnx OUT_DIR [--layout optimum|transformers.js] [--json] [-q]
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/report_json.h"
#include "modelexport/metadata/layout.h"

namespace modelexport::cli {

// Shared by unpack and export. Quiet: warnings only.
int print_layout_report(const metadata::LayoutReport& r, bool json, bool quiet) {
  if (quiet) {
    for (const auto& w : r.warnings) std::cerr << "warning: " << w << "\n";
  } else if (json) {
    print_json(layout_report_json(r));
  } else {
    std::cout << "wrote " << r.out_dir.string() << "\n";
    for (const auto& f : r.files) std::cout << "  " << f.name << "  " << human_bytes(f.size) << "\n";
    for (const auto& w : r.warnings) std::cerr << "warning: " << w << "\n";
  }
  return kExitOk;
}

namespace {
struct UnpackArgs {
  std::string model, out_dir, layout = "optimum";
  bool json = false, quiet = false;
};
}  // namespace

void add_unpack_command(CLI::App& app, Action& action) {
  auto a = std::make_shared<UnpackArgs>();
  auto* cmd = app.add_subcommand("unpack", "Write the Optimum or transformers.js folder from a self-contained model alone");
  cmd->add_option("model", a->model, "Self-contained ONNX model")->required();
  cmd->add_option("out_dir", a->out_dir, "Folder to create (must not exist)")->required();
  cmd->add_option("--layout", a->layout, "optimum (default) or transformers.js");
  cmd->add_flag("--json", a->json, "Print the written files as JSON");
  add_quiet_flag(cmd, a->quiet);
  cmd->callback([a, &action] {
    action = [a] {
      return print_layout_report(metadata::unpack_model(a->model, a->out_dir, metadata::parse_layout(a->layout)),
                                 a->json, a->quiet);
    };
  });
}

}  // namespace modelexport::cli
