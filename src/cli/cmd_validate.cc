// modelexport validate MODEL.onnx [--check-metadata] [--check-task] [--check-processor] [--json]
// Exit 0 valid, 1 invalid (every finding listed), 2 unusable input.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/report_json.h"
#include "modelexport/metadata/validate.h"

namespace modelexport::cli {
namespace {

struct ValidateArgs {
  std::string model;
  bool metadata = false, task = false, processor = false, json = false, quiet = false;
};

int run_validate(const ValidateArgs& a) {
  format::OnnxFile model(a.model);
  metadata::ValidationOptions opt;
  if (a.metadata || a.task || a.processor) opt = {a.metadata, a.task, a.processor};  // only the named checks
  metadata::ValidationReport r = metadata::validate_model(model, opt);
  if (a.quiet && r.valid()) return kExitOk;
  if (a.json) {
    print_json(validation_report_json(a.model, r));
  } else {
    std::cout << a.model << (r.level.empty() ? "" : "  (metadata level " + r.level + ")") << "\n";
    print_findings(r);
  }
  return r.valid() ? kExitOk : kExitInvalid;
}

}  // namespace

void add_validate_command(CLI::App& app, Action& action) {
  auto a = std::make_shared<ValidateArgs>();
  auto* cmd = app.add_subcommand("validate", "Check embedded metadata: schema, compression, manifest hashes, task, processor vs inputs");
  cmd->add_option("model", a->model, "ONNX model")->required();
  cmd->add_flag("--check-metadata", a->metadata, "Schema, compressed values and manifest");
  cmd->add_flag("--check-task", a->task, "Task known and consistent with the architecture");
  cmd->add_flag("--check-processor", a->processor, "Processor config matches the graph's inputs");
  cmd->add_flag("--json", a->json, "Print the findings as JSON");
  add_quiet_flag(cmd, a->quiet);
  cmd->footer("With no --check-* flag every check runs. Exit codes: 0 valid, 1 invalid, 2 unusable input.");
  cmd->callback([a, &action] { action = [a] { return run_validate(*a); }; });
}

}  // namespace modelexport::cli
