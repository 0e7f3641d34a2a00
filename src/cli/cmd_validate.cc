// modelexport validate MODEL.onnx [--check-metadata] [--check-task] [--check-processor] [--json]
// Exit 0 valid, 1 invalid (every finding listed), 2 unusable input.
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/report_json.h"
#include "modelexport/metadata/encoder_decoder_set.h"
#include "modelexport/metadata/validate.h"
#ifdef MODELEXPORT_WITH_RUNTIME
#include "quantize/targets.h"
#endif

namespace modelexport::cli {
namespace {

struct ValidateArgs {
  std::string model;
  bool metadata = false, task = false, processor = false, json = false, quiet = false;
  std::vector<std::string> targets;  // --target: ops the target's ONNX Runtime build lacks
};

// A folder (or a file) of an encoder-decoder set, or of a decoder-only set (Optimum's two-file
// decoder_model + decoder_with_past_model, or a merged decoder's folder): every file is checked, then
// the set's consistency (same config, hidden sizes, vocabulary, past/present names; a missing sibling
// is a finding).
int run_validate_set(const ValidateArgs& a, bool decoder_only) {
  metadata::ValidationOptions opt;
  if (a.metadata || a.task || a.processor) opt = {a.metadata, a.task, a.processor};
  bool valid = true;
  Json files = Json::array();
  metadata::ValidationReport set_report;
  std::vector<std::filesystem::path> members;
  std::string label = decoder_only ? "two-file decoder " : "encoder-decoder set ";
  try {
    if (decoder_only) {
      metadata::DecoderOnlySet set = metadata::find_decoder_only_set(a.model);
      if (set.merged()) label = "decoder-only set ";
      members = set.files();
      set_report.findings = metadata::validate_decoder_only_set(set);
    } else {
      metadata::EncoderDecoderSet set = metadata::find_encoder_decoder_set(a.model);
      members = set.files();
      set_report.findings = metadata::validate_encoder_decoder_set(set);
    }
  } catch (const MetadataReadError& e) {
    set_report.findings.push_back({"error", "set", e.what()});
    if (!std::filesystem::is_directory(a.model)) members = {a.model};
  }
  set_report.checks_run = {"set"};
  for (const auto& f : members) {
    format::OnnxFile model(f);
    metadata::ValidationReport r = metadata::validate_model(model, opt);
    valid = valid && r.valid();
    if (a.json) {
      files.push_back(
          {{"file", f.string()}, {"valid", r.valid()}, {"checks", r.checks_run}, {"findings", findings_json(r)}});
    } else if (!(a.quiet && r.valid())) {
      std::cout << f.string() << (r.level.empty() ? "" : "  (metadata level " + r.level + ")") << "\n";
      print_findings(r);
    }
  }
  valid = valid && set_report.valid();
  if (a.json) {
    print_json({{"file", a.model}, {"valid", valid}, {"files", files}, {"set_findings", findings_json(set_report)}});
  } else if (!(a.quiet && set_report.valid())) {
    std::cout << label << a.model << "\n";
    print_findings(set_report);
  }
  return valid ? kExitOk : kExitInvalid;
}

int run_validate(const ValidateArgs& a) {
  const bool encoder_decoder = metadata::is_encoder_decoder_set(a.model);
  if (!encoder_decoder && metadata::is_decoder_only_set(a.model)) return run_validate_set(a, true);
  if (std::filesystem::is_directory(a.model) || encoder_decoder) return run_validate_set(a, false);
  format::OnnxFile model(a.model);
  metadata::ValidationOptions opt;
  if (a.metadata || a.task || a.processor) opt = {a.metadata, a.task, a.processor};  // only the named checks
  metadata::ValidationReport r = metadata::validate_model(model, opt);
#ifdef MODELEXPORT_WITH_RUNTIME
  if (!a.targets.empty()) {
    r.checks_run.push_back("target");
    for (const auto& f : quantize::check_model_targets(a.model, a.targets))
      r.findings.push_back({f.lacking ? "error" : "warning", "target", f.message});
  }
#endif
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
  cmd->add_option("model", a->model,
                  "ONNX model, or an encoder-decoder or two-file decoder folder (every file and the set are checked)")
      ->required();
  cmd->add_flag("--check-metadata", a->metadata, "Schema, compressed values and manifest");
  cmd->add_flag("--check-task", a->task, "Task known and consistent with the architecture");
  cmd->add_flag("--check-processor", a->processor, "Processor config matches the graph's inputs");
#ifdef MODELEXPORT_WITH_RUNTIME
  cmd->add_option(
      "--target", a->targets,
      "cpu, wasm or webgpu (repeatable): list the model's ops that target's ONNX Runtime build lacks (data/kernels)");
#endif
  cmd->add_flag("--json", a->json, "Print the findings as JSON");
  add_quiet_flag(cmd, a->quiet);
  cmd->footer("With no --check-* flag every check runs. Exit codes: 0 valid, 1 invalid, 2 unusable input.");
  cmd->callback([a, &action] { action = [a] { return run_validate(*a); }; });
}

}  // namespace modelexport::cli
