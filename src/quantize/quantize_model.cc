// quantize_model: parse the ModelProto (ONNX's own protobuf classes, libonnx), check it, rewrite its
// weights (rewriter.cc) and/or convert it to float16 (float16.cc), record the settings, serialize
// through atomic files (with external data when needed).
#include "modelexport/quantize/quantize.h"

#include <onnx/onnx_pb.h>

#include <chrono>
#include <cstring>
#include <functional>
#include <memory>
#include <map>
#include <set>

#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "modelexport/common/files.h"
#include "modelexport/common/progress.h"
#include "format/model_proto.h"
#include "modelexport/metadata/schema.h"
#include "modelexport/quantize/blockwise.h"
#include "quantize/float16.h"
#include "quantize/rewriter.h"

namespace modelexport::quantize {

namespace fs = std::filesystem;

namespace {

const std::string kMetadataKey(metadata::keys::kQuantization);

}  // namespace

const std::vector<std::string>& known_dtypes() {
  static const std::vector<std::string> dtypes = {"q4", "q4f16", "q8", "int8", "uint8", "fp16"};
  return dtypes;
}

QuantizeReport quantize_model(const fs::path& input, const fs::path& output, const QuantizeOptions& o) {
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
  if (!fs::exists(input)) throw IoError("cannot open '" + input.string() + "': no such file");
  if (fs::exists(output) && fs::equivalent(input, output))
    throw UsageError("the output '" + output.string() + "' is the input; write the quantized model to another file");

  onnx::ModelProto model = format::load_model_proto(input);
  for (const auto& m : model.metadata_props())
    if (m.key() == kMetadataKey) throw UnsuitableModelError("'" + input.string() + "' is already quantized (it records " + kMetadataKey + ")");

  uint64_t size_before = format::size_with_external_data(input, model);
  RewriteResult rewritten;
  if (weights) rewritten = rewrite_weights(model, fs::absolute(input).parent_path(), weight_options);
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
    if (has_nbits) throw UnsuitableModelError("'" + input.string() + "' is already quantized (it has MatMulNBits/MatMulInteger and no float MatMul weight); nothing written");
    std::string why;
    for (const auto& n : report.nodes) why += "\n  " + n.node + " (" + n.weight + "): " + n.reason;
    throw UnsuitableModelError("'" + input.string() + "' has no MatMul with a constant 2-D float32 weight to quantize; nothing written" + why);
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
    bool any_float = false;
    std::function<void(const onnx::GraphProto&)> scan = [&](const onnx::GraphProto& g) {
      for (const auto& t : g.initializer()) any_float |= t.data_type() == onnx::TensorProto::FLOAT;
      for (const auto& i : g.input()) any_float |= i.type().tensor_type().elem_type() == onnx::TensorProto::FLOAT;
    };
    scan(model.graph());
    if (!any_float) throw UnsuitableModelError("'" + input.string() + "' has no float32 initializer or input to turn float16 (already fp16?); nothing written");
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

  format::save_model_proto(model, output, o.external_data);
  report.size_after = format::size_with_external_data(output, model);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace modelexport::quantize
