// modelexport quantize MODEL.onnx (-o OUT.onnx | --layout transformers.js OUT_DIR) [--dtype q4] [--block-size N]
//                      [--asymmetric] [--accuracy-level 0..4] [--exclude PATTERN]... [--no-accuracy] [--json] [-q]
// Quantizes MatMul weights (quantize/quantize.h) into a staged file that ONNX Runtime must load and
// whose outputs are compared with the input's on sample inputs (runtime/compare.h) before it is moved
// into place; then reports it all. --layout adds the file to an existing transformers.js folder or
// builds a new one.
#include <stdlib.h>

#include <cerrno>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/report_json.h"
#include "modelexport/common/error.h"
#include "modelexport/common/files.h"
#include "modelexport/format/onnx_file.h"
#include "modelexport/metadata/encoder_decoder_set.h"
#include "modelexport/metadata/layout.h"
#include "modelexport/metadata/model_card.h"
#include "modelexport/metadata/reader.h"
#include "modelexport/metadata/schema.h"
#include "modelexport/quantize/quantize.h"
#include "modelexport/runtime/compare.h"
#include "modelexport/runtime/fp16_range.h"
#include "modelexport/runtime/session_info.h"

namespace modelexport::cli {
namespace {

namespace fs = std::filesystem;

struct QuantizeArgs {
  std::string model, output;
  std::vector<std::string> layout;  // {"transformers.js", OUT_DIR}
  quantize::QuantizeOptions options;
  bool asymmetric = false, embeddings = false, no_accuracy = false, json = false, quiet = false;
};

// The float16 range check's lines: what was scanned, every node that produces a value past ±65504 in
// float32 or inf/NaN in float16.
void print_fp16_range(const runtime::Fp16RangeReport& r) {
  if (!r.skipped.empty()) {
    std::printf("warning: float16 range check skipped: %s\n", r.skipped.c_str());
    return;
  }
  if (!r.note.empty()) std::printf("note: float16 range check: %s\n", r.note.c_str());
  if (!r.flagged()) {
    std::printf("float16 range: no value past +-65504 in float32 (%zu tensors), no inf/NaN in float16 (%zu tensors)\n",
                r.source_tensors, r.result_tensors);
    return;
  }
  std::printf("warning: float16 range on %s: values past +-65504 where float16 cannot hold them\n", r.inputs.c_str());
  auto name = [](const runtime::Fp16RangeFinding& f) { return f.node.empty() ? "(unnamed)" : f.node.c_str(); };
  for (const auto& f : r.source)
    std::printf("  float32 %s '%s' -> %s: max |x| %.4g, %zu of %zu past 65504%s\n", f.op.c_str(), name(f),
                f.output.c_str(), f.max_abs, f.out_of_range, f.elements,
                f.result_type == "float32" ? " (kept float32 in the result)"
                : f.result_type.empty()    ? ""
                                           : " (float16 in the result)");
  for (const auto& f : r.result)
    std::printf("  float16 %s '%s' -> %s: %zu of %zu inf/NaN\n", f.op.c_str(), name(f), f.output.c_str(),
                f.out_of_range, f.elements);
  if (r.source_carried || r.result_carried)
    std::printf("  (%zu float32 and %zu float16 tensors downstream carry them; --json lists the producers)\n",
                r.source_carried, r.result_carried);
}

// `collect`: with --json, the report goes there instead of stdout (a set's files are reported together).
int run_quantize(QuantizeArgs a, Json* collect = nullptr) {
  fs::path layout_dir;
  std::optional<TemporaryFolder> staging;  // a new --layout folder is quantized here first
  bool add_to_folder = false;              // --layout into an existing transformers.js folder
  if (!a.layout.empty()) {
    if (a.layout[0] != "transformers.js") throw UsageError("--layout takes transformers.js OUT_DIR");
    if (!a.output.empty()) throw UsageError("give either -o OUT.onnx or --layout transformers.js OUT_DIR");
    layout_dir = a.layout[1];
    std::string name = metadata::layout_onnx_name(a.model);
    // transformers.js' file suffixes: q8 is "_quantized".
    name = name.substr(0, name.size() - 5) + (a.options.dtype == "q8" ? "_quantized" : "_" + a.options.dtype) + ".onnx";
    std::error_code ec;
    if (fs::exists(layout_dir, ec) || fs::is_symlink(layout_dir, ec)) {
      // An existing transformers.js folder gains this dtype's file beside the others; nothing in it
      // is overwritten.
      if (!fs::is_directory(layout_dir / "onnx"))
        throw UsageError(
            "target '" + layout_dir.string() +
            "' already exists and is not a transformers.js folder (no onnx/ in it); nothing is overwritten");
      for (const auto& f : {name, name + "_data"})
        if (fs::exists(layout_dir / "onnx" / f, ec) || fs::is_symlink(layout_dir / "onnx" / f, ec))
          throw UsageError("'" + (layout_dir / "onnx" / f).string() +
                           "' already exists; nothing is overwritten (remove it to quantize this dtype again)");
      add_to_folder = true;
      a.output = (layout_dir / "onnx" / name).string();
    } else {
      // Quantized into a temporary folder beside the target under its final name (an external data
      // file is named after it), then unpacked into the target; the temporary folder goes either way.
      staging.emplace(fs::absolute(layout_dir).parent_path(), layout_dir.filename().string(), "quantizing");
      a.output = (staging->path() / name).string();
    }
  }
  if (a.output.empty()) throw UsageError("give the output file with -o OUT.onnx (or --layout transformers.js OUT_DIR)");
  // A browser layout is written for both of transformers.js' browser backends unless told otherwise.
  if (a.options.targets.empty() && !a.layout.empty()) a.options.targets = {"wasm", "webgpu"};
  a.options.symmetric = !a.asymmetric;
  a.options.quantize_embeddings = a.embeddings;
  if (a.embeddings && a.options.dtype != "q4" && a.options.dtype != "q4f16")
    throw UsageError("--quantize-embeddings goes with --dtype q4 or q4f16");
  a.options.show_progress = !a.quiet && !a.json;
  // The staged result is checked before it is moved into place: ONNX Runtime must load it, and
  // (unless --no-accuracy) both models' outputs are compared. A failure leaves nothing written.
  std::optional<runtime::Agreement> agreement;
  std::optional<runtime::Fp16RangeReport> range;
  double check_seconds = 0;
  auto check = [&](const fs::path& staged) {
    auto started = std::chrono::steady_clock::now();
    // quantize_model has already checked that ONNX Runtime loads it (naming the op it refuses).
    if (!a.no_accuracy) agreement = runtime::compare_models(a.model, staged);
    // fp16 / q4f16: values past float16's range on the same inputs, and the ops that produce them.
    if (!a.no_accuracy && (a.options.dtype == "fp16" || a.options.dtype == "q4f16"))
      range = runtime::check_float16_range(a.model, staged);
    check_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  quantize::QuantizeReport r = quantize::quantize_model(a.model, a.output, a.options, check);
  Json out = quantize_report_json(a.model, a.output, a.options, r, agreement ? &*agreement : nullptr, check_seconds);
  if (range) out["fp16_range"] = fp16_range_json(*range);
  Json qc = {{"modes", {a.options.dtype}},          {"block_size", a.options.block_size},
             {"is_symmetric", a.options.symmetric}, {"accuracy_level", a.options.accuracy_level},
             {"quantized_matmuls", r.quantized},    {"tool", "modelexport"}};
  qc["targets"] = out["targets"];
  // The model card's part for this file: its settings and what was measured here, nothing else.
  auto fmt = [](const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return std::string(buf);
  };
  metadata::ModelCardFile card_file;
  card_file.dtype = a.options.dtype;
  card_file.path = "onnx/" + fs::path(a.output).filename().string();
  if (a.options.dtype != "fp16") {
    card_file.settings = {
        {"weights",
         a.options.dtype == "q4" || a.options.dtype == "q4f16" ? "4-bit MatMulNBits" : "8-bit MatMulInteger"},
        {"MatMuls quantized", std::to_string(r.quantized) + " (" + std::to_string(r.skipped) + " left as they were)"}};
    if (a.options.dtype == "q4" || a.options.dtype == "q4f16") {
      card_file.settings.push_back({"block size", std::to_string(a.options.block_size)});
      card_file.settings.push_back({"symmetric", a.options.symmetric ? "yes" : "no"});
      card_file.settings.push_back({"accuracy level", std::to_string(a.options.accuracy_level)});
      card_file.settings.push_back(
          {"embeddings quantized", a.options.quantize_embeddings ? "asked (see targets)" : "no"});
    }
  }
  if (a.options.dtype == "fp16" || a.options.dtype == "q4f16")
    card_file.settings.push_back({"float16", std::to_string(r.fp16_initializers) + " initializers converted, " +
                                                 std::to_string(r.fp32_nodes) + " nodes kept float32"});
  std::string targets_text;
  for (const auto& t : out["targets"]) targets_text += (targets_text.empty() ? "" : ", ") + t.get<std::string>();
  card_file.settings.push_back({"targets", targets_text});
  auto size = [&](uint64_t bytes) {
    return bytes < 1000000 ? fmt("%.1f KB", bytes / 1e3) : fmt("%.2f MB", bytes / 1e6);
  };
  card_file.measured.push_back({"size", size(r.size_before) + " → " + size(r.size_after) + " (" +
                                            fmt("%.3fx", out["size_ratio"].get<double>()) + ")"});
  if (agreement)
    for (const auto& o : agreement->outputs)
      card_file.measured.push_back({"agreement with the source on " + agreement->inputs + ": `" + o.name + "`",
                                    "max abs error " + fmt("%.3g", o.max_abs_error) + ", cosine " +
                                        fmt("%.6f", o.cosine) + ", top-1 " + fmt("%.3f", o.top1_agreement)});
  if (range && range->skipped.empty()) {
    std::string text = range->flagged()
                           ? std::to_string(range->source.size()) + " node(s) produce values past ±65504 in float32, " +
                                 std::to_string(range->result.size()) + " produce inf/NaN in float16"
                           : "no value past ±65504 in float32, no inf/NaN in float16";
    card_file.measured.push_back({"float16 range on " + range->inputs,
                                  text + " (" + std::to_string(range->source_tensors) + " tensors scanned)"});
  }
  card_file.measured.push_back({"backends verified", "ONNX Runtime " + runtime::onnxruntime_version() +
                                                         " CPU loaded and ran it (modelexport quantize's check)"});
  metadata::ModelCard card = metadata::model_card_from_metadata(metadata::read_metadata(format::OnnxFile(a.model)));
  bool card_extended = false;
  if (add_to_folder) {
    // A card modelexport wrote gains this file's section; any other README.md is left alone.
    std::error_code ec;
    if (fs::is_regular_file(layout_dir / "README.md", ec)) {
      std::string readme = read_file(layout_dir / "README.md");
      if (metadata::has_model_card_marker(readme)) {
        write_file_atomic(layout_dir / "README.md", readme + metadata::model_card_file_section(card, card_file));
        card_extended = true;
      }
    }
  }
  if (add_to_folder) {
    // The model (and its data file) were renamed into onnx/; quantize_config.json is added only when
    // the folder has none.
    Json files = Json::array({"onnx/" + fs::path(a.output).filename().string()});
    if (fs::exists(a.output + "_data")) files.push_back("onnx/" + fs::path(a.output).filename().string() + "_data");
    if (!fs::exists(layout_dir / "quantize_config.json")) {
      write_file_atomic(layout_dir / "quantize_config.json", qc.dump(4) + "\n");
      files.push_back("quantize_config.json");
    }
    if (card_extended) files.push_back("README.md");
    out["output"] = layout_dir.string();
    out["layout"] = "transformers.js";
    out["files"] = files;
  } else if (!layout_dir.empty()) {
    // transformers.js names: onnx/{name}_q4.onnx beside config and tokenizer files from the metadata.
    metadata::UnpackOptions u;
    u.onnx_file_name = fs::path(a.output).filename().string();
    u.extra_files.emplace_back("quantize_config.json", qc.dump(4) + "\n");
    card.files.push_back(card_file);
    u.extra_files.emplace_back("README.md", metadata::model_card_text(card));
    auto report = metadata::unpack_model(a.output, layout_dir, metadata::Layout::kTransformersJs, u);
    out["output"] = layout_dir.string();
    out["layout"] = "transformers.js";
    Json files = Json::array();
    for (const auto& f : report.files) files.push_back(f.name);
    out["files"] = files;
  }
  if (a.json) {
    if (collect) *collect = std::move(out);
    else std::cout << dump_json(out) << "\n";
    return kExitOk;
  }
  if (a.quiet) return kExitOk;
  if (add_to_folder)
    std::printf("added %s to the transformers.js folder %s\n", fs::path(a.output).filename().c_str(),
                layout_dir.c_str());
  else if (!layout_dir.empty()) std::printf("wrote %s (transformers.js layout)\n", layout_dir.c_str());
  if (a.options.dtype == "fp16") std::printf("converted to fp16\n");
  else if (a.options.dtype == "q4" || a.options.dtype == "q4f16")
    std::printf("quantized %zu MatMul(s) to 4 bits (block %lld, %s), skipped %zu\n", r.quantized,
                static_cast<long long>(a.options.block_size), a.options.symmetric ? "symmetric" : "asymmetric",
                r.skipped);
  else
    std::printf("quantized %zu MatMul(s) to %s (per-tensor weights, dynamic activations), skipped %zu\n", r.quantized,
                a.options.dtype.c_str(), r.skipped);
  if (r.skipped > 0) std::printf("  %s (--json lists every node)\n", quantize::skipped_summary(r).c_str());
  if (a.options.dtype == "q4f16" && r.fp16_initializers == 0 && r.casts_added == 0)
    std::printf("float16: the model was already float16; its weights were quantized with float16 scales\n");
  else if (a.options.dtype == "fp16" || a.options.dtype == "q4f16")
    std::printf(
        "float16: %zu initializers converted, %zu kept float32 for %zu float32 nodes (block list), %zu Casts added\n",
        r.fp16_initializers, r.fp32_initializers_kept, r.fp32_nodes, r.casts_added);
  std::printf("size %.2f MB -> %.2f MB (%.3fx) in %.2f s (%.0f MB/s of float weights)\n", r.size_before / 1e6,
              r.size_after / 1e6, out["size_ratio"].get<double>(), r.seconds, out["weights_mb_per_s"].get<double>());
  if (out.contains("accuracy") && out["accuracy"].contains("skipped")) {
    std::printf("warning: accuracy check skipped: %s\n", out["accuracy"]["skipped"].get<std::string>().c_str());
  } else if (out.contains("accuracy")) {
    std::printf("accuracy on %s (%.1f s):\n", out["accuracy"]["inputs"].get<std::string>().c_str(), check_seconds);
    for (const auto& o : out["accuracy"]["outputs"])
      std::printf("  %-24s max |error| %.3g  cosine %.6f  top-1 agreement %.3f\n", o["name"].get<std::string>().c_str(),
                  o["max_abs_error"].get<double>(), o["cosine"].get<double>(), o["top1_agreement"].get<double>());
  }
  if (range) print_fp16_range(*range);
  return kExitOk;
}

// MODEL a folder holding an encoder-decoder set (metadata/encoder_decoder_set.h): each file of the set
// is quantized on its own (its metadata kept, so each output is self-contained) into OUT_DIR under
// transformers.js' name for the dtype (encoder_model_fp16.onnx, decoder_model_merged_fp16.onnx, ...;
// q8 is _quantized). OUT_DIR may be the input folder or a new one; no existing file is overwritten.
// The files are staged in a temporary folder and moved into place only when every one succeeded.
int run_quantize_set(QuantizeArgs a) {
  if (!a.layout.empty())
    throw UsageError("--layout takes one .onnx file; quantize a set's folder with -o OUT_DIR (then unpack)");
  if (a.output.empty())
    throw UsageError("give the output folder with -o OUT_DIR (a folder is quantized into a folder)");
  metadata::EncoderDecoderSet set = metadata::find_encoder_decoder_set(a.model);
  if (!set.suffix.empty())
    throw UsageError("'" + a.model + "' holds no float32 set (encoder_model.onnx); its files have the suffix " +
                     set.suffix + ", already converted");
  fs::path out = fs::path(a.output).lexically_normal();
  if (out.filename().empty()) out = out.parent_path();  // "OUT/"
  std::error_code ec;
  const bool exists = fs::exists(out, ec);
  if (exists && !fs::is_directory(out, ec))
    throw UsageError("-o " + out.string() + ": a folder is quantized into a folder, and this is a file");
  const std::string suffix = a.options.dtype == "q8" ? "_quantized" : "_" + a.options.dtype;
  std::vector<std::pair<fs::path, std::string>> files;  // source, output name
  for (const fs::path& f : set.files()) {
    std::string name = f.stem().string() + suffix + ".onnx";
    for (const auto& n : {name, name + "_data"})
      if (exists && (fs::exists(out / n, ec) || fs::is_symlink(out / n, ec)))
        throw UsageError("'" + (out / n).string() + "' already exists; nothing is overwritten");
    files.emplace_back(f, name);
  }
  TemporaryFolder staging(exists ? fs::absolute(out) : fs::absolute(out).parent_path(), out.filename().string(),
                          "quantizing");
  Json reports = Json::array();
  for (const auto& [source, name] : files) {
    QuantizeArgs one = a;
    one.model = source.string();
    one.output = (staging.path() / name).string();
    if (!a.quiet && !a.json) std::printf("%s -> %s\n", source.filename().c_str(), name.c_str());
    Json report;
    run_quantize(one, &report);
    if (a.json) {
      report["output"] = (out / name).string();
      reports.push_back(std::move(report));
    }
  }
  if (exists) {
    for (const auto& entry : fs::directory_iterator(staging.path()))
      fs::rename(entry.path(), out / entry.path().filename());
  } else {
    fs::rename(staging.path(), out);
    staging.release();
  }
  if (a.json) std::cout << dump_json(Json{{"input", a.model}, {"output", out.string()}, {"files", reports}}) << "\n";
  return kExitOk;
}

}  // namespace

void add_quantize_command(CLI::App& app, Action& action) {
  auto a = std::make_shared<QuantizeArgs>();
  auto* cmd =
      app.add_subcommand("quantize", "Quantize MatMul weights (4-bit MatMulNBits), keeping the embedded metadata");
  cmd->add_option("model", a->model, "ONNX model, or a folder holding an encoder-decoder set")->required();
  cmd->add_option("-o,--output", a->output, "Output .onnx (never the input); for a folder, the output folder");
  cmd->add_option("--dtype", a->options.dtype,
                  "q4 (MatMulNBits, default), q4f16 (q4 then fp16), q8/uint8/int8 (MatMulInteger), fp16");
  cmd->add_option("--block-size", a->options.block_size, "Weights per scale: 16, 32 (default), 64, 128 or 256");
  cmd->add_flag("--asymmetric", a->asymmetric, "Asymmetric blocks with packed zero points (default symmetric)");
  cmd->add_option("--accuracy-level", a->options.accuracy_level,
                  "MatMulNBits accuracy_level 0-4 (default 4: int8 activations; 0 omits it)");
  cmd->add_flag("--quantize-embeddings", a->embeddings,
                "q4/q4f16: also Gather over embedding tables → GatherBlockQuantized");
  cmd->add_option("--target", a->options.targets,
                  "cpu, wasm or webgpu (repeatable): leave ops the target lacks as they were (default cpu; --layout: "
                  "wasm and webgpu)");
  cmd->add_option("--exclude", a->options.exclude,
                  "Node or weight name to leave as is ('*' and '?' wildcards; repeatable)");
  cmd->add_option("--layout", a->layout,
                  "transformers.js OUT_DIR: a folder transformers.js loads (onnx/NAME_q4.onnx, config, tokenizer, "
                  "quantize_config.json)")
      ->expected(2);
  cmd->add_flag("--external-data", a->options.external_data,
                "Write tensors to OUT.onnx_data beside the model (automatic over 2 GB)");
  cmd->add_flag("--no-accuracy", a->no_accuracy, "Skip the output comparison through ONNX Runtime");
  cmd->add_flag("--json", a->json, "Print the report as JSON");
  cmd->add_flag("-q,--quiet", a->quiet, "Print nothing on success");
  add_verbose_flag(cmd);
  cmd->callback([a, &action] {
    action = [a] {
      std::error_code ec;
      // A folder that holds no encoder_model*.onnx is refused as any other non-file is.
      return fs::is_directory(a->model, ec) && metadata::is_encoder_decoder_set(a->model) ? run_quantize_set(*a)
                                                                                          : run_quantize(*a);
    };
  });
}

}  // namespace modelexport::cli
