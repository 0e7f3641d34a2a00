// modelexport run MODEL.onnx [TEXT...] [--input FILE.jsonl] [--top-k K] [--threads N] [--json]
// Runs the pipeline of the model's task (hf_pipeline_task). Supported so far: text-classification.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/output.h"
#include "modelexport/format/onnx_file.h"
#include "modelexport/metadata/reader.h"
#include "modelexport/metadata/schema.h"
#include "modelexport/metadata/task.h"
#include "modelexport/runtime/text_classification.h"

namespace modelexport::cli {
namespace {

struct RunArgs {
  std::string model, input, task;
  std::vector<std::string> texts;
  size_t top_k = 1;
  int threads = 0;
  bool json = false;
};

int run_pipeline(const RunArgs& a) {
  std::string task = a.task;
  if (task.empty()) {
    format::OnnxFile f(a.model);
    metadata::ModelMetadata m = metadata::read_metadata(f);
    task = m.get(metadata::keys::kPipelineTask).value_or("");
    if (task.empty()) throw MetadataReadError("'" + a.model + "' records no task (hf_pipeline_task); embed its metadata or pass --task");
  }
  task = metadata::canonical_task(task);
  if (task != "text-classification")
    throw UsageError("the " + task + " pipeline is not available in `run` yet; supported: text-classification");
  std::vector<std::string> texts = a.texts;
  if (!a.input.empty()) {
    auto more = read_text_lines(a.input);
    texts.insert(texts.end(), more.begin(), more.end());
  }
  if (texts.empty()) throw UsageError("nothing to classify: give TEXT arguments or --input");
  runtime::SessionOptions options;
  options.intra_op_threads = a.threads;
  auto classify = runtime::TextClassificationPipeline::from_model(a.model, options);
  auto results = classify(texts, a.top_k);
  for (size_t i = 0; i < results.size(); ++i) {
    if (a.json) {
      Json out = Json::array();
      for (const auto& r : results[i]) out.push_back({{"label", r.label}, {"score", r.score}});
      std::cout << (a.top_k == 1 ? out[0].dump() : out.dump()) << "\n";
    } else {
      std::cout << texts[i] << "\n";
      for (const auto& r : results[i]) std::printf("  %-24s %.4f\n", r.label.c_str(), r.score);
    }
  }
  return kExitOk;
}

}  // namespace

void add_run_command(CLI::App& app, Action& action) {
  auto a = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand("run", "Run the model's pipeline on inputs (task from the embedded metadata)");
  cmd->add_option("model", a->model, "Self-contained ONNX model")->required();
  cmd->add_option("texts", a->texts, "Texts to run on");
  cmd->add_option("--input", a->input, "JSONL file of {\"text\": ...} lines");
  cmd->add_option("--task", a->task, "Task instead of the recorded one");
  cmd->add_option("--top-k", a->top_k, "Labels per text (default 1)");
  cmd->add_option("--threads", a->threads, "ONNX Runtime intra-op threads (default: ORT's)");
  cmd->add_flag("--json", a->json, "One JSON line per input, shaped like transformers.js' output");
  cmd->callback([a, &action] { action = [a] { return run_pipeline(*a); }; });
}

}  // namespace modelexport::cli
