// modelexport quantize: weight quantization of an ONNX model, keeping its embedded metadata.
//
// Every MatMul whose right operand is a 2-D float32 or float16 constant initializer (in the main graph or in
// If/Loop/Scan subgraphs) becomes com.microsoft MatMulNBits (bits 4, K, N, block_size,
// accuracy_level when non-zero) with weights packed by quantize_q4 (blockwise.h); a weight shared by
// several MatMuls is quantized once; a bias Add after a MatMul stays as it is. The float weight is
// dropped when nothing else uses it. The result records its settings in metadata_props under
// "hf_quantization"; every other metadata entry is carried over unchanged.
//
//   QuantizeOptions o;                 // q4, block 32, symmetric, accuracy level 4
//   QuantizeReport r = quantize_model("model.onnx", "model_q4.onnx", o);
//   std::cout << r.quantized << " MatMuls, " << r.size_before << " -> " << r.size_after << " bytes";
//
// Weights the input keeps in external data are read from beside it; the output is one file, or with
// OUT.onnx_data beside it when it would exceed 2 GB (or external_data is set).
//
// The result is written into a temporary folder beside the output under its final file names, and
// `check` (when given: e.g. ONNX Runtime loading it and the accuracy check of runtime/compare.h) runs
// on that copy; only when it returns are the files renamed into place. Any failure, in the rewrite,
// the write or the check, leaves nothing at the output.
//
//   QuantizeReport r = quantize_model("model.onnx", "model_q4.onnx", o, [](const std::filesystem::path& staged) {
//     runtime::compare_models("model.onnx", staged);   // throws: nothing is written
//   });
//
// Errors (nothing is written, the input is never modified): UsageError for an unsupported dtype or
// block size, an output path equal to the input; UnsuitableModelError for a model with nothing to
// quantize, already quantized, or an opset too old for the dtype; FormatError for a file protobuf
// cannot parse, external data that is missing, or a result ONNX Runtime cannot load; whatever
// `check` throws.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace modelexport::quantize {

struct QuantizeOptions {
  // q4: MatMulNBits. q8 (int8 weights, or uint8 when the model has Conv / GroupQueryAttention /
  // MultiHeadAttention, as transformers.js picks), uint8 (asymmetric), int8 (symmetric): per-tensor
  // weights with DynamicQuantizeLinear + MatMulInteger (ORT quantize_dynamic's form). fp16: every
  // float32 tensor and op to float16 except transformers.js' op block list, inputs and outputs kept
  // float32 through Casts. q4f16: q4, then fp16.
  std::string dtype = "q4";
  int64_t block_size = 32;       // power of two, 16..256
  bool symmetric = true;         // false: asymmetric with packed zero points
  int64_t accuracy_level = 4;    // 0 (unset), 1 fp32, 2 fp16, 3 bf16, 4 int8 activations
  std::vector<std::string> exclude;  // node or weight names, '*' and '?' wildcards
  // q4 / q4f16: also Gather over a 2-D float32 table (embeddings) → com.microsoft GatherBlockQuantized.
  bool quantize_embeddings = false;
  bool show_progress = true;     // a progress bar on a terminal
  // Write tensors of 1 KB or more to OUT.onnx_data beside the output; automatic when the model would
  // exceed protobuf's 2 GB.
  bool external_data = false;
  unsigned threads = 0;          // 0: all cores
  // Where the result must run: cpu (onnxruntime-node), wasm / webgpu (onnxruntime-web's backends).
  // An op a target lacks, or computes wrongly, is not written; the node's reason says which target.
  // Empty: cpu only.
  std::vector<std::string> targets;
};

struct NodeReport {
  std::string op = "MatMul";  // MatMul, or Gather with quantize_embeddings
  std::string node, weight;   // node name, weight (initializer) name
  bool quantized = false;
  std::string reason;        // why skipped; "shared with NODE" when a weight is reused
  int64_t K = 0, N = 0;
};

struct QuantizeReport {
  std::vector<NodeReport> nodes;  // every MatMul seen, in graph order
  size_t quantized = 0, skipped = 0;
  uint64_t size_before = 0, size_after = 0;  // bytes, model plus external data
  uint64_t weight_bytes = 0;                 // float32 weight bytes quantized
  // fp16 / q4f16: float32 initializers turned float16, kept float32 (used by blocked ops), Casts added,
  // nodes left in float32 by the block list.
  size_t fp16_initializers = 0, fp32_initializers_kept = 0, casts_added = 0, fp32_nodes = 0;
  double seconds = 0;
};

// The dtypes `quantize` knows, and which of them are implemented.
const std::vector<std::string>& known_dtypes();

// One line for every node left as it was, grouped by reason with a few names each:
// "skipped 12: 10 the weight is not a constant initializer (a, b, c, ...); 2 excluded (d, e)".
std::string skipped_summary(const QuantizeReport& report);

// Called with the finished model's temporary path (its external data beside it) before it is moved
// into place; throwing refuses the result.
using ModelCheck = std::function<void(const std::filesystem::path& staged_model)>;

QuantizeReport quantize_model(const std::filesystem::path& input, const std::filesystem::path& output,
                              const QuantizeOptions& options, const ModelCheck& check = {});

}  // namespace modelexport::quantize
