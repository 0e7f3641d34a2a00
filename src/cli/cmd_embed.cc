// modelexport embed-metadata MODEL.onnx SOURCE... [-o OUT.onnx] [--level L] [--include-vocab]
//                            [--no-compress] [--compress-threshold KB] [--task T] [--json]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/report_json.h"
#include "modelexport/metadata/embed.h"

namespace modelexport::cli {
namespace {

struct EmbedArgs {
  std::string model, output, level = "full", task;
  std::vector<std::string> sources;
  bool include_vocab = false, no_compress = false, json = false, quiet = false;
  double threshold_kb = 10;
};

int run_embed_one(const EmbedArgs& a) {
  metadata::EmbedOptions opt;
  opt.level = a.include_vocab ? metadata::Level::kFull : metadata::parse_level(a.level);
  opt.compression.compress = !a.no_compress;
  opt.compression.threshold_bytes = compress_threshold_bytes(a.threshold_kb);
  opt.task = a.task;
  opt.output = a.output;
  opt.show_progress = !a.quiet && !a.json;
  metadata::EmbedReport r = metadata::embed_metadata(a.model, a.sources, opt);

  double ratio = r.raw_bytes ? static_cast<double>(r.stored_bytes) / static_cast<double>(r.raw_bytes) : 1.0;
  if (a.json) {
    print_json(embed_report_json(r));
    return kExitOk;
  }
  if (a.quiet) return kExitOk;
  std::cout << "embedded metadata into " << r.output.string() << " (level " << metadata::level_name(r.level) << ")\n"
            << "  task: " << r.task.task << " (" << r.task.method << ": " << r.task.detail << ")\n";
  std::printf("  %-44s %10s %10s\n", "key", "raw", "stored");
  for (const auto& e : r.entries)
    std::printf("  %-44s %10s %10s%s\n", e.key.c_str(), human_bytes(e.raw_bytes).c_str(), human_bytes(e.stored_bytes).c_str(),
                e.compressed ? "  gzip+base64" : "");
  std::printf("  metadata: %s raw -> %s stored (ratio %.3f)\n", human_bytes(r.raw_bytes).c_str(),
              human_bytes(r.stored_bytes).c_str(), ratio);
  std::printf("  model: %s -> %s\n", human_bytes(r.model_bytes_before).c_str(), human_bytes(r.model_bytes_after).c_str());
  if (!r.replaced_keys.empty()) std::cout << "  replaced " << r.replaced_keys.size() << " existing modelexport key(s)\n";
  if (!r.preserved_keys.empty()) std::cout << "  kept " << r.preserved_keys.size() << " foreign metadata key(s) untouched\n";
  for (const auto& f : r.copied_external_data) std::cout << "  copied external data " << f << " beside the output\n";
  for (const auto& w : r.warnings) std::cerr << "warning: " << w << "\n";
  return kExitOk;
}

// MODEL may be a folder of ONNX files (an encoder-decoder set: encoder_model.onnx,
// decoder_model_merged.onnx, ...): every *.onnx in it gets the same metadata, so each file of the set
// is self-contained. -o is then a folder (created when missing) that receives the files under their names.
int run_embed(const EmbedArgs& a) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(a.model)) return run_embed_one(a);
  std::vector<fs::path> models;
  for (const auto& e : fs::directory_iterator(a.model))
    if (e.path().extension() == ".onnx" && !fs::is_directory(e.path())) models.push_back(e.path());
  std::sort(models.begin(), models.end());
  if (models.empty()) throw UsageError("model folder '" + a.model + "' holds no .onnx file");
  if (!a.output.empty()) {
    if (fs::exists(a.output) && !fs::is_directory(a.output))
      throw UsageError("-o must be a folder when MODEL is a folder ('" + a.model + "'); '" + a.output + "' is a file");
    fs::create_directories(a.output);
  }
  for (const auto& m : models) {
    EmbedArgs one = a;
    one.model = m.string();
    one.output = a.output.empty() ? std::string() : (fs::path(a.output) / m.filename()).string();
    run_embed_one(one);
  }
  return kExitOk;
}

}  // namespace

void add_embed_command(CLI::App& app, Action& action) {
  auto a = std::make_shared<EmbedArgs>();
  auto* cmd = app.add_subcommand("embed-metadata",
                                 "Write a Hugging Face model's config, tokenizer and processor files into the ONNX file");
  cmd->add_option(
         "model", a->model,
         "ONNX model (from any exporter), or a folder of them (an encoder-decoder set: each file gets the metadata)")
      ->required();
  cmd->add_option(
         "source", a->sources,
         "Hugging Face model folder (or onnxruntime-genai folder), or a Hub id in the local HF cache; several: "
         "each file from the first that has it")
      ->required();
  cmd->add_option("-o,--output", a->output, "Output .onnx (default: replace MODEL atomically)");
  cmd->add_option("--level", a->level, "minimal | essential | full (default full)")
      ->check(CLI::IsMember({"minimal", "essential", "full"}));
  cmd->add_flag("--include-vocab", a->include_vocab, "Same as --level full (the seed design's spelling)");
  cmd->add_flag("--no-compress", a->no_compress, "Store text values uncompressed (binary files are always compressed)");
  cmd->add_option("--compress-threshold", a->threshold_kb, "Compress values larger than this many KB (default 10)");
  cmd->add_option("--task", a->task, "Pipeline task to record instead of detecting it");
  cmd->add_flag("--json", a->json, "Print the report as JSON");
  cmd->add_flag("-q,--quiet", a->quiet, "Print nothing on success");
  cmd->callback([a, &action] { action = [a] { return run_embed(*a); }; });
}

}  // namespace modelexport::cli
