// quantize_model: parse the ModelProto (ONNX's own protobuf classes, libonnx), check it, rewrite its
// weights (rewriter.cc) and/or convert it to float16 (float16.cc), record the settings, serialize
// through atomic files (with external data when needed).
#include "modelexport/quantize/quantize.h"

#include <onnx/onnx_pb.h>

#include <stdlib.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include "common/json_util.h"
#include "format/model_proto.h"
#include "modelexport/common/error.h"
#include "modelexport/common/files.h"
#include "modelexport/common/progress.h"
#include "modelexport/format/onnx_file.h"
#include "modelexport/metadata/schema.h"
#include "modelexport/quantize/blockwise.h"
#include "quantize/float16.h"
#ifdef MODELEXPORT_WITH_RUNTIME
#include "quantize/onnxruntime_check.h"
#endif
#include "quantize/rewriter.h"
#include "quantize/targets.h"

namespace modelexport::quantize {

namespace fs = std::filesystem;

namespace {

const std::string kMetadataKey(metadata::keys::kQuantization);

// A temporary folder beside the output, where the result is written under its final names (so an
// external data file's `location` is already right) and checked; removed unless its files were
// moved into place — on every exception path, and on SIGINT/SIGTERM in the CLI (TemporaryFolder).
class StagingFolder {
 public:
  explicit StagingFolder(const fs::path& output)
      : output_(fs::absolute(output)),
        folder_(checked_parent(output_), output_.filename().string(), "quantizing"),
        path_(folder_.path()) {}

  static fs::path checked_parent(const fs::path& output) {
    fs::path parent = output.parent_path();
    if (!fs::is_directory(parent))
      throw IoError("cannot write '" + output.string() + "': folder '" + parent.string() + "' does not exist");
    return parent;
  }

  fs::path model() const { return path_ / output_.filename(); }
  // Renames every staged file beside the output: external data first, the model last, so a reader
  // never sees the new model without its data.
  void move_into_place() {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(path_))
      if (e.path().filename() != output_.filename()) files.push_back(e.path());
    files.push_back(model());
    for (const auto& f : files) {
      fs::path dest = output_.parent_path() / f.filename();
      if (::rename(f.c_str(), dest.c_str()) != 0)
        throw IoError("cannot rename the finished file to '" + dest.string() + "': " + errno_text(errno));
    }
  }

 private:
  fs::path output_;
  TemporaryFolder folder_;  // removed, with what is left in it, when the staging ends
  fs::path path_;
};

// Float32 initializers or graph inputs in the main graph: something for the float16 conversion to do.
bool has_float32(const onnx::ModelProto& model) {
  for (const auto& t : model.graph().initializer())
    if (t.data_type() == onnx::TensorProto::FLOAT) return true;
  for (const auto& i : model.graph().input())
    if (i.type().tensor_type().elem_type() == onnx::TensorProto::FLOAT) return true;
  return false;
}

}  // namespace

std::string skipped_summary(const QuantizeReport& report) {
  std::map<std::string, std::vector<std::string>> by_reason;
  std::vector<std::string> order;
  for (const auto& n : report.nodes) {
    if (n.quantized) continue;
    if (!by_reason.count(n.reason)) order.push_back(n.reason);
    by_reason[n.reason].push_back(n.node);
  }
  size_t total = 0;
  for (const auto& [reason, nodes] : by_reason) total += nodes.size();
  std::string out = "skipped " + std::to_string(total) + ":";
  for (size_t i = 0; i < order.size(); ++i) {
    const auto& nodes = by_reason[order[i]];
    out += (i ? "; " : " ") + std::to_string(nodes.size()) + " " + order[i] + " (";
    for (size_t k = 0; k < nodes.size() && k < 3; ++k) out += (k ? ", " : "") + nodes[k];
    out += nodes.size() > 3 ? ", ...)" : ")";
  }
  return out;
}

const std::vector<std::string>& known_dtypes() {
  static const std::vector<std::string> dtypes = {"q4", "q4f16", "q8", "int8", "uint8", "fp16"};
  return dtypes;
}

