// modelexport quantize MODEL.onnx -o OUT.onnx [--dtype q4] [--block-size N] [--asymmetric]
//                      [--accuracy-level 0..4] [--exclude PATTERN]... [--no-accuracy] [--json] [-q]
// Quantizes MatMul weights (quantize/quantize.h), then compares the outputs of both models on sample
// inputs through ONNX Runtime (runtime/compare.h) and reports it all.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/output.h"
#include "modelexport/quantize/quantize.h"
#include "modelexport/runtime/compare.h"

namespace modelexport::cli {
namespace {

struct QuantizeArgs {
  std::string model, output, layout;
  quantize::QuantizeOptions options;
  bool asymmetric = false, embeddings = false, no_accuracy = false, json = false, quiet = false;
};

int run_quantize(QuantizeArgs a) {
  if (a.embeddings) throw UsageError("--quantize-embeddings (GatherBlockQuantized) is not implemented yet");
  if (!a.layout.empty()) throw UsageError("--layout is not implemented yet for quantize; write -o OUT.onnx and `modelexport unpack` it");
  if (a.output.empty()) throw UsageError("give the output file with -o OUT.onnx");
  a.options.symmetric = !a.asymmetric;
  a.options.show_progress = !a.quiet && !a.json;
  quantize::QuantizeReport r = quantize::quantize_model(a.model, a.output, a.options);
  Json nodes = Json::array();
  for (const auto& n : r.nodes)
    nodes.push_back({{"node", n.node}, {"weight", n.weight}, {"quantized", n.quantized}, {"reason", n.reason}, {"K", n.K}, {"N", n.N}});
  Json out = {{"input", a.model},
              {"output", a.output},
              {"dtype", a.options.dtype},
              {"block_size", a.options.block_size},
              {"symmetric", a.options.symmetric},
              {"accuracy_level", a.options.accuracy_level},
              {"quantized", r.quantized},
              {"skipped", r.skipped},
              {"nodes", nodes},
              {"size_before", r.size_before},
              {"size_after", r.size_after},
              {"size_ratio", static_cast<double>(r.size_after) / static_cast<double>(r.size_before)},
              {"seconds", r.seconds},
              {"weights_mb_per_s", r.seconds > 0 ? static_cast<double>(r.weight_bytes) / 1e6 / r.seconds : 0.0}};
  if (!a.no_accuracy) {
    runtime::Agreement agreement = runtime::compare_models(a.model, a.output);
    Json outputs = Json::array();
    for (const auto& o : agreement.outputs)
      outputs.push_back({{"name", o.name}, {"max_abs_error", o.max_abs_error}, {"cosine", o.cosine}, {"top1_agreement", o.top1_agreement}});
    out["accuracy"] = {{"inputs", agreement.inputs}, {"outputs", outputs}};
  }
  if (a.json) {
    std::cout << out.dump() << "\n";
    return kExitOk;
  }
  if (a.quiet) return kExitOk;
  std::printf("quantized %zu MatMul(s) to %s (block %lld, %s), skipped %zu\n", r.quantized, a.options.dtype.c_str(),
              static_cast<long long>(a.options.block_size), a.options.symmetric ? "symmetric" : "asymmetric", r.skipped);
  for (const auto& n : r.nodes)
    if (!n.quantized || !n.reason.empty()) std::printf("  %s %s: %s\n", n.quantized ? "note" : "skipped", n.node.c_str(), n.reason.c_str());
  std::printf("size %.2f MB -> %.2f MB (%.3fx) in %.2f s (%.0f MB/s of float weights)\n", r.size_before / 1e6, r.size_after / 1e6,
              out["size_ratio"].get<double>(), r.seconds, out["weights_mb_per_s"].get<double>());
  if (out.contains("accuracy")) {
    std::printf("accuracy on %s:\n", out["accuracy"]["inputs"].get<std::string>().c_str());
    for (const auto& o : out["accuracy"]["outputs"])
      std::printf("  %-24s max |error| %.3g  cosine %.6f  top-1 agreement %.3f\n", o["name"].get<std::string>().c_str(),
                  o["max_abs_error"].get<double>(), o["cosine"].get<double>(), o["top1_agreement"].get<double>());
  }
  return kExitOk;
}

}  // namespace

void add_quantize_command(CLI::App& app, Action& action) {
  auto a = std::make_shared<QuantizeArgs>();
  auto* cmd = app.add_subcommand("quantize", "Quantize MatMul weights (4-bit MatMulNBits), keeping the embedded metadata");
  cmd->add_option("model", a->model, "ONNX model")->required();
  cmd->add_option("-o,--output", a->output, "Output .onnx (never the input)");
  cmd->add_option("--dtype", a->options.dtype, "q4 (implemented); q4f16, q8, int8, uint8, fp16 are not yet");
  cmd->add_option("--block-size", a->options.block_size, "Weights per scale: 16, 32 (default), 64, 128 or 256");
  cmd->add_flag("--asymmetric", a->asymmetric, "Asymmetric blocks with packed zero points (default symmetric)");
  cmd->add_option("--accuracy-level", a->options.accuracy_level, "MatMulNBits accuracy_level 0-4 (default 4: int8 activations; 0 omits it)");
  cmd->add_flag("--quantize-embeddings", a->embeddings, "Gather over embedding tables to GatherBlockQuantized (not yet)");
  cmd->add_option("--exclude", a->options.exclude, "Node or weight name to leave as is ('*' and '?' wildcards; repeatable)");
  cmd->add_option("--layout", a->layout, "transformers.js OUT_DIR (not yet)");
  cmd->add_flag("--no-accuracy", a->no_accuracy, "Skip the output comparison through ONNX Runtime");
  cmd->add_flag("--json", a->json, "Print the report as JSON");
  cmd->add_flag("-q,--quiet", a->quiet, "Print nothing on success");
  cmd->callback([a, &action] { action = [a] { return run_quantize(*a); }; });
}

}  // namespace modelexport::cli
