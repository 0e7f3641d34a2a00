// Checking a self-contained model (the `validate` command and `analyze --validate-metadata`).
//
// Checks: keys and value types against schema v2, compressed values decode, manifest sizes and
// sha256 match, the task is known and consistent with the architecture, and the processor matches the
// graph's inputs (input_ids/attention_mask/token_type_ids vs a tokenizer, pixel_values and its size vs
// an image processor, input_features and mel bins vs a feature extractor), the graph's outputs vs
// what the task's pipeline reads (task_outputs.h, the rule `run` applies), and that external data is
// complete beside the model. Every finding is listed; nothing stops at the first.
//
//   format::OnnxFile model("model.onnx");
//   ValidationReport r = validate_model(model, {});
//   for (const auto& f : r.findings) std::cout << f.severity << " " << f.check << ": " << f.message << "\n";
//   return r.valid() ? 0 : 1;
#pragma once

#include <string>
#include <vector>

#include "modelexport/format/onnx_file.h"

namespace modelexport::metadata {

struct ValidationOptions {
  bool metadata = true;   // schema, compression, manifest
  bool task = true;       // task known and consistent with the architecture
  bool processor = true;  // processor config vs graph inputs
};

struct Finding {
  std::string severity;  // "error" or "warning"
  std::string check;     // "format", "schema", "compression", "manifest", "task", "processor"
  std::string message;
};

struct ValidationReport {
  std::vector<Finding> findings;
  std::vector<std::string> checks_run;
  // The level the metadata was embedded at (export_config.level: "minimal", "essential", "full";
  // "full" when it does not say; empty without modelexport metadata). A file is checked against
  // what its level embeds: a minimal file carries no processor files, so their absence is a warning.
  std::string level;
  bool valid() const;  // no errors (warnings allowed)
};

ValidationReport validate_model(const format::OnnxFile& model, const ValidationOptions& options);

}  // namespace modelexport::metadata