QuantizeReport quantize_model(const fs::path& input, const fs::path& output, const QuantizeOptions& o,
                              const ModelCheck& check) {
  auto start = std::chrono::steady_clock::now();
  const bool eight_bit = o.dtype == "q8" || o.dtype == "int8" || o.dtype == "uint8";
  const bool to_half = o.dtype == "fp16" || o.dtype == "q4f16", weights = o.dtype != "fp16";
  bool known = false;
  for (const auto& d : known_dtypes()) known |= d == o.dtype;
  if (!known) throw UsageError("unknown --dtype '" + o.dtype + "'; expected q4, q4f16, q8, int8, uint8 or fp16");
  QuantizeOptions weight_options = o;
  if (o.dtype == "q4f16") weight_options.dtype = "q4";
  if (o.block_size < 16 || o.block_size > 256 || (o.block_size & (o.block_size - 1)) != 0)
    throw UsageError("--block-size " + std::to_string(o.block_size) + " is not a power of two from 16 to 256");
  if (o.accuracy_level < 0 || o.accuracy_level > 4) throw UsageError("--accuracy-level must be 0 to 4");
  check_targets(o.targets);
  // The top-level scan every command uses: a missing file, a directory, an empty file, a Git LFS
  // pointer or mangled bytes get the same precise message as in analyze/validate/embed-metadata.
  { format::OnnxFile probe(input); }
  std::error_code ec;
  if (fs::is_directory(output, ec))
    throw UsageError("output '" + output.string() + "' is a directory; expected an .onnx file path");
  if (fs::exists(output) && fs::equivalent(input, output))
    throw UsageError("the output '" + output.string() + "' is the input; write the quantized model to another file");

  onnx::ModelProto model = format::load_model_proto(input);
  for (const auto& m : model.metadata_props())
    if (m.key() == kMetadataKey)
      throw UnsuitableModelError("'" + input.string() + "' is already quantized (it records " + kMetadataKey + ")");

  uint64_t size_before = format::size_with_external_data(input, model);
  RewriteResult rewritten;
  if (weights)
    rewritten = rewrite_weights(model, fs::absolute(input).parent_path(), weight_options, o.dtype == "q4f16");
  QuantizeReport report = rewritten.report;
  report.size_before = size_before;
  if (weights && report.quantized == 0) {
    bool has_nbits = false;
    std::function<void(const onnx::GraphProto&)> scan = [&](const onnx::GraphProto& g) {
      for (const auto& n : g.node()) {
        has_nbits |= n.op_type() == "MatMulNBits" || n.op_type() == "MatMulInteger";
        for (const auto& a : n.attribute())
          if (a.has_g()) scan(a.g());
      }
    };
    scan(model.graph());
    if (has_nbits)
      throw UnsuitableModelError(
          "'" + input.string() +
          "' is already quantized (it has MatMulNBits/MatMulInteger and no float MatMul weight); nothing written");
    throw UnsuitableModelError(
        "'" + input.string() +
        "' has no MatMul with a constant 2-D float32 or float16 weight to quantize; nothing written" +
        (report.nodes.empty() ? std::string(" (it has no MatMul)") : "\n  " + skipped_summary(report)));
  }

  if (eight_bit)
    for (const auto& op : model.opset_import())
      if ((op.domain().empty() || op.domain() == "ai.onnx") && op.version() < 11)
        throw UnsuitableModelError("'" + input.string() + "' uses opset " + std::to_string(op.version()) +
                                   "; DynamicQuantizeLinear needs opset 11 or later; nothing written");
  bool has_ms_domain = false;
  for (const auto& op : model.opset_import()) has_ms_domain |= op.domain() == "com.microsoft";
  if (!has_ms_domain) {
    auto* op = model.add_opset_import();
    op->set_domain("com.microsoft");
    op->set_version(1);
  }
  // Weights left in external data are read in; the output decides where they go.
  format::inline_external_data(model, fs::absolute(input).parent_path());
  if (to_half) {
    const bool any_float = has_float32(model);
    // q4f16 of a float16 model: the weights were quantized with float16 scales; nothing is left to convert.
    if (!any_float && !(o.dtype == "q4f16" && report.quantized > 0))
      throw UnsuitableModelError(
          "'" + input.string() +
          "' has no float32 initializer or input to turn float16 (already fp16?); nothing written");
  }
  if (to_half && has_float32(model)) {
    uint64_t float_bytes = 0;
    for (const auto& t : model.graph().initializer())
      if (t.data_type() == onnx::TensorProto::FLOAT) float_bytes += t.raw_data().size() + static_cast<uint64_t>(t.float_data_size()) * 4;
    Progress bar("float16", o.show_progress ? float_bytes : 0);
    Float16Report f = convert_to_float16(model, default_fp16_block_list(), [&](uint64_t n) { bar.advance(n); });
    bar.finish();
    report.fp16_initializers = f.initializers_converted;
    report.fp32_initializers_kept = f.initializers_kept;
    report.casts_added = f.casts_added;
    report.fp32_nodes = f.blocked_nodes;
  }
  Json settings = {{"dtype", o.dtype}, {"quantized_matmuls", report.quantized}, {"tool", "modelexport"}};
  if (eight_bit) {
    settings["weight_type"] = rewritten.signed_weights ? "QInt8" : "QUInt8";
    settings["per_channel"] = false;
  } else if (weights) {
    settings["block_size"] = o.block_size;
    settings["symmetric"] = o.symmetric;
    settings["accuracy_level"] = o.accuracy_level;
  }
  auto* meta = model.add_metadata_props();
  meta->set_key(kMetadataKey);
  meta->set_value(settings.dump());

  StagingFolder staging(output);
  format::save_model_proto(model, staging.model(), o.external_data);
  report.size_after = format::size_with_external_data(staging.model(), model);
  model = onnx::ModelProto();  // the written file is what is checked; the in-memory copy (GBs for an LLM) goes now
  // The quantization's own time (the caller's check is timed by the caller).
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
#ifdef MODELEXPORT_WITH_RUNTIME
  check_onnxruntime_loads(staging.model());  // a model ONNX Runtime refuses is never written
#endif
  if (check) check(staging.model());
  staging.move_into_place();
  return report;
}

}  // namespace modelexport::quantize
