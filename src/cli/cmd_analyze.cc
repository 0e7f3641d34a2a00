// modelexport analyze MODEL.onnx [--show-metadata] [--show-task] [--show-processor] [--validate-metadata] [--json] [-q]
// Exit 0; with --validate-metadata, 1 when the model is invalid (as validate); 2 unusable input.
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/report_json.h"
#include "modelexport/metadata/reader.h"
#include "modelexport/metadata/schema.h"
#include "modelexport/metadata/validate.h"

namespace modelexport::cli {
namespace {

struct AnalyzeArgs {
  std::string model;
  bool show_metadata = false, show_task = false, show_processor = false, validate = false, json = false, quiet = false;
};

Json parsed_or_null(const metadata::ModelMetadata& m, std::string_view key) {
  auto v = m.get(key);
  if (!v) return nullptr;
  try {
    return parse_json(*v, key);
  } catch (const Error&) {
    return nullptr;
  }
}

int run_analyze(const AnalyzeArgs& a) {
  format::OnnxFile model(a.model);
  metadata::ModelMetadata m = metadata::read_metadata(model);
  const auto& h = model.header();
  const auto& g = model.graph();
  std::string version = m.get(metadata::keys::kVersion).value_or("");
  std::string task = m.get(metadata::keys::kPipelineTask).value_or("");
  std::optional<metadata::ValidationReport> report;
  if (a.validate) report = metadata::validate_model(model, {});
  // Quiet: only the exit code, and the findings when --validate-metadata finds the model invalid.
  if (a.quiet) {
    if (!report || report->valid()) return kExitOk;
    print_findings(*report);
    return kExitInvalid;
  }

  if (a.json) {
    Json opsets = Json::array();
    for (const auto& o : h.opset_imports) opsets.push_back({{"domain", o.domain.empty() ? "ai.onnx" : o.domain}, {"version", o.version}});
    // A value that does not decode is reported out of band, under "errors", never as a value.
    Json meta = metadata_values_json(m), errors = metadata_errors_json(m);
    Json foreign = Json::object();
    for (const auto& [k, v] : m.foreign) foreign[k] = v;
    Json out = {{"file", a.model},
                {"file_size", model.size()},
                {"ir_version", h.ir_version},
                {"producer", {{"name", h.producer_name}, {"version", h.producer_version}}},
                {"opsets", opsets},
                {"graph", {{"name", g.name}, {"nodes", g.node_count}, {"initializers", g.initializer_count}}},
                {"inputs", value_info_json(g.inputs)},
                {"outputs", value_info_json(g.outputs)},
                {"external_data", g.external_data_files},
                {"metadata_version", version.empty() ? Json(nullptr) : Json(version)},
                {"task", task.empty() ? Json(nullptr) : Json(task)},
                {"metadata", meta},
                {"errors", errors},
                {"other_metadata", foreign}};
    if (report)
      out["validation"] = {{"valid", report->valid()}, {"level", report->level}, {"findings", findings_json(*report)}};
    print_json(out);
    return report && !report->valid() ? kExitInvalid : kExitOk;
  }

  std::cout << a.model << "  " << human_bytes(model.size()) << ", IR " << h.ir_version;
  for (const auto& o : h.opset_imports) std::cout << ", " << (o.domain.empty() ? "ai.onnx" : o.domain) << " " << o.version;
  if (!h.producer_name.empty()) std::cout << ", from " << h.producer_name << " " << h.producer_version;
  std::cout << "\n  graph: " << g.node_count << " nodes, " << g.initializer_count << " initializers\n";
  for (const auto& i : g.inputs) std::cout << "  input:  " << describe_value(i) << "\n";
  for (const auto& o : g.outputs) std::cout << "  output: " << describe_value(o) << "\n";
  for (const auto& f : g.external_data_files) std::cout << "  external data: " << f << "\n";
  if (!m.has_schema()) {
    std::cout << "  metadata: none from modelexport (" << m.foreign.size() << " other key(s)); run embed-metadata\n";
  } else {
    uint64_t stored = 0, raw = 0, undecodable = 0;
    for (const auto& [k, e] : m.entries) {
      stored += e.stored.size();
      if (auto n = m.decoded_size(k)) raw += *n;
      else ++undecodable;
    }
    std::cout << "  metadata: schema " << version << ", task " << (task.empty() ? "?" : task) << ", "
              << m.entries.size() << " keys, " << human_bytes(stored) << " stored (" << human_bytes(raw) << " decoded"
              << (undecodable ? ", " + std::to_string(undecodable) + " undecodable: run validate" : "") << ")\n";
  }
  if (a.show_metadata) {
    for (const auto& [key, e] : m.entries)
      std::printf("    %-44s %10s%s\n", key.c_str(),
                  m.decoded_size(key) ? human_bytes(*m.decoded_size(key)).c_str() : "undecodable",
                  e.compressed ? ("  (" + human_bytes(e.stored.size()) + " compressed)").c_str() : "");
    for (const auto& [k, v] : m.foreign) std::printf("    %-44s %10s  (not modelexport's)\n", k.c_str(), human_bytes(v.size()).c_str());
  }
  if (a.show_task) {
    Json pc = parsed_or_null(m, metadata::keys::kPipelineConfig), ec = parsed_or_null(m, metadata::keys::kExportConfig);
    std::cout << "  task: " << (task.empty() ? "unknown" : task);
    if (ec.is_object()) {
      JsonReader r(ec, "metadata key export_config");
      std::cout << " (" << r.string_or("task_method", "?") << ": " << r.string_or("task_detail", "") << ")";
    }
    std::cout << "\n";
    if (pc.is_object() && pc.contains("id2label")) std::cout << "  labels: " << pc["id2label"].dump() << "\n";
  }
  if (a.show_processor) {
    Json fe = parsed_or_null(m, metadata::keys::kFeatureEngineering);
    std::cout << "  processor: " << (fe.is_object() ? fe.dump(2) : std::string("none recorded")) << "\n";
  }
  if (report) print_findings(*report);
  return report && !report->valid() ? kExitInvalid : kExitOk;  // as validate
}

}  // namespace

void add_analyze_command(CLI::App& app, Action& action) {
  auto a = std::make_shared<AnalyzeArgs>();
  auto* cmd = app.add_subcommand("analyze", "Show a model's inputs, outputs and embedded metadata (the graph is not parsed)");
  cmd->add_option("model", a->model, "ONNX model")->required();
  cmd->add_flag("--show-metadata", a->show_metadata, "List every metadata key with its size");
  cmd->add_flag("--show-task", a->show_task, "Show the task and how it was determined");
  cmd->add_flag("--show-processor", a->show_processor, "Show the processor settings (feature_engineering)");
  cmd->add_flag("--validate-metadata", a->validate, "Also run every validate check (exit 1 when invalid, as validate)");
  cmd->add_flag("--json", a->json, "Print one JSON object (metadata decoded, JSON values parsed)");
  add_quiet_flag(cmd, a->quiet);
  cmd->callback([a, &action] { action = [a] { return run_analyze(*a); }; });
}

}  // namespace modelexport::cli
